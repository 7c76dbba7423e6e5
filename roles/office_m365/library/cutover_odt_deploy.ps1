#!powershell
# Deploy Microsoft 365 Apps with the Office Deployment Tool, in one call that (1) does nothing when the
# product is already installed, (2) refuses a configuration without a SourcePath on the distribution
# point unless the CDN is allowed, (3) does not start setup.exe while an Office app is open
# (FORCEAPPSHUTDOWN=FALSE: setup would fail, and forcing it loses unsaved work): "pending",
# (4) runs setup.exe /configure and reports changed only when setup exited 0 AND Click-to-Run then
# lists the product. Why this is a custom module and not win_copy + win_package: roles/office_m365/README.md.
# Documentation: cutover_odt_deploy.py beside this file.

#AnsibleRequires -CSharpUtil Ansible.Basic
#Requires -Module Ansible.ModuleUtils.CutoverProfile

Set-StrictMode -Version 2.0

$spec = @{
    options = @{
        setup_path = @{ type = 'str'; required = $true }
        work_dir = @{ type = 'str'; default = 'C:\ProgramData\cutover\odt' }
        product_id = @{ type = 'str'; required = $true }
        configuration_xml = @{ type = 'str'; required = $true }
        allow_cdn = @{ type = 'bool'; default = $false }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$p = $module.Params

$OfficeApps = @('OUTLOOK.EXE', 'WINWORD.EXE', 'EXCEL.EXE', 'POWERPNT.EXE', 'MSACCESS.EXE', 'MSPUB.EXE',
    'ONENOTE.EXE', 'VISIO.EXE', 'WINPROJ.EXE', 'lync.exe')

Function Get-ReleaseId {
    $configuration = Get-CutoverRegistryKey -Root ([Microsoft.Win32.Registry]::LocalMachine) -Path 'SOFTWARE\Microsoft\Office\ClickToRun\Configuration'
    if ($null -eq $configuration -or -not $configuration.values.ContainsKey('ProductReleaseIds')) {
        return @()
    }
    return @(([string]$configuration.values['ProductReleaseIds'].data).Split(',') | ForEach-Object { $_.Trim() } | Where-Object { $_ })
}

$module.Result.changed = $false
$module.Result.pending = $false
$before = Get-ReleaseId
$module.Diff.before = @{ product_release_ids = ($before -join ',') }
$module.Diff.after = @{ product_release_ids = ($before -join ',') }
if ($before -contains $p.product_id) {
    $module.Result.msg = "$($p.product_id) is already installed"
    $module.ExitJson()
}

try {
    $xml = [xml]$p.configuration_xml
}
catch {
    $module.FailJson("configuration_xml is not valid XML: $($_.Exception.Message)")
}
$add = $xml.SelectSingleNode('/Configuration/Add')
$source = $null
if ($null -ne $add) {
    $source = $add.GetAttribute('SourcePath')
}
if (-not $source -and -not $p.allow_cdn) {
    $module.FailJson("the configuration has no Add/@SourcePath: every PC would download Office from the Microsoft CDN; set the distribution point (office_m365_source_path) or allow_cdn")
}

$owners = Get-CutoverProcessOwner -Name $OfficeApps
if ($owners.error) {
    $module.FailJson("could not tell whether Office apps are open: $($owners.error)")
}
$running = @($OfficeApps | Where-Object { @($owners.sids[$_.ToLowerInvariant()]).Count -gt 0 })
if ($running.Count -gt 0) {
    $module.Result.pending = $true
    $module.Result.running_apps = $running
    $module.Result.msg = "Office apps are open ($($running -join ', ')): setup.exe is not started (FORCEAPPSHUTDOWN is FALSE); it runs when they are closed"
    $module.ExitJson()
}

if (-not (Test-Path -LiteralPath $p.setup_path -PathType Leaf)) {
    $module.FailJson("the Office Deployment Tool is not reachable at $($p.setup_path)")
}
$module.Diff.after = @{ product_release_ids = (@($before) + $p.product_id) -join ',' }
if ($module.CheckMode) {
    $module.Result.changed = $true
    $module.Result.msg = "would run setup.exe /configure for $($p.product_id)"
    $module.ExitJson()
}

$null = New-Item -ItemType Directory -Path $p.work_dir -Force
$configuration = Join-Path -Path $p.work_dir -ChildPath 'configuration.xml'
[System.IO.File]::WriteAllText($configuration, $p.configuration_xml, (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false))
# Start-Process does not route setup.exe's output into PowerShell's error stream, so nothing it
# prints can become a terminating error; only the exit code decides.
$process = Start-Process -FilePath $p.setup_path -ArgumentList @('/configure', "`"$configuration`"") -Wait -PassThru -NoNewWindow
$module.Result.rc = $process.ExitCode
if ($process.ExitCode -ne 0) {
    $module.FailJson("setup.exe /configure returned $($process.ExitCode)")
}
$after = Get-ReleaseId
$module.Diff.after = @{ product_release_ids = ($after -join ',') }
if ($after -notcontains $p.product_id) {
    $module.FailJson("setup.exe /configure returned 0 but $($p.product_id) is not among ProductReleaseIds ($($after -join ','))")
}
$module.Result.changed = $true
$module.Result.msg = "$($p.product_id) installed"
$module.ExitJson()
