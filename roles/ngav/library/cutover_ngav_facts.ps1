#!powershell
# Discover, in ONE read-only call, everything the ngav role decides on: the old antivirus (uninstall
# entries, services, scheduled scans), the NGAV (uninstall entry, services, Security Center entry),
# Windows Defender, the system disk's media type and the last boot. Documentation: the .py beside this.

#AnsibleRequires -CSharpUtil Ansible.Basic

$spec = @{
    options = @{
        old_av_display_patterns = @{ type = 'list'; elements = 'str'; default = @('Trend Micro Apex One*', 'Trend Micro OfficeScan*', 'ウイルスバスター*') }
        old_av_services = @{ type = 'list'; elements = 'str'; default = @('ntrtscan', 'TmListen', 'TMBMServer', 'tmccsf') }
        old_av_task_paths = @{ type = 'list'; elements = 'str'; default = @('\TrendMicro\') }
        ngav_display_pattern = @{ type = 'str'; required = $true }
        ngav_services = @{ type = 'list'; elements = 'str'; default = @() }
        ngav_security_center_name = @{ type = 'str'; required = $true }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$p = $module.Params

function Test-AnyLike {
    param(
        [string]$Value,
        [string[]]$Patterns
    )
    foreach ($pattern in $Patterns) {
        if ($Value -like $pattern) {
            return $true
        }
    }
    return $false
}

$entries = [System.Collections.Generic.List[object]]@()
foreach ($root in @(
        'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall',
        'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall'
    )) {
    if (Test-Path -LiteralPath $root) {
        foreach ($key in Get-ChildItem -LiteralPath $root) {
            $name = $key.GetValue('DisplayName')
            if ($name) {
                $entries.Add(@{
                        product_id = $key.PSChildName
                        display_name = $name
                        publisher = $key.GetValue('Publisher')
                        uninstall_string = $key.GetValue('UninstallString')
                    })
            }
        }
    }
}

function Get-ServiceState {
    param(
        [string[]]$Names
    )
    $states = @{}
    foreach ($name in $Names) {
        $service = Get-Service -Name $name -ErrorAction SilentlyContinue
        $states[$name] = if ($service) { $service.Status.ToString().ToLowerInvariant() } else { $null }
    }
    return $states
}

$tasks = @()
foreach ($folder in $p.old_av_task_paths) {
    $found = Get-ScheduledTask -TaskPath $folder -ErrorAction SilentlyContinue
    foreach ($task in $found) {
        $tasks += "$($task.TaskPath)$($task.TaskName)"
    }
}

$securityCenter = @()
foreach ($product in Get-CimInstance -Namespace 'root/SecurityCenter2' -ClassName AntiVirusProduct -ErrorAction SilentlyContinue) {
    $securityCenter += @{ display_name = $product.displayName; product_state = [int]$product.productState }
}
$ngavCenter = $securityCenter | Where-Object { $_.display_name -eq $p.ngav_security_center_name } | Select-Object -First 1
$defenderCenter = $securityCenter | Where-Object { $_.display_name -eq 'Windows Defender' } | Select-Object -First 1

$oldProducts = @($entries | Where-Object { Test-AnyLike -Value $_.display_name -Patterns $p.old_av_display_patterns })
$ngavProduct = $entries | Where-Object { $_.display_name -like $p.ngav_display_pattern } | Select-Object -First 1
$ngavServices = Get-ServiceState -Names $p.ngav_services

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
}
$module.Result.ngav = @{
    product = $ngavProduct
    services = $ngavServices
    security_center = $ngavCenter
}
$module.Result.security_center = $securityCenter
$module.Result.defender = $defender + @{ security_center = $defenderCenter }
$module.Result.disk = $disk
$module.Result.last_boot = (Get-CimInstance -ClassName Win32_OperatingSystem).LastBootUpTime.ToString('o')
$module.Result.changed = $false
$module.ExitJson()
