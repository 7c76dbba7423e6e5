#!powershell
# Readiness of a PC for the site's Azure file share, in ONE read-only call: TCP 445 to the storage
# endpoint, Windows edition/build, Entra join state, the Kerberos ticket-retrieval setting, the services
# Entra Kerberos needs, and the logon-time drive mapping as installed (SHA-1 of its files, the
# scheduled task's definition) so the role changes only what differs, with upstream modules.
# Documentation: the .py file beside this.

#AnsibleRequires -CSharpUtil Ansible.Basic
#Requires -Module Ansible.ModuleUtils.CommandUtil

Set-StrictMode -Version 2.0

$spec = @{
    options = @{
        storage_host = @{ type = 'str'; required = $true }
        port = @{ type = 'int'; default = 445 }
        timeout_ms = @{ type = 'int'; default = 3000 }
        mapping_files = @{ type = 'list'; elements = 'str'; default = @() }
        mapping_task = @{ type = 'str'; default = '\Cutover\cutover drive mapping' }
        services = @{ type = 'list'; elements = 'str'; default = @('WinHttpAutoProxySvc', 'iphlpsvc', 'LanmanWorkstation') }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$p = $module.Params

# TCP reachability (many ISPs block outbound 445): a plain socket with a bounded timeout.
$tcp = @{ host = $p.storage_host; port = $p.port; reachable = $false; error = $null; elapsed_ms = $null }
$client = New-Object -TypeName System.Net.Sockets.TcpClient
$watch = [System.Diagnostics.Stopwatch]::StartNew()
try {
    $attempt = $client.BeginConnect($p.storage_host, $p.port, $null, $null)
    if ($attempt.AsyncWaitHandle.WaitOne($p.timeout_ms, $false) -and $client.Connected) {
        $client.EndConnect($attempt)
        $tcp.reachable = $true
    }
    else {
        $tcp.error = "no answer within $($p.timeout_ms) ms"
    }
}
catch {
    $tcp.error = $_.Exception.Message
}
finally {
    $watch.Stop()
    $tcp.elapsed_ms = [int]$watch.ElapsedMilliseconds
    $client.Close()
}

function Get-RegistryValue {
    param([string]$Path, [string]$Name)
    $item = Get-ItemProperty -LiteralPath $Path -ErrorAction SilentlyContinue
    if ($item -and ($item.PSObject.Properties.Name -contains $Name)) {
        return $item.$Name
    }
    return $null
}

$os = Get-CimInstance -ClassName Win32_OperatingSystem
$osInfo = @{
    caption = $os.Caption
    build = [int]$os.BuildNumber
    ubr = Get-RegistryValue -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' -Name UBR
    edition_id = Get-RegistryValue -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' -Name EditionID
}

# Entra join state from dsregcmd (present on Windows 10/11). A native command: run through CreateProcess
# with its own stdout/stderr and exit code, never through PowerShell's error stream (which, under the
# module wrapper's ErrorActionPreference = Stop, would turn one stderr line into a terminating error).
$join = @{ azure_ad_joined = $null; domain_joined = $null; error = $null }
try {
    $dsreg = Run-Command -command 'dsregcmd.exe /status'
    if ($dsreg.rc -ne 0) {
        $join.error = "dsregcmd /status exit $($dsreg.rc): $($dsreg.stderr.Trim())"
    }
    foreach ($line in ($dsreg.stdout -split "`r?`n")) {
        if ($line -match '^\s*AzureAdJoined\s*:\s*(?<v>YES|NO)') {
            $join.azure_ad_joined = $Matches['v'] -eq 'YES'
        }
        elseif ($line -match '^\s*DomainJoined\s*:\s*(?<v>YES|NO)') {
            $join.domain_joined = $Matches['v'] -eq 'YES'
        }
    }
}
catch {
    $join.error = $_.Exception.Message
}

# HKLM\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters CloudKerberosTicketRetrievalEnabled (the role
# sets it with ansible.windows.win_regedit where it is not 1).
$ticketValue = Get-RegistryValue -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters' -Name CloudKerberosTicketRetrievalEnabled
if ($null -ne $ticketValue) {
    $ticketValue = [int]$ticketValue
}

# The SMB client's cipher suite order set by policy (HKLM\SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation
# CipherSuiteOrder, REG_MULTI_SZ; the role sets it with ansible.windows.win_regedit where a share allows
# AES-256-GCM only). Not set: Windows' default order, which starts with AES_128_GCM.
$cipherOrder = Get-RegistryValue -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation' -Name CipherSuiteOrder
if ($null -ne $cipherOrder) {
    $cipherOrder = @($cipherOrder | ForEach-Object { [string]$_ })
}

# The logon-time drive mapping as installed: its files (SHA-1, as win_copy compares) and its task.
$files = @{}
$sha1 = [System.Security.Cryptography.SHA1]::Create()
foreach ($path in $p.mapping_files) {
    $files[$path] = $null
    if (Test-Path -LiteralPath $path -PathType Leaf) {
        $stream = [System.IO.File]::OpenRead($path)
        try {
            $files[$path] = [BitConverter]::ToString($sha1.ComputeHash($stream)).Replace('-', '').ToLowerInvariant()
        }
        finally {
            $stream.Dispose()
        }
    }
}
$sha1.Dispose()
$task = @{ present = $false }
$taskPath = $p.mapping_task.Substring(0, $p.mapping_task.LastIndexOf('\') + 1)
$taskName = $p.mapping_task.Substring($p.mapping_task.LastIndexOf('\') + 1)
$existing = Get-ScheduledTask -TaskPath $taskPath -TaskName $taskName -ErrorAction SilentlyContinue
if ($existing) {
    $groupSid = $null
    if ($existing.Principal.GroupId) {
        try {
            $account = New-Object -TypeName System.Security.Principal.NTAccount -ArgumentList $existing.Principal.GroupId
            $groupSid = $account.Translate([System.Security.Principal.SecurityIdentifier]).Value
        }
        catch {
            $groupSid = $existing.Principal.GroupId
        }
    }
    $triggerTypes = @{ MSFT_TaskLogonTrigger = 'logon'; MSFT_TaskBootTrigger = 'boot'; MSFT_TaskTimeTrigger = 'time'; MSFT_TaskDailyTrigger = 'daily' }
    $task = @{
        present = $true
        enabled = [bool]$existing.Settings.Enabled
        actions = @($existing.Actions | ForEach-Object { @{ path = [string]$_.Execute; arguments = [string]$_.Arguments } })
        triggers = @($existing.Triggers | ForEach-Object {
                $kind = $triggerTypes[$_.CimClass.CimClassName]
                @{ type = $(if ($kind) { $kind } else { $_.CimClass.CimClassName }) }
            })
        group = $groupSid
        run_level = ([string]$existing.Principal.RunLevel).ToLowerInvariant()
        disallow_start_if_on_batteries = [bool]$existing.Settings.DisallowStartIfOnBatteries
        stop_if_going_on_batteries = [bool]$existing.Settings.StopIfGoingOnBatteries
        execution_time_limit = [string]$existing.Settings.ExecutionTimeLimit
    }
}

$services = @{}
foreach ($name in $p.services) {
    $service = Get-Service -Name $name -ErrorAction SilentlyContinue
    if ($null -eq $service) {
        $services[$name] = @{ exists = $false; state = $null; start_mode = $null }
    }
    else {
        $services[$name] = @{ exists = $true; state = $service.Status.ToString().ToLowerInvariant(); start_mode = $service.StartType.ToString().ToLowerInvariant() }
    }
}

$module.Result.tcp = $tcp
$module.Result.os = $osInfo
$module.Result.entra_join = $join
$module.Result.ticket_retrieval = @{ value = $ticketValue }
$module.Result.smb_client = @{ cipher_suite_order = $cipherOrder }
$module.Result.mapping = @{ files = $files; task = $task }
$module.Result.services = $services
$module.Result.changed = $false
$module.ExitJson()
