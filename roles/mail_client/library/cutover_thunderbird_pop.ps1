#!powershell
# Discover, and set where needed, Thunderbird POP "leave on server, delete after N days" for given
# addresses, in every Thunderbird profile of every local user, through a managed block in user.js.
# Documentation: cutover_thunderbird_pop.py beside this file.

#AnsibleRequires -CSharpUtil Ansible.Basic

$spec = @{
    options = @{
        addresses = @{ type = 'list'; elements = 'str'; required = $true }
        days = @{ type = 'int'; default = 15 }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$days = $module.Params.days
if ($days -lt 1 -or $days -gt 999) {
    $module.FailJson("days must be between 1 and 999 (got $days)")
}
$targets = @{}
foreach ($address in $module.Params.addresses) {
    $targets[$address.Trim().ToLowerInvariant()] = $true
}
$BlockStart = '// BEGIN cutover-managed POP retention (do not edit between these lines)'
$BlockEnd = '// END cutover-managed POP retention'
$Utf8 = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false

function Read-Prefs {
    param(
        [string]$Path
    )
    $prefs = @{}
    if (-not (Test-Path -LiteralPath $Path)) {
        return $prefs
    }
    $pattern = '^\s*user_pref\("(?<name>[^"]+)",\s*(?<value>.+?)\);\s*$'
    foreach ($line in [System.IO.File]::ReadAllLines($Path, $Utf8)) {
        $match = [regex]::Match($line, $pattern)
        if ($match.Success) {
            $prefs[$match.Groups['name'].Value] = $match.Groups['value'].Value.Trim('"')
        }
    }
    return $prefs
}

function Get-PopServerForAddress {
    param(
        [hashtable]$Prefs
    )
    # address -> server key, through account -> identities (useremail) and the server's userName.
    $found = @{}
    foreach ($name in $Prefs.Keys) {
        $accountMatch = [regex]::Match($name, '^mail\.account\.(?<account>[^.]+)\.server$')
        if (-not $accountMatch.Success) {
            continue
        }
        $server = $Prefs[$name]
        if ($Prefs["mail.server.$server.type"] -ne 'pop3') {
            continue
        }
        $candidates = @()
        $identities = $Prefs["mail.account.$($accountMatch.Groups['account'].Value).identities"]
        if ($identities) {
            foreach ($identity in $identities.Split(',')) {
                $candidates += $Prefs["mail.identity.$($identity.Trim()).useremail"]
            }
        }
        $candidates += $Prefs["mail.server.$server.userName"]
        foreach ($candidate in $candidates) {
            if ($candidate) {
                $found[$candidate.Trim().ToLowerInvariant()] = $server
            }
        }
    }
    return $found
}

function Get-ThunderbirdOwnerSid {
    $sids = @{}
    $processes = Get-CimInstance -ClassName Win32_Process -Filter "Name = 'thunderbird.exe'" -ErrorAction SilentlyContinue
    foreach ($process in $processes) {
        $owner = Invoke-CimMethod -InputObject $process -MethodName GetOwnerSid -ErrorAction SilentlyContinue
        if ($owner -and $owner.Sid) {
            $sids[$owner.Sid] = $true
        }
    }
    return $sids
}

function Get-ProfileDirectory {
    param(
        [string]$AppData
    )
    $ini = Join-Path -Path $AppData -ChildPath 'Thunderbird\profiles.ini'
    $directories = @()
    if (-not (Test-Path -LiteralPath $ini)) {
        return $directories
    }
    $path = $null
    $relative = $true
    foreach ($line in ([System.IO.File]::ReadAllLines($ini, $Utf8) + '[end]')) {
        if ($line -match '^\[') {
            if ($path) {
                if ($relative) {
                    $directories += Join-Path -Path (Join-Path -Path $AppData -ChildPath 'Thunderbird') -ChildPath ($path -replace '/', '\')
                }
                else {
                    $directories += $path
                }
            }
            $path = $null
            $relative = $true
        }
        elseif ($line -match '^Path=(?<p>.+)$') {
            $path = $Matches['p'].Trim()
        }
        elseif ($line -match '^IsRelative=0') {
            $relative = $false
        }
    }
    return $directories
}

$running = Get-ThunderbirdOwnerSid
$profileList = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList'
$accounts = [System.Collections.Generic.List[object]]@()
$changed = $false

foreach ($entry in Get-ChildItem -LiteralPath $profileList) {
    $sid = $entry.PSChildName
    if ($sid -notmatch '^S-1-5-21-') {
        continue
    }
    $profilePath = (Get-ItemProperty -LiteralPath $entry.PSPath -Name ProfileImagePath -ErrorAction SilentlyContinue).ProfileImagePath
    $appData = Join-Path -Path $profilePath -ChildPath 'AppData\Roaming'
    foreach ($directory in Get-ProfileDirectory -AppData $appData) {
        $prefs = Read-Prefs -Path (Join-Path -Path $directory -ChildPath 'prefs.js')
        $servers = Get-PopServerForAddress -Prefs $prefs
        $wanted = [System.Collections.Generic.List[string]]@()
        $records = [System.Collections.Generic.List[object]]@()
        foreach ($address in ($servers.Keys | Sort-Object)) {
            $server = $servers[$address]
            $record = @{
                sid = $sid
                profile_dir = $directory
                address = $address
                server = $server
                before = @{
                    leave_on_server = $prefs["mail.server.$server.leave_on_server"]
                    delete_by_age_from_server = $prefs["mail.server.$server.delete_by_age_from_server"]
                    num_days_to_leave_on_server = $prefs["mail.server.$server.num_days_to_leave_on_server"]
                }
                status = 'not_targeted'
                reason = $null
            }
            if ($targets.ContainsKey($address)) {
                $wanted.Add("user_pref(""mail.server.$server.leave_on_server"", true);")
                $wanted.Add("user_pref(""mail.server.$server.delete_by_age_from_server"", true);")
                $wanted.Add("user_pref(""mail.server.$server.num_days_to_leave_on_server"", $days);")
                $record.status = 'ok'
            }
            $records.Add($record)
        }
        if ($wanted.Count -gt 0) {
            $userJs = Join-Path -Path $directory -ChildPath 'user.js'
            $existing = @()
            if (Test-Path -LiteralPath $userJs) {
                $existing = [System.IO.File]::ReadAllLines($userJs, $Utf8)
            }
            $kept = [System.Collections.Generic.List[string]]@()
            $current = [System.Collections.Generic.List[string]]@()
            $inside = $false
            foreach ($line in $existing) {
                if ($line -eq $BlockStart) {
                    $inside = $true
                    continue
                }
                if ($line -eq $BlockEnd) {
                    $inside = $false
                    continue
                }
                if ($inside) {
                    $current.Add($line)
                }
                else {
                    $kept.Add($line)
                }
            }
            $needsWrite = ($current -join "`n") -ne ($wanted -join "`n")
            foreach ($record in $records) {
                if ($record.status -ne 'ok' -or -not $needsWrite) {
                    continue
                }
                if ($running.ContainsKey($sid)) {
                    $record.status = 'pending'
                    $record.reason = 'Thunderbird is running for this user; applied on the next run'
                }
                else {
                    $record.status = 'changed'
                }
            }
            if ($needsWrite -and -not $running.ContainsKey($sid)) {
                if (-not $module.CheckMode) {
                    $content = @($kept) + $BlockStart + @($wanted) + $BlockEnd
                    $temporary = "$userJs.cutover-tmp"
                    [System.IO.File]::WriteAllLines($temporary, [string[]]$content, $Utf8)
                    Move-Item -LiteralPath $temporary -Destination $userJs -Force
                }
                $changed = $true
            }
        }
        foreach ($record in $records) {
            $accounts.Add($record)
        }
    }
}

$module.Result.changed = $changed
$module.Result.accounts = $accounts
$module.ExitJson()
