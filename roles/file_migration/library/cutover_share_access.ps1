#!powershell
# Before the final pass the data-center share becomes read-only (users can no longer write to it);
# rollback restores the access it had. Only the share's access entries change (ansible.windows.win_share
# would manage the whole share: path, caching, encryption and enumeration, with its own defaults).
# Each entry is changed by revoking it and then granting the new right, so no stale right stays. The
# original access list is saved next to the share's configuration before the first change and never
# overwritten by a later run, so a re-run after a partial failure still knows what to give back.
# Rollback deletes the saved list only after every entry is back. Documentation: the .py beside this.

#AnsibleRequires -CSharpUtil Ansible.Basic

Set-StrictMode -Version 2.0

$spec = @{
    options = @{
        name = @{ type = 'str'; required = $true }
        state = @{ type = 'str'; required = $true; choices = @('readonly', 'writable') }
        saved_access_path = @{ type = 'str'; default = 'C:\ProgramData\cutover\share-access' }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$p = $module.Params
$saved = Join-Path -Path $p.saved_access_path -ChildPath "$($p.name).json"
$module.Result.saved_access_path = $saved

function Get-Access {
    $entries = @(Get-SmbShareAccess -Name $p.name -ErrorAction Stop)
    return , @($entries | ForEach-Object {
            @{ account = [string]$_.AccountName; right = [string]$_.AccessRight; type = [string]$_.AccessControlType }
        })
}

function Set-Right {
    # Revoke then grant: Grant-SmbShareAccess alone would leave an account's earlier Allow entry in place.
    param([string]$Account, [string]$Right)
    $null = Revoke-SmbShareAccess -Name $p.name -AccountName $Account -Force -ErrorAction Stop
    if ($Right) {
        $null = Grant-SmbShareAccess -Name $p.name -AccountName $Account -AccessRight $Right -Force -ErrorAction Stop
    }
}

try {
    $before = Get-Access
}
catch {
    $module.FailJson("No MSFT_SMBShare objects found with the property 'Name' equal to '$($p.name)': $($_.Exception.Message)", $_)
}
$module.Result.before = $before
$previous = $null
if (Test-Path -LiteralPath $saved) {
    $previous = @(Get-Content -LiteralPath $saved -Raw -Encoding UTF8 | ConvertFrom-Json)
}

function Get-Allowed {
    # account (lower-case) -> @{ account; right }, allow entries only
    param([object[]]$Entries)
    $allowed = @{}
    foreach ($entry in $Entries) {
        if ($entry.type -eq 'Allow') {
            $allowed[([string]$entry.account).ToLowerInvariant()] = @{ account = [string]$entry.account; right = [string]$entry.right }
        }
    }
    return $allowed
}

$now = Get-Allowed -Entries $before
$wanted = @{}
if ($p.state -eq 'readonly') {
    # Every allowed account ends with Read; after a run that stopped part-way the saved original still
    # names the accounts whose entry was revoked and never granted again.
    foreach ($source in @($now, (Get-Allowed -Entries @($previous | Where-Object { $_ })))) {
        foreach ($key in $source.Keys) {
            $wanted[$key] = @{ account = $source[$key].account; right = 'Read' }
        }
    }
}
elseif ($null -ne $previous) {
    $wanted = Get-Allowed -Entries $previous
}
else {
    $wanted = $now
}
$stale = @($now.Keys | Where-Object { -not $wanted.ContainsKey($_) })
$differ = @($wanted.Keys | Where-Object { -not $now.ContainsKey($_) -or $now[$_].right -ne $wanted[$_].right })
$module.Result.changed = ($stale.Count + $differ.Count -gt 0) -or ($p.state -eq 'writable' -and $null -ne $previous)

if ($module.Result.changed -and -not $module.CheckMode) {
    try {
        if ($p.state -eq 'readonly' -and $null -eq $previous) {
            $null = New-Item -ItemType Directory -Path $p.saved_access_path -Force
            ConvertTo-Json -InputObject $before -Depth 3 | Set-Content -LiteralPath $saved -Encoding UTF8
        }
        foreach ($key in $stale) {
            Set-Right -Account $now[$key].account -Right $null
        }
        foreach ($key in $differ) {
            Set-Right -Account $wanted[$key].account -Right $wanted[$key].right
        }
        if ($p.state -eq 'writable') {
            Remove-Item -LiteralPath $saved -Force
        }
    }
    catch {
        $module.Result.after = Get-Access
        $module.FailJson("changing the access of share $($p.name) failed part-way (the saved list at $saved is kept for the next run): $($_.Exception.Message)", $_)
    }
}
$module.Result.after = Get-Access
$module.Diff.before = @{ access = $before }
$module.Diff.after = @{ access = $module.Result.after }
$module.ExitJson()
