# Documentation for the PowerShell module cutover_office_facts.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_office_facts
short_description: Installed Office (Click-to-Run and MSI) in one read-only call
description:
  - Reads C(HKLM\SOFTWARE\Microsoft\Office\ClickToRun\Configuration) and its WOW6432Node twin,
    that is C(ProductReleaseIds), C(VersionToReport), C(Platform), C(CDNBaseUrl) and C(UpdateChannel).
  - Lists Windows Installer Office products from the 64- and 32-bit Uninstall keys, that is product
    codes of the form C({xxxxxxxx-xxxx-xxxx-xxxx-xxxx0000000FF1CE}) with name and version.
  - Classification (product, edition, channel, end of support) is done on the controller by
    C(cutover.lifecycle.office_support), never from the version number alone.
options: {}
author:
  - cutover project
"""

RETURN = r"""
click_to_run:
  description: Click-to-Run configuration, or null when Click-to-Run Office is not installed.
  returned: always
  type: dict
msi_products:
  description: MSI Office products (product_code, display_name, display_version, windows_installer).
  returned: always
  type: list
  elements: dict
"""
