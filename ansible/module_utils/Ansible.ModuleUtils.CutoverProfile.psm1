# Ansible.ModuleUtils.CutoverProfile: read-only helpers for cutover's discovery modules.
#
# Local user profiles (ProfileList: Active Directory/local S-1-5-21-* and Microsoft Entra ID
# S-1-12-1-* users), the SIDs that own a process, a user's registry hive opened read-only, and the
# user's AppData folder (folder redirection honoured). Nothing here changes the PC, except that a
# hive of a user who is not logged on is loaded for the read and unloaded again, the way upstream
# ansible.windows.win_regedit does it
# (https://github.com/ansible-collections/ansible.windows/blob/main/plugins/modules/win_regedit.ps1):
# SeBackupPrivilege and SeRestorePrivilege enabled, RegLoadKeyW, every RegistryKey disposed, the
# garbage collector run, RegUnLoadKeyW in finally, and a failure reported, never thrown.
# https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regloadkeyw
# No native commands (reg.exe) run, so no stderr can become a terminating error under
# $ErrorActionPreference = 'Stop'. Windows PowerShell 5.1 compatible.

#Requires -Module Ansible.ModuleUtils.AddType
#Requires -Module Ansible.ModuleUtils.PrivilegeUtil

Set-StrictMode -Version 2.0

$script:NativeCode = @'
using System;
using System.Runtime.InteropServices;

namespace Cutover.Profile
{
    public static class NativeMethods
    {
        // HKEY_USERS as .NET defines it (sign-extended on 64-bit Windows).
        public static readonly IntPtr HKEY_USERS = new IntPtr(unchecked((int)0x80000003));

        [DllImport("advapi32.dll", CharSet = CharSet.Unicode)]
        public static extern int RegLoadKeyW(IntPtr hKey, string lpSubKey, string lpFile);

        [DllImport("advapi32.dll", CharSet = CharSet.Unicode)]
        public static extern int RegUnLoadKeyW(IntPtr hKey, string lpSubKey);
    }
}
'@

$script:ProfileSid = '^S-1-(5-21|12-1)-\d+-\d+-\d+-\d+$'
$script:ShellFolders = 'Software\Microsoft\Windows\CurrentVersion\Explorer\User Shell Folders'

Function Format-CutoverWin32Error {
    param([Parameter(Mandatory = $true)][int]$Code)
    $text = (New-Object -TypeName System.ComponentModel.Win32Exception -ArgumentList $Code).Message
    return "$text (Win32 error $Code)"
}

Function Get-CutoverUserProfile {
    <#
    .SYNOPSIS
    Local user profiles from ProfileList: SID, profile folder, hive file and whether HKU\<SID> is loaded.
    Only user SIDs count (S-1-5-21-* and Microsoft Entra ID S-1-12-1-*); system and service SIDs and
    leftover "<SID>.bak" entries are skipped.
    #>
    $found = New-Object -TypeName System.Collections.Generic.List[hashtable]
    $list = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList', $false)
    try {
        if ($null -eq $list) {
            return , $found
        }
        foreach ($sid in $list.GetSubKeyNames()) {
            if ($sid -notmatch $script:ProfileSid) {
                continue
            }
            $entry = $list.OpenSubKey($sid, $false)
            try {
                if ($null -eq $entry) {
                    continue
                }
                $path = [string]$entry.GetValue('ProfileImagePath', '')
            }
            finally {
                if ($null -ne $entry) {
                    $entry.Dispose()
                }
            }
            $loaded = [Microsoft.Win32.Registry]::Users.OpenSubKey($sid, $false)
            try {
                $isLoaded = $null -ne $loaded
            }
            finally {
                if ($null -ne $loaded) {
                    $loaded.Dispose()
                }
            }
            $found.Add(@{
                    sid = $sid
                    profile_path = $path
                    hive_file = Join-Path -Path $path -ChildPath 'NTUSER.DAT'
                    loaded = $isLoaded
                })
        }
    }
    finally {
        if ($null -ne $list) {
            $list.Dispose()
        }
    }
    return , $found
}

