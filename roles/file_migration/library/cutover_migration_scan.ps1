#!powershell
# Before the seed pass: walk a data-center share the way the robocopy passes will see it (the same /XD
# folder names, junctions and symbolic links skipped as with /XJ) and report the names Azure Files
# refuses, plus file count and bytes. Read-only. The walk streams: one folder's entries at a time,
# never the whole share in memory (WinRM shell memory limits). A folder that cannot be read makes the
# scan fail ("could not read"): an incomplete scan never passes. Documentation: the .py beside this.

#AnsibleRequires -CSharpUtil Ansible.Basic

Set-StrictMode -Version 2.0

$spec = @{
    options = @{
        source = @{ type = 'str'; required = $true }
        max_path = @{ type = 'int'; default = 2048 }
        exclude_dirs = @{ type = 'list'; elements = 'str'; default = @('System Volume Information', '$RECYCLE.BIN', 'DfsrPrivate') }
        max_findings = @{ type = 'int'; default = 500 }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$p = $module.Params

$source = $p.source.TrimEnd('\')
$root = '\\?\UNC\' + $source.TrimStart('\')
$excluded = New-Object -TypeName 'System.Collections.Generic.HashSet[string]' -ArgumentList ([System.StringComparer]::OrdinalIgnoreCase)
foreach ($name in $p.exclude_dirs) {
    $null = $excluded.Add($name)
}
$reserved = New-Object -TypeName 'System.Collections.Generic.HashSet[string]' -ArgumentList ([System.StringComparer]::OrdinalIgnoreCase)
foreach ($name in @('CON', 'PRN', 'AUX', 'NUL', 'COM1', 'COM2', 'COM3', 'COM4', 'COM5', 'COM6', 'COM7', 'COM8', 'COM9',
        'LPT1', 'LPT2', 'LPT3', 'LPT4', 'LPT5', 'LPT6', 'LPT7', 'LPT8', 'LPT9')) {
    $null = $reserved.Add($name)
}

$findings = New-Object -TypeName 'System.Collections.Generic.List[object]'
$counts = @{ findings = 0 }
$unreadable = New-Object -TypeName 'System.Collections.Generic.List[string]'
$junctions = New-Object -TypeName 'System.Collections.Generic.List[string]'
$excludedEntries = 0
$files = [long]0
$bytes = [long]0

function Add-Finding {
    param([string]$Path, [string]$Kind, [string]$Detail)
    $counts.findings += 1
    if ($findings.Count -lt $p.max_findings) {
        $findings.Add(@{ path = $Path; kind = $Kind; detail = $Detail })
    }
}

try {
    $null = [System.IO.Directory]::GetFileSystemEntries($root, '*')
}
catch {
    $module.Result.unreadable = @($source)
    $module.FailJson("could not read $($source): $($_.Exception.Message)")
}

$stack = New-Object -TypeName 'System.Collections.Generic.Stack[string]'
$stack.Push('')
while ($stack.Count -gt 0) {
    $relativeDir = $stack.Pop()
    $directory = if ($relativeDir) { New-Object -TypeName System.IO.DirectoryInfo -ArgumentList "$root\$relativeDir" } else { New-Object -TypeName System.IO.DirectoryInfo -ArgumentList $root }
    try {
        $entries = $directory.EnumerateFileSystemInfos()
        foreach ($entry in $entries) {
            $relative = if ($relativeDir) { "$relativeDir\$($entry.Name)" } else { $entry.Name }
            $isDirectory = ($entry.Attributes -band [System.IO.FileAttributes]::Directory) -ne 0
            if ($isDirectory -and $excluded.Contains($entry.Name)) {
                $excludedEntries += 1
                continue
            }
            if ($entry.LinkType -eq 'Junction' -or $entry.LinkType -eq 'SymbolicLink') {
                $junctions.Add($relative)
                continue
            }
            if ($isDirectory) {
                $stack.Push($relative)
            }
            else {
                $files += 1
                $bytes += $entry.Length
            }
            $name = $entry.Name
            if ($relative.Length -gt $p.max_path) {
                Add-Finding -Path $relative -Kind 'path_too_long' -Detail "$($relative.Length) characters"
            }
            if ($name.Length -gt 255) {
                Add-Finding -Path $relative -Kind 'component_too_long' -Detail "$($name.Length) characters"
            }
            if ($name -match '["\\/:|<>*?\x00-\x1f]') {
                Add-Finding -Path $relative -Kind 'invalid_character' -Detail $name
            }
            if ($reserved.Contains($name.Split('.')[0])) {
                Add-Finding -Path $relative -Kind 'reserved_name' -Detail $name
            }
            if ($name.EndsWith('.') -or $name.EndsWith(' ')) {
                Add-Finding -Path $relative -Kind 'trailing_dot_or_space' -Detail $name
            }
        }
    }
    catch {
        # Access denied, a folder gone or a path the server refuses: the folder could not be read.
        $unreadable.Add($relativeDir)
    }
}

$module.Result.changed = $false
$module.Result.files = $files
$module.Result.bytes = $bytes
$module.Result.findings = $findings
$module.Result.findings_total = $counts.findings
$module.Result.unreadable = $unreadable
$module.Result.excluded = @{ entries = $excludedEntries; junctions = @($junctions | Select-Object -First 50) }
if ($unreadable.Count -gt 0) {
    $shown = @($unreadable | Select-Object -First 5) -join ', '
    $module.FailJson("could not read $($unreadable.Count) folder(s) under $($source): $shown (access denied)")
}
$module.ExitJson()
