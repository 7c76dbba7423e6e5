#!powershell
# Discover, and set where needed, "leave a copy on the server, remove after N days" for Outlook
# (16.0) POP3 accounts of given personal addresses, in every user profile of the PC, in ONE call.
# Documentation: cutover_outlook_pop.py beside this file.

#AnsibleRequires -CSharpUtil Ansible.Basic

$spec = @{
    options = @{
        addresses = @{ type = 'list'; elements = 'str'; required = $true }
        days = @{ type = 'int'; default = 15 }
        load_unloaded_hives = @{ type = 'bool'; default = $true }
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

$Pop3Clsid = '{ED475411-B0D6-11D2-8C3B-00104B2A6676}'
$AccountsKey = '9375CFF0413111d3B88A00104B2A6676'
$LeaveOnServer = 0x1
$RemoveAfter = 0x2
$RemoveOnNuke = 0x4

function Get-DesiredValue {
    param(
        [int]$Current,
        [int]$Days
    )
    # Keep the user's "remove when deleted from Deleted Items" choice; set the rest.
    return ($Current -band $RemoveOnNuke) -bor $LeaveOnServer -bor $RemoveAfter -bor ($Days -shl 16)
}

function ConvertFrom-RegistryString {
    param(
        $Value
    )
    if ($null -eq $Value) {
        return $null
    }
    if ($Value -is [byte[]]) {
        return [System.Text.Encoding]::Unicode.GetString($Value).TrimEnd([char]0)
    }
    return [string]$Value
}

function Get-OutlookOwnerSid {
    $sids = @{}
    $processes = Get-CimInstance -ClassName Win32_Process -Filter "Name = 'OUTLOOK.EXE'" -ErrorAction SilentlyContinue
    foreach ($process in $processes) {
        $owner = Invoke-CimMethod -InputObject $process -MethodName GetOwnerSid -ErrorAction SilentlyContinue
        if ($owner -and $owner.Sid) {
            $sids[$owner.Sid] = $true
        }
    }
    return $sids
}

$profileList = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList'
$users = [System.Collections.Generic.List[object]]@()
$accounts = [System.Collections.Generic.List[object]]@()
$outlookRunning = Get-OutlookOwnerSid
$changed = $false

foreach ($entry in Get-ChildItem -LiteralPath $profileList) {
    $sid = $entry.PSChildName
    if ($sid -notmatch '^S-1-5-21-') {
        continue
    }
    $profilePath = (Get-ItemProperty -LiteralPath $entry.PSPath -Name ProfileImagePath -ErrorAction SilentlyContinue).ProfileImagePath
    $user = @{ sid = $sid; profile_path = $profilePath; hive = 'loaded'; status = 'ok'; reason = $null }
    $root = $sid
    $loadedHere = $false
    if (-not (Test-Path -LiteralPath "Registry::HKEY_USERS\$sid")) {
        $hiveFile = Join-Path -Path $profilePath -ChildPath 'NTUSER.DAT'
        if (-not $module.Params.load_unloaded_hives) {
            $user.hive = 'not_loaded'
            $user.status = 'pending'
            $user.reason = 'user not logged on and load_unloaded_hives is false'
            $users.Add($user)
            continue
        }
        $root = "cutover_$sid"
        $null = & reg.exe load "HKU\$root" "$hiveFile" 2>&1
        if ($LASTEXITCODE -ne 0) {
            $user.hive = 'locked'
            $user.status = 'error'
            $user.reason = "could not load $hiveFile (reg load exit $LASTEXITCODE)"
            $users.Add($user)
            continue
        }
        $loadedHere = $true
        $user.hive = 'loaded_by_module'
    }
    try {
        $profilesKey = "Registry::HKEY_USERS\$root\Software\Microsoft\Office\16.0\Outlook\Profiles"
        if (-not (Test-Path -LiteralPath $profilesKey)) {
            $users.Add($user)
            continue
        }
        foreach ($outlookProfile in Get-ChildItem -LiteralPath $profilesKey) {
            $accountsPath = Join-Path -Path $outlookProfile.PSPath -ChildPath $AccountsKey
            if (-not (Test-Path -LiteralPath $accountsPath)) {
                continue
            }
            foreach ($account in Get-ChildItem -LiteralPath $accountsPath) {
                $clsid = $account.GetValue('clsid')
                if ($clsid -ne $Pop3Clsid) {
                    continue
                }
                $email = ConvertFrom-RegistryString -Value $account.GetValue('Email')
                if (-not $email) {
                    continue
                }
                $address = $email.Trim().ToLowerInvariant()
                $current = $account.GetValue('Leave on Server')
                $before = if ($null -eq $current) { $null } else { [int]$current }
                $record = @{
                    sid = $sid
                    outlook_profile = $outlookProfile.PSChildName
                    account_key = $account.PSChildName
                    address = $address
                    email_type = $account.GetValueKind('Email').ToString()
                    before = $before
                    after = $before
                    status = 'not_targeted'
                    reason = $null
                }
                if ($targets.ContainsKey($address)) {
                    $desired = Get-DesiredValue -Current ([int]$before) -Days $days
                    if ($before -eq $desired) {
                        $record.status = 'ok'
                    }
                    elseif ($outlookRunning.ContainsKey($sid)) {
                        $record.status = 'pending'
                        $record.reason = 'Outlook is running for this user; applied on the next run'
                    }
                    else {
                        if (-not $module.CheckMode) {
                            Set-ItemProperty -LiteralPath $account.PSPath -Name 'Leave on Server' -Value $desired -Type DWord
                        }
                        $record.after = $desired
                        $record.status = 'changed'
                        $changed = $true
                    }
                }
                $accounts.Add($record)
            }
        }
        $users.Add($user)
    }
    finally {
        if ($loadedHere) {
            [gc]::Collect()
            [gc]::WaitForPendingFinalizers()
            $null = & reg.exe unload "HKU\$root" 2>&1
            if ($LASTEXITCODE -ne 0) {
                $module.Warn("could not unload HKU\$root; it stays loaded until the next restart")
            }
        }
    }
}

$module.Result.changed = $changed
$module.Result.users = $users
$module.Result.accounts = $accounts
$module.ExitJson()
