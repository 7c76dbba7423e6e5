#!powershell
# Readiness of a PC for the site's Azure file share, in ONE call: TCP 445 to the storage endpoint,
# Windows edition/build, Entra join state, the Kerberos ticket-retrieval setting (optionally set it
# in the same call) and the services Entra Kerberos needs. Documentation: the .py file beside this.

#AnsibleRequires -CSharpUtil Ansible.Basic

$spec = @{
    options = @{
        storage_host = @{ type = 'str'; required = $true }
        port = @{ type = 'int'; default = 445 }
        timeout_ms = @{ type = 'int'; default = 3000 }
        ensure_ticket_retrieval = @{ type = 'bool'; default = $false }
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

$os = Get-CimInstance -ClassName Win32_OperatingSystem
$osInfo = @{
    caption = $os.Caption
    build = [int]$os.BuildNumber
    ubr = (Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' -Name UBR -ErrorAction SilentlyContinue).UBR
    edition_id = (Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' -Name EditionID -ErrorAction SilentlyContinue).EditionID
}

# Entra join state from dsregcmd (present on Windows 10/11).
$join = @{ azure_ad_joined = $null; domain_joined = $null; error = $null }
try {
    $status = & dsregcmd.exe /status 2>&1
    foreach ($line in $status) {
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

# HKLM\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters CloudKerberosTicketRetrievalEnabled = 1
$kerberosKey = 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters'
$current = (Get-ItemProperty -LiteralPath $kerberosKey -Name CloudKerberosTicketRetrievalEnabled -ErrorAction SilentlyContinue).CloudKerberosTicketRetrievalEnabled
$ticket = @{ before = $current; after = $current; changed = $false }
if ($p.ensure_ticket_retrieval -and $current -ne 1) {
    if (-not $module.CheckMode) {
        if (-not (Test-Path -LiteralPath $kerberosKey)) {
            $null = New-Item -Path $kerberosKey -Force
        }
        Set-ItemProperty -LiteralPath $kerberosKey -Name CloudKerberosTicketRetrievalEnabled -Value 1 -Type DWord
    }
    $ticket.after = 1
    $ticket.changed = $true
    $module.Result.changed = $true
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
$module.Result.ticket_retrieval = $ticket
$module.Result.services = $services
$module.ExitJson()
