#!powershell
# Verification pass: per top-level folder, file count and bytes on both sides, and the SHA-256 of a
# deterministic sample of files compared between source and target. Read-only.

#AnsibleRequires -CSharpUtil Ansible.Basic

$spec = @{
    options = @{
        source = @{ type = 'str'; required = $true }
        target = @{ type = 'str'; required = $true }
        sample = @{ type = 'int'; default = 20 }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$p = $module.Params

function Get-Tree {
    param(
        [string]$Root
    )
    $tree = @{}
    $prefix = "\\?\UNC\$($Root.TrimStart('\').TrimEnd('\'))"
    foreach ($file in Get-ChildItem -LiteralPath $prefix -Recurse -File -Force -ErrorAction SilentlyContinue) {
        $tree[$file.FullName.Substring($prefix.Length).TrimStart('\')] = $file
    }
    return $tree
}

$source = Get-Tree -Root $p.source
$target = Get-Tree -Root $p.target
$folders = @{}
foreach ($side in @(@{ name = 'source'; tree = $source }, @{ name = 'target'; tree = $target })) {
    foreach ($relative in $side.tree.Keys) {
        $top = if ($relative.Contains('\')) { $relative.Split('\')[0] } else { '(root)' }
        if (-not $folders.ContainsKey($top)) {
            $folders[$top] = @{ name = $top; source_files = 0; target_files = 0; source_bytes = [long]0; target_bytes = [long]0 }
        }
        $folders[$top]["$($side.name)_files"] += 1
        $folders[$top]["$($side.name)_bytes"] += $side.tree[$relative].Length
    }
}
$rows = @($folders.Values | Sort-Object { $_.name } | ForEach-Object {
        $_.match = ($_.source_files -eq $_.target_files) -and ($_.source_bytes -eq $_.target_bytes)
        $_
    })
$sha = [System.Security.Cryptography.SHA256]::Create()
$picked = @($source.Keys | Sort-Object { [BitConverter]::ToString($sha.ComputeHash([Text.Encoding]::UTF8.GetBytes($_))) } | Select-Object -First $p.sample)
$samples = @()
foreach ($relative in $picked) {
    $a = (Get-FileHash -LiteralPath $source[$relative].FullName -Algorithm SHA256).Hash
    $b = if ($target.ContainsKey($relative)) { (Get-FileHash -LiteralPath $target[$relative].FullName -Algorithm SHA256).Hash } else { $null }
    $samples += @{ path = $relative; source_sha256 = $a; target_sha256 = $b; match = $a -eq $b }
}
$module.Result.changed = $false
$module.Result.folders = $rows
$module.Result.sample = $samples
$module.Result.matched = (@($rows | Where-Object { -not $_.match }).Count -eq 0) -and (@($samples | Where-Object { -not $_.match }).Count -eq 0)
$module.ExitJson()
