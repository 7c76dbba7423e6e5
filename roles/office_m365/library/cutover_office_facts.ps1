#!powershell
# Discover installed Office in ONE call: Click-to-Run configuration (product release IDs, version,
# channel) and Windows Installer (MSI) Office products from the Uninstall keys (64- and 32-bit).
# Read-only. Documentation: cutover_office_facts.py beside this file.

#AnsibleRequires -CSharpUtil Ansible.Basic

$spec = @{
    options = @{}
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

function Get-ValueOrNull {
    param(
        [string]$Path,
        [string]$Name
    )
    $item = Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $item) {
        return $null
    }
    return [string]$item.$Name
}

$clickToRun = $null
foreach ($path in @(
        'HKLM:\SOFTWARE\Microsoft\Office\ClickToRun\Configuration',
        'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Office\ClickToRun\Configuration'
    )) {
    if (Test-Path -LiteralPath $path) {
        $clickToRun = @{
            registry_path = $path
            product_release_ids = Get-ValueOrNull -Path $path -Name 'ProductReleaseIds'
            version_to_report = Get-ValueOrNull -Path $path -Name 'VersionToReport'
            platform = Get-ValueOrNull -Path $path -Name 'Platform'
            cdn_base_url = Get-ValueOrNull -Path $path -Name 'CDNBaseUrl'
            update_channel = Get-ValueOrNull -Path $path -Name 'UpdateChannel'
        }
        break
    }
}

# MSI Office: product codes {BRMMmmmm-PPPP-LLLL-p000-D000000FF1CE} (the Office product GUID scheme).
$msiProducts = [System.Collections.Generic.List[object]]@()
foreach ($root in @(
        'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall',
        'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall'
    )) {
    if (-not (Test-Path -LiteralPath $root)) {
        continue
    }
    foreach ($key in Get-ChildItem -LiteralPath $root) {
        $code = $key.PSChildName
        if ($code -notmatch '^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]000000FF1CE\}$') {
            continue
        }
        $msiProducts.Add(@{
                product_code = $code.ToUpperInvariant()
                display_name = $key.GetValue('DisplayName')
                display_version = $key.GetValue('DisplayVersion')
                windows_installer = [int]($key.GetValue('WindowsInstaller', 0))
                registry_path = $key.Name
            })
    }
}

$module.Result.changed = $false
$module.Result.click_to_run = $clickToRun
$module.Result.msi_products = $msiProducts
$module.ExitJson()
