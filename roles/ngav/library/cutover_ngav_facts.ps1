#!powershell
# Discover, in ONE read-only call, everything the ngav role decides on: the old antivirus (uninstall
# entries, services, the scheduled scan its server pushed into the agent's registry, Task Scheduler
# tasks under given folders if any exist), a restart left pending, the NGAV (uninstall entry,
# services, Security Center entry, the first-scan task), Windows Defender, the system disk's media
# type, the last boot and the PC's local clock. Documentation: the .py beside this.

#AnsibleRequires -CSharpUtil Ansible.Basic

Set-StrictMode -Version 2.0

$spec = @{
    options = @{
        old_av_display_patterns = @{ type = 'list'; elements = 'str'; default = @('Trend Micro Apex One*', 'Trend Micro OfficeScan*', 'ウイルスバスター*') }
        old_av_services = @{ type = 'list'; elements = 'str'; default = @('ntrtscan', 'TmListen', 'TMBMServer', 'tmccsf') }
        old_av_schedule_key = @{ type = 'str'; default = 'SOFTWARE\TrendMicro\PC-cillinNTCorp\CurrentVersion\Prescheduled Scan Configuration' }
        old_av_task_paths = @{ type = 'list'; elements = 'str'; default = @() }
        ngav_display_pattern = @{ type = 'str'; required = $true }
        ngav_services = @{ type = 'list'; elements = 'str'; default = @() }
        ngav_security_center_name = @{ type = 'str'; required = $true }
        first_scan_task = @{ type = 'str'; default = '\Cutover\NGAV first full scan' }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$p = $module.Params

function Test-AnyLike {
    param([string]$Value, [string[]]$Patterns)
    foreach ($pattern in $Patterns) {
        if ($Value -like $pattern) {
            return $true
        }
    }
    return $false
}

function Invoke-WithKey {
    # Opens HKLM\<Path> in the given view (64-bit or 32-bit), runs $Action with it and always disposes both keys.
    param([Microsoft.Win32.RegistryView]$View, [string]$Path, [scriptblock]$Action)
    $base = $null
    $key = $null
    try {
        $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, $View)
        $key = $base.OpenSubKey($Path)
        if ($null -ne $key) {
            & $Action $key
        }
    }
    finally {
        if ($null -ne $key) {
            $key.Dispose()
        }
        if ($null -ne $base) {
            $base.Dispose()
        }
    }
}

# Uninstall entries in both registry views (WOW6432Node holds the 32-bit agents such as Apex One's).
$views = @([Microsoft.Win32.RegistryView]::Registry64)
if ([Environment]::Is64BitOperatingSystem) {
    $views += [Microsoft.Win32.RegistryView]::Registry32
}
$entries = New-Object -TypeName 'System.Collections.Generic.List[object]'
foreach ($view in $views) {
    Invoke-WithKey -View $view -Path 'SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall' -Action {
        param($uninstall)
        foreach ($name in $uninstall.GetSubKeyNames()) {
            $sub = $null
            try {
                $sub = $uninstall.OpenSubKey($name)
                if ($null -eq $sub) {
                    continue
                }
                $display = $sub.GetValue('DisplayName')
                if ($display) {
                    $entries.Add(@{
                            product_id = $name
                            display_name = [string]$display
                            publisher = $sub.GetValue('Publisher')
                            uninstall_string = $sub.GetValue('UninstallString')
                        })
                }
            }
            finally {
                if ($null -ne $sub) {
                    $sub.Dispose()
                }
            }
        }
    }
}

# The scheduled scan: configured on the server, stored by the 32-bit agent in its own key, run by NTRtScan.
$schedule = @{ present = $false; enabled = $null; frequency = $null; hour = $null; minute = $null; key = $p.old_av_schedule_key }
$scheduleView = if ([Environment]::Is64BitOperatingSystem) { [Microsoft.Win32.RegistryView]::Registry32 } else { [Microsoft.Win32.RegistryView]::Registry64 }
Invoke-WithKey -View $scheduleView -Path $p.old_av_schedule_key -Action {
    param($key)
    $schedule.present = $true
    foreach ($pair in @(@('Enable', 'enabled'), @('Frequency', 'frequency'), @('Hour', 'hour'), @('Minute', 'minute'))) {
        $value = $key.GetValue($pair[0])
        if ($null -ne $value) {
            $schedule[$pair[1]] = [int]$value
        }
    }
    if ($null -ne $schedule.enabled) {
        $schedule.enabled = $schedule.enabled -eq 1
    }
}

function Get-ServiceState {
    param([string[]]$Names)
    $states = @{}
    foreach ($name in $Names) {
        $service = Get-Service -Name $name -ErrorAction SilentlyContinue
        $states[$name] = if ($service) { $service.Status.ToString().ToLowerInvariant() } else { $null }
    }
    return $states
}

$tasks = @()
foreach ($folder in $p.old_av_task_paths) {
    foreach ($task in @(Get-ScheduledTask -TaskPath $folder -ErrorAction SilentlyContinue)) {
        $tasks += "$($task.TaskPath)$($task.TaskName)"
    }
}

# A restart left pending: files to replace or delete at boot (MoveFileEx), servicing, Windows Update.
$reasons = New-Object -TypeName 'System.Collections.Generic.List[string]'
Invoke-WithKey -View ([Microsoft.Win32.RegistryView]::Registry64) -Path 'SYSTEM\CurrentControlSet\Control\Session Manager' -Action {
    param($key)
    $operations = $key.GetValue('PendingFileRenameOperations')
    if ($operations) {
        $reasons.Add('PendingFileRenameOperations')
    }
}
foreach ($pending in @('SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending',
        'SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired')) {
    Invoke-WithKey -View ([Microsoft.Win32.RegistryView]::Registry64) -Path $pending -Action {
        param($key)
        $reasons.Add($pending.Split('\')[-1])
    }
}

$firstScan = @{ present = $false; next_run_time = $null; last_run_time = $null; last_result = $null }
$taskPath = $p.first_scan_task.Substring(0, $p.first_scan_task.LastIndexOf('\') + 1)
$taskName = $p.first_scan_task.Substring($p.first_scan_task.LastIndexOf('\') + 1)
$scanTask = Get-ScheduledTask -TaskPath $taskPath -TaskName $taskName -ErrorAction SilentlyContinue
if ($scanTask) {
    $info = Get-ScheduledTaskInfo -InputObject $scanTask
    $firstScan.present = $true
    $firstScan.last_result = [int]$info.LastTaskResult
    if ($info.NextRunTime) {
        $firstScan.next_run_time = $info.NextRunTime.ToString('yyyy-MM-ddTHH:mm:sszzz')
    }
    if ($info.LastRunTime -and $info.LastRunTime.Year -gt 2000) {
        $firstScan.last_run_time = $info.LastRunTime.ToString('yyyy-MM-ddTHH:mm:sszzz')
    }
}

$securityCenter = @()
foreach ($product in @(Get-CimInstance -Namespace 'root/SecurityCenter2' -ClassName AntiVirusProduct -ErrorAction SilentlyContinue)) {
    $securityCenter += @{ display_name = $product.displayName; product_state = [int]$product.productState }
}
$ngavCenter = $securityCenter | Where-Object { $_.display_name -eq $p.ngav_security_center_name } | Select-Object -First 1
$defenderCenter = $securityCenter | Where-Object { $_.display_name -eq 'Windows Defender' } | Select-Object -First 1

$oldProducts = @($entries | Where-Object { Test-AnyLike -Value $_.display_name -Patterns $p.old_av_display_patterns })
$ngavProduct = $entries | Where-Object { $_.display_name -like $p.ngav_display_pattern } | Select-Object -First 1

$disk = $null
try {
    $partition = Get-Partition -DriveLetter C -ErrorAction Stop
    $physical = Get-PhysicalDisk | Where-Object { $_.DeviceId -eq [string]$partition.DiskNumber } | Select-Object -First 1
    $mediaNames = @{ 3 = 'HDD'; 4 = 'SSD'; 5 = 'SCM' }
    $media = $mediaNames[[int]$physical.MediaType]
    if (-not $media) {
        $media = 'Unspecified'
    }
    if ($media -eq 'Unspecified' -and [int]$physical.BusType -eq 17) {
        $media = 'SSD'
    }
    $disk = @{ media_type = $media; bus_type = [string]$physical.BusType }
}
catch {
    $disk = @{ media_type = 'Unknown'; bus_type = $null; error = $_.Exception.Message }
}

$defender = $null
try {
    $status = Get-MpComputerStatus -ErrorAction Stop
    $defender = @{ realtime_enabled = [bool]$status.RealTimeProtectionEnabled }
}
catch {
    $defender = @{ realtime_enabled = $false; error = $_.Exception.Message }
}

$module.Result.old_av = @{
    products = $oldProducts
    services = Get-ServiceState -Names $p.old_av_services
    tasks = $tasks
    scheduled_scan = $schedule
}
$module.Result.reboot_pending = @{ pending = $reasons.Count -gt 0; reasons = $reasons }
$module.Result.ngav = @{
    product = $ngavProduct
    services = Get-ServiceState -Names $p.ngav_services
    security_center = $ngavCenter
    first_scan = $firstScan
}
$module.Result.security_center = $securityCenter
$module.Result.defender = $defender + @{ security_center = $defenderCenter }
$module.Result.disk = $disk
$module.Result.last_boot = (Get-CimInstance -ClassName Win32_OperatingSystem).LastBootUpTime.ToString('yyyy-MM-ddTHH:mm:sszzz')
$module.Result.clock = (Get-Date).ToString('yyyy-MM-ddTHH:mm:sszzz')
$module.Result.changed = $false
$module.ExitJson()
