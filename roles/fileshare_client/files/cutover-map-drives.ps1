# Runs at every user logon (scheduled task installed by the fileshare_client role).
# Maps the drives the inventory assigns to the user's groups, from drive-map.json beside this file.
# Mapped drives belong to the logon session, which is why this runs at logon and not over WinRM.
# Before the site's cutover it only adds the new Azure mappings on free letters; after the cutover
# (switch_mappings) it replaces the old data-center mappings; with rollback it restores them.

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

foreach ($mapping in $config.mappings) {
    if (-not $memberOf.ContainsKey($mapping.group.ToLowerInvariant())) {
        continue
    }
    $letter = $mapping.letter
    $wanted = if ($config.rollback) { $mapping.legacy_unc } else { $mapping.unc }
    if (-not $wanted) {
        continue
    }
    $existing = $current[$letter]
    if ($existing -eq $wanted) {
        continue
    }
    $isLegacy = $existing -and $mapping.legacy_unc -and ($existing -eq $mapping.legacy_unc)
    if ($existing -and -not ($config.switch_mappings -or $config.rollback) ) {
        Write-Log "keep ${letter}: $existing (cutover not switched yet; $wanted not mapped)"
        continue
    }
    if ($existing -and -not $isLegacy -and -not $config.rollback) {
        Write-Log "keep ${letter}: $existing (not a mapping this project manages)"
        continue
    }
    try {
        if ($existing) {
            & net.exe use "${letter}:" /delete /y | Out-Null
        }
        & net.exe use "${letter}:" $wanted /persistent:no | Out-Null
        Write-Log "mapped ${letter}: $wanted"
    }
    catch {
        Write-Log "could not map ${letter}: $wanted ($($_.Exception.Message))"
    }
}
