# Runs at every user logon (scheduled task installed by the fileshare_client role; it starts on battery
# too). Maps the drives the inventory assigns to the user's groups, from drive-map.json beside this file.
# Mapped drives belong to the logon session, which is why this runs at logon and not over WinRM.
# Before the site's cutover it changes nothing; with switch_mappings it replaces the old data-center
# mappings by the Azure file share; with rollback it restores the old mappings.
# No native programs: group membership comes from the logon token, mappings from the SmbShare cmdlets,
# so nothing depends on a program's exit code or stderr.

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'
$here = Split-Path -Parent $MyInvocation.MyCommand.Path
$logDir = Join-Path -Path $env:LOCALAPPDATA -ChildPath 'cutover'
$null = New-Item -ItemType Directory -Path $logDir -Force
$log = Join-Path -Path $logDir -ChildPath 'map-drives.log'

function Write-Log {
    param(
        [string]$Message
    )
    $stamp = Get-Date -Format 'yyyy-MM-ddTHH:mm:ss'
    Add-Content -LiteralPath $log -Value "$stamp $Message" -Encoding UTF8
}

$config = Get-Content -LiteralPath (Join-Path -Path $here -ChildPath 'drive-map.json') -Raw -Encoding UTF8 | ConvertFrom-Json

# The groups of this logon (short names, lower case), from the token: what whoami /groups shows.
$memberOf = @{}
foreach ($sid in [System.Security.Principal.WindowsIdentity]::GetCurrent().Groups) {
    try {
        $name = $sid.Translate([System.Security.Principal.NTAccount]).Value
        $memberOf[($name -split '\\')[-1].ToLowerInvariant()] = $true
    }
    catch {
        continue  # a SID without a name here (a deleted group, another forest offline)
    }
}

$current = @{}
foreach ($mapping in @(Get-SmbMapping -ErrorAction SilentlyContinue)) {
    if ($mapping.LocalPath) {
        $current[$mapping.LocalPath.TrimEnd(':')] = $mapping.RemotePath
    }
}

if (-not ($config.switch_mappings -or $config.rollback)) {
    # Before the cutover nobody may write to the new share: later delta passes mirror the old server
    # onto it (/MIR) and would remove what users saved there. So nothing is mapped yet.
    Write-Log 'cutover not switched for this site: drive mappings left as they are'
    exit 0
}

foreach ($mapping in $config.mappings) {
    if (-not $memberOf.ContainsKey($mapping.group.ToLowerInvariant())) {
        continue
    }
    $letter = $mapping.letter
    if ($config.rollback) {
        $wanted = $mapping.legacy_unc
        $replaceable = @($mapping.unc)
    }
    else {
        $wanted = $mapping.unc
        $replaceable = @($mapping.legacy_unc)
    }
    if (-not $wanted) {
        continue
    }
    $existing = $current[$letter]
    if ($existing -eq $wanted) {
        continue
    }
    if ($existing -and ($replaceable -notcontains $existing)) {
        Write-Log "keep ${letter}: $existing (not a mapping this project manages; $wanted not mapped)"
        continue
    }
    try {
        if ($existing) {
            Remove-SmbMapping -LocalPath "${letter}:" -Force -UpdateProfile
        }
        $null = New-SmbMapping -LocalPath "${letter}:" -RemotePath $wanted -Persistent $false
        Write-Log "mapped ${letter}: $wanted"
    }
    catch {
        Write-Log "could not map ${letter}: $wanted ($($_.Exception.Message))"
    }
}
