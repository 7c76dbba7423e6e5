#!powershell
# Verification pass: per top-level folder, file count and bytes on both sides, and the SHA-256 of a
# deterministic sample of files compared between source and target. Read-only.
# Both trees are walked the way robocopy copied them (/XD folder names and junctions skipped), one
# folder at a time (no whole-share list in memory: WinRM shell memory limits); the sample is the N
# files whose path hashes lowest, kept while streaming. A folder that cannot be read, or a source with
# no files, fails the module ("could not read"): verification never passes on what it could not see.
# A sampled file held open by another process is a finding (could not hash), never a crash.

#AnsibleRequires -CSharpUtil Ansible.Basic

Set-StrictMode -Version 2.0

$spec = @{
    options = @{
        source = @{ type = 'str'; required = $true }
        target = @{ type = 'str'; required = $true }
        sample = @{ type = 'int'; default = 20 }
        exclude_dirs = @{ type = 'list'; elements = 'str'; default = @('System Volume Information', '$RECYCLE.BIN', 'DfsrPrivate') }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$p = $module.Params

$excluded = New-Object -TypeName 'System.Collections.Generic.HashSet[string]' -ArgumentList ([System.StringComparer]::OrdinalIgnoreCase)
foreach ($name in $p.exclude_dirs) {
    $null = $excluded.Add($name)
}
$pathHasher = [System.Security.Cryptography.SHA256]::Create()
$folders = @{}
$picked = New-Object -TypeName 'System.Collections.Generic.List[object]'  # @{ key; path }, at most $p.sample

function ConvertTo-LongPath {
    param([string]$Unc)
    return '\\?\UNC\' + $Unc.Trim('\')
}

function Add-ToSample {
    param([string]$Relative)
    $key = [BitConverter]::ToString($pathHasher.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($Relative)))
    if ($picked.Count -lt $p.sample) {
        $picked.Add(@{ key = $key; path = $Relative })
        return
    }
    $highest = 0
    for ($i = 1; $i -lt $picked.Count; $i++) {
        if ([string]::CompareOrdinal($picked[$i].key, $picked[$highest].key) -gt 0) {
            $highest = $i
        }
    }
    if ($picked.Count -gt 0 -and [string]::CompareOrdinal($key, $picked[$highest].key) -lt 0) {
        $picked[$highest] = @{ key = $key; path = $Relative }
    }
}

function Measure-Tree {
    # Walks one side; adds counts and bytes per top-level folder; returns the folders it could not read.
    param([string]$Unc, [string]$Side)
    $root = ConvertTo-LongPath -Unc $Unc
    $unreadable = New-Object -TypeName 'System.Collections.Generic.List[string]'
    try {
        $null = [System.IO.Directory]::GetFileSystemEntries($root, '*')
    }
    catch {
        $module.Result.unreadable = @($Unc)
        $module.Result.matched = $false
        $module.FailJson("could not read the $Side $($Unc): $($_.Exception.Message)")
    }
    $stack = New-Object -TypeName 'System.Collections.Generic.Stack[string]'
    $stack.Push('')
    while ($stack.Count -gt 0) {
        $relativeDir = $stack.Pop()
        $directory = if ($relativeDir) { New-Object -TypeName System.IO.DirectoryInfo -ArgumentList "$root\$relativeDir" } else { New-Object -TypeName System.IO.DirectoryInfo -ArgumentList $root }
        try {
            foreach ($entry in $directory.EnumerateFileSystemInfos()) {
                $relative = if ($relativeDir) { "$relativeDir\$($entry.Name)" } else { $entry.Name }
                $isDirectory = ($entry.Attributes -band [System.IO.FileAttributes]::Directory) -ne 0
                if (($isDirectory -and $excluded.Contains($entry.Name)) -or $entry.LinkType -eq 'Junction' -or $entry.LinkType -eq 'SymbolicLink') {
                    continue
                }
                if ($isDirectory) {
                    $stack.Push($relative)
                    continue
                }
                $top = if ($relative.Contains('\')) { $relative.Split('\')[0] } else { '(root)' }
                if (-not $folders.ContainsKey($top)) {
                    $folders[$top] = @{ name = $top; source_files = 0; target_files = 0; source_bytes = [long]0; target_bytes = [long]0 }
                }
                $folders[$top]["$($Side)_files"] += 1
                $folders[$top]["$($Side)_bytes"] += $entry.Length
                if ($Side -eq 'source') {
                    Add-ToSample -Relative $relative
                }
            }
        }
        catch {
            $unreadable.Add($relativeDir)
        }
    }
    return , $unreadable
}

function Get-FileSha256 {
    # @{ hash; error }: a file another process holds open for writing is a sharing violation, reported.
    param([string]$Path)
    $stream = $null
    $hasher = [System.Security.Cryptography.SHA256]::Create()
    try {
        $stream = New-Object -TypeName System.IO.FileStream -ArgumentList $Path, ([System.IO.FileMode]::Open), ([System.IO.FileAccess]::Read), ([System.IO.FileShare]::Read)
        return @{ hash = [BitConverter]::ToString($hasher.ComputeHash($stream)).Replace('-', ''); error = $null }
    }
    catch [System.IO.FileNotFoundException] {
        return @{ hash = $null; error = $null }
    }
    catch {
        return @{ hash = $null; error = $_.Exception.Message }
    }
    finally {
        if ($stream) {
            $stream.Dispose()
        }
        $hasher.Dispose()
    }
}

foreach ($side in @('source', 'target')) {
    $unreadable = Measure-Tree -Unc $p[$side] -Side $side
    if ($unreadable.Count -gt 0) {
        $shown = @($unreadable | Select-Object -First 5) -join ', '
        $module.Result.unreadable = $unreadable
        $module.Result.matched = $false
        $module.FailJson("could not read $($unreadable.Count) folder(s) under $($p[$side]): $shown (access denied)")
    }
}
$sourceFiles = 0
$targetFiles = 0
foreach ($row in $folders.Values) {
    $sourceFiles += $row.source_files
    $targetFiles += $row.target_files
}
if ($sourceFiles -eq 0) {
    $module.Result.matched = $false
    $module.FailJson("could not verify: $($p.source) shows no files (an empty or wrong source never passes)")
}

$rows = @($folders.Values | Sort-Object -Property { $_.name } | ForEach-Object {
        $_.match = ($_.source_files -eq $_.target_files) -and ($_.source_bytes -eq $_.target_bytes)
        $_
    })
$samples = New-Object -TypeName 'System.Collections.Generic.List[object]'
$findings = New-Object -TypeName 'System.Collections.Generic.List[object]'
foreach ($item in @($picked | Sort-Object -Property { $_.key })) {
    $relative = $item.path
    $a = Get-FileSha256 -Path "$(ConvertTo-LongPath -Unc $p.source)\$relative"
    $b = Get-FileSha256 -Path "$(ConvertTo-LongPath -Unc $p.target)\$relative"
    $entry = @{ path = $relative; source_sha256 = $a.hash; target_sha256 = $b.hash; match = $false }
    $problem = @($a.error, $b.error) | Where-Object { $_ } | Select-Object -First 1
    if ($problem) {
        $entry.error = "could not hash: $problem"
        $findings.Add(@{ path = $relative; kind = 'in_use'; detail = $problem })
    }
    else {
        $entry.match = ($null -ne $a.hash) -and ($a.hash -eq $b.hash)
    }
    $samples.Add($entry)
}
$pathHasher.Dispose()

$module.Result.changed = $false
$module.Result.folders = $rows
$module.Result.sample = $samples
$module.Result.findings = $findings
$module.Result.source_files = $sourceFiles
$module.Result.target_files = $targetFiles
$module.Result.matched = (@($rows | Where-Object { -not $_.match }).Count -eq 0) -and (@($samples | Where-Object { -not $_.match }).Count -eq 0)
$module.ExitJson()
