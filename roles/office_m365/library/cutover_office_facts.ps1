#!powershell
# Discover installed Office in ONE read-only call: the Click-to-Run configuration (product release
# IDs, version, channel), every Office-style MSI product code under the 64- and 32-bit Uninstall keys
# with what tells a real product from a Click-to-Run helper component (hidden SystemComponent,
# parent key), and the Office apps running now (the Office Deployment Tool must not start then).
# Classification is done on the controller (cutover.lifecycle). Documentation: cutover_office_facts.py.

#AnsibleRequires -CSharpUtil Ansible.Basic
#Requires -Module Ansible.ModuleUtils.CutoverProfile

Set-StrictMode -Version 2.0

$spec = @{
    options = @{}
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$OfficeCode = '^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]000000FF1CE\}$'
$OfficeApps = @('OUTLOOK.EXE', 'WINWORD.EXE', 'EXCEL.EXE', 'POWERPNT.EXE', 'MSACCESS.EXE', 'MSPUB.EXE',
    'ONENOTE.EXE', 'VISIO.EXE', 'WINPROJ.EXE', 'lync.exe')
$Machine = [Microsoft.Win32.Registry]::LocalMachine

Function ConvertTo-Text {
    param($Value)
    if ($null -eq $Value) {
        return $null
    }
    return [string]$Value.data
}

$clickToRun = $null
foreach ($path in @('SOFTWARE\Microsoft\Office\ClickToRun\Configuration', 'SOFTWARE\WOW6432Node\Microsoft\Office\ClickToRun\Configuration')) {
    $configuration = Get-CutoverRegistryKey -Root $Machine -Path $path
    if ($null -eq $configuration) {
        continue
    }
    $clickToRun = @{
        registry_path = "HKLM:\$path"
        product_release_ids = ConvertTo-Text -Value $configuration.values['ProductReleaseIds']
        version_to_report = ConvertTo-Text -Value $configuration.values['VersionToReport']
        platform = ConvertTo-Text -Value $configuration.values['Platform']
        cdn_base_url = ConvertTo-Text -Value $configuration.values['CDNBaseUrl']
        update_channel = ConvertTo-Text -Value $configuration.values['UpdateChannel']
    }
    break
}

# Every code of the form {BRMMmmmm-PPPP-LLLL-p000-D000000FF1CE}: suites, applications, Visio/Project
# and the helper components Click-to-Run registers; cutover.lifecycle tells them apart.
$msiProducts = New-Object -TypeName System.Collections.Generic.List[hashtable]
foreach ($path in @('SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall', 'SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall')) {
    $uninstall = Get-CutoverRegistryKey -Root $Machine -Path $path
    if ($null -eq $uninstall) {
        continue
    }
    foreach ($code in $uninstall.subkeys) {
        if ($code -notmatch $OfficeCode) {
            continue
        }
        $entry = Get-CutoverRegistryKey -Root $Machine -Path "$path\$code"
        if ($null -eq $entry) {
            continue
        }
        $product = @{
            product_code = $code.ToUpperInvariant()
            display_name = ConvertTo-Text -Value $entry.values['DisplayName']
            display_version = ConvertTo-Text -Value $entry.values['DisplayVersion']
            windows_installer = 0
            system_component = 0
            parent_key_name = ConvertTo-Text -Value $entry.values['ParentKeyName']
            registry_path = "HKEY_LOCAL_MACHINE\$path\$code"
        }
        if ($entry.values.ContainsKey('WindowsInstaller')) {
            $product.windows_installer = [int]$entry.values['WindowsInstaller'].data
        }
        if ($entry.values.ContainsKey('SystemComponent')) {
            $product.system_component = [int]$entry.values['SystemComponent'].data
        }
        $msiProducts.Add($product)
    }
}

$owners = Get-CutoverProcessOwner -Name $OfficeApps
$running = @($OfficeApps | Where-Object { @($owners.sids[$_.ToLowerInvariant()]).Count -gt 0 })

$module.Result.changed = $false
$module.Result.click_to_run = $clickToRun
$module.Result.msi_products = $msiProducts
$module.Result.office_apps_running = $running
$module.Result.office_apps_error = $owners.error
$module.ExitJson()