Function Get-CutoverProcessOwner {
    <#
    .SYNOPSIS
    The SIDs owning running processes of the given names: @{ sids = @{ 'outlook.exe' = @('S-1-...') }; error }.
    A process that ends meanwhile is skipped; a WMI failure is reported in error, never thrown.
    #>
    param([Parameter(Mandatory = $true)][string[]]$Name)
    $result = @{ sids = @{}; error = $null }
    foreach ($processName in $Name) {
        $result.sids[$processName.ToLowerInvariant()] = @()
    }
    try {
        $filter = ($Name | ForEach-Object { "Name = '$_'" }) -join ' OR '
        $processes = @(Get-CimInstance -ClassName Win32_Process -Filter $filter -ErrorAction Stop)
        foreach ($process in $processes) {
            $owner = Invoke-CimMethod -InputObject $process -MethodName GetOwnerSid -ErrorAction SilentlyContinue
            if ($null -eq $owner -or $owner.ReturnValue -ne 0 -or -not $owner.Sid) {
                continue
            }
            $key = ([string]$process.Name).ToLowerInvariant()
            if ($result.sids.ContainsKey($key) -and $result.sids[$key] -notcontains $owner.Sid) {
                $result.sids[$key] = @($result.sids[$key]) + $owner.Sid
            }
        }
    }
    catch {
        $result.error = "could not list processes: $($_.Exception.Message)"
    }
    return $result
}

