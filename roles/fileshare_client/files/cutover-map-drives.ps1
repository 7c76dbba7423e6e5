# Runs at every user logon (scheduled task installed by the fileshare_client role).
# Maps the drives the inventory assigns to the user's groups, from drive-map.json beside this file.
# Mapped drives belong to the logon session, which is why this runs at logon and not over WinRM.
# Before the site's cutover it changes nothing; with switch_mappings it replaces the old data-center
# mappings by the Azure file share; with rollback it restores the old mappings.

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
$memberOf = @{}
foreach ($row in (& whoami.exe /groups /fo csv /nh | ConvertFrom-Csv -Header @('Name', 'Type', 'Sid', 'Attributes'))) {
    $short = ($row.Name -split '\\')[-1]
    $memberOf[$short.ToLowerInvariant()] = $true
}

$current = @{}
foreach ($drive in Get-CimInstance -ClassName Win32_MappedLogicalDisk -ErrorAction SilentlyContinue) {
    $current[$drive.DeviceID.TrimEnd(':')] = $drive.ProviderName
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
    if ($existing) {
        & net.exe use "${letter}:" /delete /y | Out-Null
    }
    & net.exe use "${letter}:" $wanted /persistent:no | Out-Null
    if ($LASTEXITCODE -eq 0) {
        Write-Log "mapped ${letter}: $wanted"
    }
    else {
        Write-Log "could not map ${letter}: $wanted (net use exit $LASTEXITCODE)"
    }
}
