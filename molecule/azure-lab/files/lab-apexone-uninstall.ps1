# Stand-in for the Apex One agent's uninstaller on the lab VMs (prepare.yml installs it): it removes what
# prepare.yml seeded to look like the agent (services, the lunchtime scan task, the uninstall entry) and
# exits 3010 (ERROR_SUCCESS_REBOOT_REQUIRED) because a real agent's drivers go only at the next restart.
# It is not Trend Micro's uninstaller; see docs/twin.md ("The azure-lab scenario").
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

foreach ($name in @('ntrtscan', 'TmListen', 'TMBMServer', 'tmccsf')) {
    $service = Get-CimInstance -ClassName Win32_Service -Filter "Name = '$name'"
    if ($service) {
        $null = Invoke-CimMethod -InputObject $service -MethodName Delete
    }
}
$task = Get-ScheduledTask -TaskPath '\TrendMicro\' -TaskName 'Apex One Lunchtime Scan' -ErrorAction SilentlyContinue
if ($task) {
    Unregister-ScheduledTask -TaskPath '\TrendMicro\' -TaskName 'Apex One Lunchtime Scan' -Confirm:$false
}
$entry = 'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\OfficeScanNT'
if (Test-Path -LiteralPath $entry) {
    Remove-Item -LiteralPath $entry -Recurse -Force
}
exit 3010
