#!powershell
# Read-only discovery for the mail_client role, in ONE call: every local user profile (Active
# Directory/local and Microsoft Entra ID users), their Outlook 2013 (15.0) and 2016+ (16.0) POP3
# accounts with the raw "Leave on Server" value, their Thunderbird profiles and POP servers (AppData
# folder redirection honoured), and which users run Outlook or Thunderbird now.
# Changes are made by the role with ansible.windows.win_regedit and community.windows.win_lineinfile.
# Documentation: cutover_mail_facts.py beside this file.

#AnsibleRequires -CSharpUtil Ansible.Basic
#Requires -Module Ansible.ModuleUtils.CutoverProfile

Set-StrictMode -Version 2.0

$spec = @{
    options = @{
        outlook = @{ type = 'bool'; default = $true }
        thunderbird = @{ type = 'bool'; default = $true }
        load_unloaded_hives = @{ type = 'bool'; default = $true }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$Pop3Clsid = '{ED475411-B0D6-11D2-8C3B-00104B2A6676}'
$AccountsKey = '9375CFF0413111d3B88A00104B2A6676'
$OutlookVersions = @('16.0', '15.0')
$Utf8 = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
$PrefLine = '^\s*user_pref\(\s*"(?<name>(?:[^"\\]|\\.)+)"\s*,\s*(?<value>.+?)\s*\)\s*;'

Function ConvertFrom-RegistryText {
    # Outlook stores account strings as REG_BINARY UTF-16LE (NUL-terminated), sometimes as REG_SZ.
    param([hashtable]$Value)
    if ($null -eq $Value -or $null -eq $Value.data) {
        return $null
    }
    if ($Value.kind -eq 'Binary') {
        return [System.Text.Encoding]::Unicode.GetString([byte[]]$Value.data).TrimEnd([char]0)
    }
    return [string]$Value.data
}

Function Get-OutlookAccount {
    param([Microsoft.Win32.RegistryKey]$Root, [string]$Sid)
    $found = New-Object -TypeName System.Collections.Generic.List[hashtable]
    foreach ($version in $OutlookVersions) {
        $profilesPath = "Software\Microsoft\Office\$version\Outlook\Profiles"
        $profiles = Get-CutoverRegistryKey -Root $Root -Path $profilesPath
        if ($null -eq $profiles) {
            continue
        }
        foreach ($outlookProfile in $profiles.subkeys) {
            $accountsPath = "$profilesPath\$outlookProfile\$AccountsKey"
            $accounts = Get-CutoverRegistryKey -Root $Root -Path $accountsPath
            if ($null -eq $accounts) {
                continue
            }
            foreach ($accountName in $accounts.subkeys) {
                $keyPath = "$accountsPath\$accountName"
                $account = Get-CutoverRegistryKey -Root $Root -Path $keyPath
                if ($null -eq $account -or (ConvertFrom-RegistryText -Value $account.values['clsid']) -ne $Pop3Clsid) {
                    continue
                }
                $record = @{
                    sid = $Sid
                    version = $version
                    outlook_profile = $outlookProfile
                    account_key = $accountName
                    key = $keyPath
                    address = $null
                    email_kind = $null
                    leave_on_server = $null
                    leave_on_server_kind = $null
                }
                $email = ConvertFrom-RegistryText -Value $account.values['Email']
                if ($email) {
                    $record.address = $email.Trim().ToLowerInvariant()
                    $record.email_kind = $account.values['Email'].kind
                }
                $leave = $account.values['Leave on Server']
                if ($null -ne $leave) {
                    $record.leave_on_server_kind = $leave.kind
                    if ($leave.kind -eq 'DWord') {
                        # GetValue returns a signed Int32: report the DWORD as written (unsigned).
                        $dword = [int64]$leave.data
                        if ($dword -lt 0) {
                            $dword += 4294967296
                        }
                        $record.leave_on_server = $dword
                    }
                }
                $found.Add($record)
            }
        }
    }
    return , $found
}

Function Read-PrefFile {
    # user_pref("name", value); lines of prefs.js or user.js, values as written (strings unquoted).
    param([string]$Path)
    $prefs = @{}
    foreach ($line in [System.IO.File]::ReadAllLines($Path, $Utf8)) {
        $match = [regex]::Match($line, $PrefLine)
        if ($match.Success) {
            $prefs[$match.Groups['name'].Value] = $match.Groups['value'].Value.Trim('"')
        }
    }
    return $prefs
}

Function Get-ThunderbirdProfile {
    param([string]$AppData, [string]$Sid)
    $found = New-Object -TypeName System.Collections.Generic.List[hashtable]
    $base = Join-Path -Path $AppData -ChildPath 'Thunderbird'
    $ini = Join-Path -Path $base -ChildPath 'profiles.ini'
    if (-not (Test-Path -LiteralPath $ini -PathType Leaf)) {
        return , $found
    }
    $directories = New-Object -TypeName System.Collections.Generic.List[string]
    $path = $null
    $relative = $true
    foreach ($line in @([System.IO.File]::ReadAllLines($ini, $Utf8)) + '[end]') {
        if ($line -match '^\s*\[') {
            if ($path) {
                if ($relative) {
                    $directories.Add((Join-Path -Path $base -ChildPath ($path -replace '/', '\')))
                }
                else {
                    $directories.Add($path)
                }
            }
            $path = $null
            $relative = $true
        }
        elseif ($line -match '^\s*Path=(?<p>.+)$') {
            $path = $Matches['p'].Trim()
        }
        elseif ($line -match '^\s*IsRelative=0') {
            $relative = $false
        }
    }
    foreach ($directory in $directories) {
        $record = @{
            sid = $Sid
            profile_dir = $directory
            user_js = Join-Path -Path $directory -ChildPath 'user.js'
            user_js_exists = $false
            servers = @()
            error = $null
        }
        try {
            $prefsFile = Join-Path -Path $directory -ChildPath 'prefs.js'
            $prefs = @{}
            if (Test-Path -LiteralPath $prefsFile -PathType Leaf) {
                $prefs = Read-PrefFile -Path $prefsFile
            }
            $userPrefs = @{}
            if (Test-Path -LiteralPath $record.user_js -PathType Leaf) {
                $record.user_js_exists = $true
                $userPrefs = Read-PrefFile -Path $record.user_js
            }
            $servers = New-Object -TypeName System.Collections.Generic.List[hashtable]
            foreach ($name in @($prefs.Keys | Sort-Object)) {
                if ($name -notmatch '^mail\.account\.(?<account>[^.]+)\.server$') {
                    continue
                }
                $account = $Matches['account']
                $server = $prefs[$name]
                if ($prefs["mail.server.$server.type"] -ne 'pop3') {
                    continue
                }
                $addresses = New-Object -TypeName System.Collections.Generic.List[string]
                $identities = $prefs["mail.account.$account.identities"]
                if ($identities) {
                    foreach ($identity in $identities.Split(',')) {
                        $address = $prefs["mail.identity.$($identity.Trim()).useremail"]
                        if ($address) {
                            $addresses.Add($address.Trim().ToLowerInvariant())
                        }
                    }
                }
                $userName = $prefs["mail.server.$server.userName"]
                if ($userName -and $userName.Contains('@')) {
                    $addresses.Add($userName.Trim().ToLowerInvariant())
                }
                $current = @{}
                $pinned = @{}
                foreach ($pref in @('leave_on_server', 'delete_by_age_from_server', 'num_days_to_leave_on_server')) {
                    $current[$pref] = $prefs["mail.server.$server.$pref"]
                    $pinned[$pref] = $userPrefs["mail.server.$server.$pref"]
                }
                $servers.Add(@{
                        server = $server
                        hostname = $prefs["mail.server.$server.hostname"]
                        addresses = @($addresses | Select-Object -Unique)
                        prefs = $current
                        pinned = $pinned
                    })
            }
            $record.servers = $servers
        }
        catch {
            $record.error = "could not read the Thunderbird profile $($directory): $($_.Exception.Message)"
        }
        $found.Add($record)
    }
    return , $found
}

$users = New-Object -TypeName System.Collections.Generic.List[hashtable]
$outlook = New-Object -TypeName System.Collections.Generic.List[hashtable]
$thunderbird = New-Object -TypeName System.Collections.Generic.List[hashtable]
$owners = Get-CutoverProcessOwner -Name @('OUTLOOK.EXE', 'thunderbird.exe')

foreach ($userProfile in Get-CutoverUserProfile) {
    $user = @{
        sid = $userProfile.sid
        profile_path = $userProfile.profile_path
        hive_file = $userProfile.hive_file
        hive = $null
        status = 'ok'
        reason = $null
        unload_error = $null
        appdata = $null
    }
    $users.Add($user)
    if (-not $userProfile.loaded -and -not $module.Params.load_unloaded_hives) {
        $user.hive = 'not_loaded'
        $user.status = 'skipped'
        $user.reason = 'user not logged on and load_unloaded_hives is false'
        continue
    }
    $read = Invoke-CutoverUserHive -UserProfile $userProfile -Module $module -ScriptBlock {
        param($Root)
        $data = @{ outlook = @(); appdata = $null }
        if ($module.Params.outlook) {
            $data.outlook = Get-OutlookAccount -Root $Root -Sid $userProfile.sid
        }
        if ($module.Params.thunderbird) {
            $data.appdata = Resolve-CutoverAppData -Root $Root -ProfilePath $userProfile.profile_path
        }
        return $data
    }
    $user.hive = $read.hive
    $user.unload_error = $read.unload_error
    if ($read.error) {
        $user.status = 'error'
        $user.reason = $read.error
        continue
    }
    if ($read.unload_error) {
        $user.status = 'error'
        $user.reason = $read.unload_error
    }
    foreach ($account in $read.output.outlook) {
        $outlook.Add($account)
    }
    $user.appdata = $read.output.appdata
    if ($module.Params.thunderbird -and $user.appdata.reachable) {
        foreach ($tbProfile in Get-ThunderbirdProfile -AppData $user.appdata.path -Sid $userProfile.sid) {
            $thunderbird.Add($tbProfile)
        }
    }
}

$module.Result.changed = $false
$module.Result.users = $users
$module.Result.outlook = $outlook
$module.Result.thunderbird = $thunderbird
$module.Result.running = @{
    outlook = @($owners.sids['outlook.exe'])
    thunderbird = @($owners.sids['thunderbird.exe'])
    error = $owners.error
}
$module.ExitJson()