Function Get-CutoverRegistryKey {
    <#
    .SYNOPSIS
    Read one key below an open root key: @{ values = @{ name = @{ kind; data } }; subkeys = @(...) },
    or $null when it does not exist. The key is opened read-only and disposed before returning.
    #>
    param(
        [Parameter(Mandatory = $true)][Microsoft.Win32.RegistryKey]$Root,
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Path
    )
    $key = $Root.OpenSubKey($Path, $false)
    try {
        if ($null -eq $key) {
            return $null
        }
        $values = @{}
        foreach ($valueName in $key.GetValueNames()) {
            $values[$valueName] = @{
                kind = $key.GetValueKind($valueName).ToString()
                data = $key.GetValue($valueName, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
            }
        }
        return @{ values = $values; subkeys = @($key.GetSubKeyNames()) }
    }
    finally {
        if ($null -ne $key) {
            $key.Dispose()
        }
    }
}

Function Enable-CutoverHivePrivilege {
    # RegLoadKey and RegUnLoadKey need both privileges enabled in the process token.
    Set-AnsiblePrivilege -Name SeBackupPrivilege -Value $true
    Set-AnsiblePrivilege -Name SeRestorePrivilege -Value $true
}

Function Invoke-CutoverUserHive {
    <#
    .SYNOPSIS
    Run $ScriptBlock with the root RegistryKey of a user's hive, opened read-only.
    A logged-on user's hive is read where Windows loaded it (HKU\<SID>) and is never loaded twice.
    Otherwise NTUSER.DAT is loaded at HKU\cutover_<SID> and unloaded in finally; a hive an earlier
    run left there is read and unloaded the same way. Returns
    @{ hive = loaded|loaded_by_module|left_loaded|$null; output; error; unload_error }.
    #>
    param(
        [Parameter(Mandatory = $true)][hashtable]$UserProfile,
        [Parameter(Mandatory = $true)][object]$Module,
        [Parameter(Mandatory = $true)][scriptblock]$ScriptBlock
    )
    $result = @{ hive = $null; output = $null; error = $null; unload_error = $null }
    $users = [Microsoft.Win32.Registry]::Users
    $mount = "cutover_$($UserProfile.sid)"
    $ours = $false
    $root = $null
    try {
        $root = $users.OpenSubKey($UserProfile.sid, $false)
        if ($null -ne $root) {
            $result.hive = 'loaded'
        }
        else {
            $root = $users.OpenSubKey($mount, $false)
            if ($null -ne $root) {
                $result.hive = 'left_loaded'
                $ours = $true
            }
            elseif (-not (Test-Path -LiteralPath $UserProfile.hive_file -PathType Leaf)) {
                $result.error = "no hive file at $($UserProfile.hive_file)"
                return $result
            }
            else {
                if (-not ('Cutover.Profile.NativeMethods' -as [type])) {
                    Add-CSharpType -References $script:NativeCode -AnsibleModule $Module
                }
                Enable-CutoverHivePrivilege
                $code = [Cutover.Profile.NativeMethods]::RegLoadKeyW([Cutover.Profile.NativeMethods]::HKEY_USERS, $mount, $UserProfile.hive_file)
                if ($code -ne 0) {
                    $result.error = "could not load $($UserProfile.hive_file): $(Format-CutoverWin32Error -Code $code)"
                    return $result
                }
                $ours = $true
                $result.hive = 'loaded_by_module'
                $root = $users.OpenSubKey($mount, $false)
            }
        }
        $result.output = & $ScriptBlock $root
    }
    catch {
        $result.error = "could not read the hive of $($UserProfile.sid): $($_.Exception.Message)"
    }
    finally {
        if ($null -ne $root) {
            $root.Dispose()
        }
        if ($ours) {
            try {
                if (-not ('Cutover.Profile.NativeMethods' -as [type])) {
                    Add-CSharpType -References $script:NativeCode -AnsibleModule $Module
                }
                Enable-CutoverHivePrivilege
                # Stray RegistryKey objects keep the hive open until the garbage collector releases them.
                [System.GC]::Collect()
                [System.GC]::WaitForPendingFinalizers()
                $code = [Cutover.Profile.NativeMethods]::RegUnLoadKeyW([Cutover.Profile.NativeMethods]::HKEY_USERS, $mount)
                if ($code -ne 0) {
                    $result.unload_error = "HKU\$mount stays loaded: $(Format-CutoverWin32Error -Code $code)"
                }
            }
            catch {
                $result.unload_error = "HKU\$mount stays loaded: $($_.Exception.Message)"
            }
        }
    }
    return $result
}

Function Resolve-CutoverAppData {
    <#
    .SYNOPSIS
    A user's roaming AppData folder from the hive's User Shell Folders (folder redirection honoured):
    @{ raw; path; redirected; reachable; reason }. %USERPROFILE% is the user's profile folder; any
    other variable, a UNC path or a drive this session does not have is not reachable from a remote
    session (no credential delegation), and says why.
    #>
    param(
        [Parameter(Mandatory = $true)][Microsoft.Win32.RegistryKey]$Root,
        [Parameter(Mandatory = $true)][string]$ProfilePath
    )
    $default = Join-Path -Path $ProfilePath -ChildPath 'AppData\Roaming'
    $folders = Get-CutoverRegistryKey -Root $Root -Path $script:ShellFolders
    $raw = $null
    if ($null -ne $folders -and $folders.values.ContainsKey('AppData')) {
        $raw = [string]$folders.values['AppData'].data
    }
    if (-not $raw) {
        return @{ raw = $null; path = $default; redirected = $false; reachable = $true; reason = $null }
    }
    $path = [regex]::Replace($raw, '%USERPROFILE%', $ProfilePath.Replace('$', '$$'), 'IgnoreCase')
    $redirected = $path.TrimEnd('\') -ne $default.TrimEnd('\')
    $appData = @{ raw = $raw; path = $path; redirected = $redirected; reachable = $true; reason = $null }
    if ($path -match '%[^%]+%') {
        $appData.reachable = $false
        $appData.reason = "AppData is $($raw), a variable of the user's logon session, unknown to a remote session"
    }
    elseif ($path.StartsWith('\\')) {
        $appData.reachable = $false
        $appData.reason = "AppData is redirected to $path, a network path a remote session cannot reach (no credential delegation)"
    }
    elseif ($path -match '^[A-Za-z]:') {
        $drive = New-Object -TypeName System.IO.DriveInfo -ArgumentList $path.Substring(0, 1)
        if (-not $drive.IsReady -or $drive.DriveType -eq [System.IO.DriveType]::Network) {
            $appData.reachable = $false
            $appData.reason = "AppData is redirected to $path, a drive this session does not have (a mapped drive of the user)"
        }
    }
    return $appData
}

$exported = @(
    'Get-CutoverUserProfile'
    'Get-CutoverProcessOwner'
    'Get-CutoverRegistryKey'
    'Invoke-CutoverUserHive'
    'Resolve-CutoverAppData'
)
Export-ModuleMember -Function $exported
