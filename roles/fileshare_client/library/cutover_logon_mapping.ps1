#!powershell
# Install the logon-time drive mapping: the script and its JSON configuration under a program-data
# folder, and a scheduled task that runs the script at every user logon. Mapped drives belong to the
# logon session, so they cannot be set over WinRM. Documentation: cutover_logon_mapping.py.

#AnsibleRequires -CSharpUtil Ansible.Basic

$spec = @{
    options = @{
        directory = @{ type = 'str'; default = 'C:\ProgramData\cutover' }
        script = @{ type = 'str'; required = $true }
        configuration = @{ type = 'str'; required = $true }
        task_name = @{ type = 'str'; default = 'cutover drive mapping' }
        state = @{ type = 'str'; default = 'present'; choices = @('present', 'absent') }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$p = $module.Params
$utf8 = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $true
$files = @{
    (Join-Path -Path $p.directory -ChildPath 'cutover-map-drives.ps1') = $p.script
    (Join-Path -Path $p.directory -ChildPath 'drive-map.json') = $p.configuration
}
$changed = $false
$task = Get-ScheduledTask -TaskPath '\Cutover\' -TaskName $p.task_name -ErrorAction SilentlyContinue

if ($p.state -eq 'absent') {
    foreach ($path in $files.Keys) {
        if (Test-Path -LiteralPath $path) {
            if (-not $module.CheckMode) {
                Remove-Item -LiteralPath $path -Force
            }
            $changed = $true
        }
    }
    if ($task) {
        if (-not $module.CheckMode) {
            Unregister-ScheduledTask -TaskPath '\Cutover\' -TaskName $p.task_name -Confirm:$false
        }
        $changed = $true
    }
    $module.Result.changed = $changed
    $module.ExitJson()
}

foreach ($path in $files.Keys) {
    $current = if (Test-Path -LiteralPath $path) { [System.IO.File]::ReadAllText($path) } else { $null }
    if ($current -ne $files[$path]) {
        if (-not $module.CheckMode) {
            $null = New-Item -ItemType Directory -Path $p.directory -Force
            [System.IO.File]::WriteAllText($path, $files[$path], $utf8)
        }
        $changed = $true
    }
}
if (-not $task) {
    if (-not $module.CheckMode) {
        $scriptPath = Join-Path -Path $p.directory -ChildPath 'cutover-map-drives.ps1'
        $arguments = "-NoProfile -NonInteractive -WindowStyle Hidden -ExecutionPolicy Bypass -File `"$scriptPath`""
        $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $arguments
        $trigger = New-ScheduledTaskTrigger -AtLogOn
        $principal = New-ScheduledTaskPrincipal -GroupId 'S-1-5-32-545' -RunLevel Limited
        $null = Register-ScheduledTask -TaskPath '\Cutover\' -TaskName $p.task_name -Action $action -Trigger $trigger -Principal $principal
    }
    $changed = $true
}
$module.Result.changed = $changed
$module.ExitJson()
