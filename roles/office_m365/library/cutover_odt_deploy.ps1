#!powershell
# Deploy Microsoft 365 Apps with the Office Deployment Tool: write the rendered configuration and run
# setup.exe /configure from the distribution share. Check mode reports what would happen.
# Documentation: cutover_odt_deploy.py beside this file.

#AnsibleRequires -CSharpUtil Ansible.Basic

$spec = @{
    options = @{
        setup_path = @{ type = 'str'; required = $true }
        work_dir = @{ type = 'str'; default = 'C:\ProgramData\cutover\odt' }
        product_id = @{ type = 'str'; required = $true }
        configuration_xml = @{ type = 'str'; required = $true }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$p = $module.Params

$configurationKey = 'HKLM:\SOFTWARE\Microsoft\Office\ClickToRun\Configuration'
$installed = (Get-ItemProperty -LiteralPath $configurationKey -Name ProductReleaseIds -ErrorAction SilentlyContinue).ProductReleaseIds
if ($installed -and ($installed -split ',') -contains $p.product_id) {
    $module.Result.changed = $false
    $module.Result.msg = "$($p.product_id) is already installed"
    $module.ExitJson()
}
if (-not (Test-Path -LiteralPath $p.setup_path)) {
    $module.FailJson("the Office Deployment Tool is not reachable at $($p.setup_path)")
}
$module.Result.changed = $true
if ($module.CheckMode) {
    $module.Result.msg = "would run setup.exe /configure for $($p.product_id)"
    $module.ExitJson()
}
$null = New-Item -ItemType Directory -Path $p.work_dir -Force
$configuration = Join-Path -Path $p.work_dir -ChildPath 'configuration.xml'
[System.IO.File]::WriteAllText($configuration, $p.configuration_xml, (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false))
$process = Start-Process -FilePath $p.setup_path -ArgumentList @('/configure', "`"$configuration`"") -Wait -PassThru -NoNewWindow
$module.Result.rc = $process.ExitCode
if ($process.ExitCode -ne 0) {
    $module.FailJson("setup.exe /configure returned $($process.ExitCode)")
}
$module.Result.msg = "$($p.product_id) installed"
$module.ExitJson()
