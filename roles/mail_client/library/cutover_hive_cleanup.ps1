#!powershell
# Unload registry hives that an interrupted cutover module left loaded under HKU\cutover_*.
# Runs in the mail_client role's always: block only when the Outlook module failed.

#AnsibleRequires -CSharpUtil Ansible.Basic

$spec = @{
    options = @{
        prefix = @{ type = 'str'; default = 'cutover_' }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$unloaded = @()
$left = Get-ChildItem -LiteralPath 'Registry::HKEY_USERS' | Where-Object { $_.PSChildName -like "$($module.Params.prefix)*" }
foreach ($key in $left) {
    if (-not $module.CheckMode) {
        [gc]::Collect()
        [gc]::WaitForPendingFinalizers()
        $null = & reg.exe unload "HKU\$($key.PSChildName)" 2>&1
        if ($LASTEXITCODE -ne 0) {
            $module.Warn("could not unload HKU\$($key.PSChildName) (reg unload exit $LASTEXITCODE)")
            continue
        }
    }
    $unloaded += $key.PSChildName
}
$module.Result.changed = $unloaded.Count -gt 0
$module.Result.unloaded = $unloaded
$module.ExitJson()
