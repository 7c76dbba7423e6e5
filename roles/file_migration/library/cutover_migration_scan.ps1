#!powershell
# Before the seed pass: walk a data-center share and report the names Azure Files refuses
# (component over 255 characters, path over the limit, forbidden characters, reserved device names,
# names ending in a dot or a space), plus file count and bytes. Read-only.

#AnsibleRequires -CSharpUtil Ansible.Basic

$spec = @{
    options = @{
        source = @{ type = 'str'; required = $true }
        max_path = @{ type = 'int'; default = 2048 }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$source = $module.Params.source.TrimEnd('\')
$reserved = @('CON', 'PRN', 'AUX', 'NUL') + (1..9 | ForEach-Object { "COM$_"; "LPT$_" })
$findings = [System.Collections.Generic.List[object]]@()
$files = 0
$bytes = [long]0
foreach ($item in Get-ChildItem -LiteralPath "\\?\UNC\$($source.TrimStart('\'))" -Recurse -Force -ErrorAction SilentlyContinue) {
    $relative = $item.FullName.Substring($item.FullName.IndexOf($source.TrimStart('\')) + $source.TrimStart('\').Length).TrimStart('\')
    if (-not $item.PSIsContainer) {
        $files += 1
        $bytes += $item.Length
    }
    if ($relative.Length -gt $module.Params.max_path) {
        $findings.Add(@{ path = $relative; kind = 'path_too_long'; detail = "$($relative.Length) characters" })
    }
    $name = $item.Name
    if ($name.Length -gt 255) {
        $findings.Add(@{ path = $relative; kind = 'component_too_long'; detail = "$($name.Length) characters" })
    }
    if ($name -match '["\\/:|<>*?\x00-\x1f]') {
        $findings.Add(@{ path = $relative; kind = 'invalid_character'; detail = $name })
    }
    if ($reserved -contains ($name.Split('.')[0].ToUpperInvariant())) {
        $findings.Add(@{ path = $relative; kind = 'reserved_name'; detail = $name })
    }
    if ($name.EndsWith('.') -or $name.EndsWith(' ')) {
        $findings.Add(@{ path = $relative; kind = 'trailing_dot_or_space'; detail = $name })
    }
}
$module.Result.changed = $false
$module.Result.files = $files
$module.Result.bytes = $bytes
$module.Result.findings = $findings
$module.ExitJson()
