#!powershell
# Before the final pass the data-center share becomes read-only (users can no longer write to it);
# rollback restores the access it had. The previous access list is saved next to the share's
# configuration so rollback gives back exactly what was there.

#AnsibleRequires -CSharpUtil Ansible.Basic

$spec = @{
    options = @{
        name = @{ type = 'str'; required = $true }
        state = @{ type = 'str'; required = $true; choices = @('readonly', 'writable') }
        saved_access_path = @{ type = 'str'; default = 'C:\ProgramData\cutover\share-access' }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$p = $module.Params
$saved = Join-Path -Path $p.saved_access_path -ChildPath "$($p.name).json"
$access = @(Get-SmbShareAccess -Name $p.name -ErrorAction Stop)
$writers = @($access | Where-Object { $_.AccessControlType -eq 'Allow' -and $_.AccessRight -ne 'Read' })
$module.Result.before = @($access | ForEach-Object { @{ account = $_.AccountName; right = [string]$_.AccessRight; type = [string]$_.AccessControlType } })
$changed = $false
if ($p.state -eq 'readonly' -and $writers.Count -gt 0) {
    if (-not $module.CheckMode) {
        $null = New-Item -ItemType Directory -Path $p.saved_access_path -Force
        $module.Result.before | ConvertTo-Json -Depth 3 | Set-Content -LiteralPath $saved -Encoding UTF8
        foreach ($entry in $writers) {
            $null = Grant-SmbShareAccess -Name $p.name -AccountName $entry.AccountName -AccessRight Read -Force
        }
    }
    $changed = $true
}
elseif ($p.state -eq 'writable' -and (Test-Path -LiteralPath $saved)) {
    $previous = Get-Content -LiteralPath $saved -Raw -Encoding UTF8 | ConvertFrom-Json
    foreach ($entry in $previous) {
        $now = $access | Where-Object { $_.AccountName -eq $entry.account } | Select-Object -First 1
        if (-not $now -or [string]$now.AccessRight -ne $entry.right) {
            if (-not $module.CheckMode) {
                $null = Grant-SmbShareAccess -Name $p.name -AccountName $entry.account -AccessRight $entry.right -Force
            }
            $changed = $true
        }
    }
    if ($changed -and -not $module.CheckMode) {
        Remove-Item -LiteralPath $saved -Force
    }
}
$module.Result.changed = $changed
$module.ExitJson()
