# Documentation for the PowerShell module cutover_office_facts.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_office_facts
short_description: Installed Office (Click-to-Run and MSI) and running Office apps, in one read-only call
description:
  - Reads C(HKLM\SOFTWARE\Microsoft\Office\ClickToRun\Configuration) (or its WOW6432Node twin), that is
    C(ProductReleaseIds), C(VersionToReport), C(Platform), C(CDNBaseUrl) and C(UpdateChannel).
  - Lists every Office-style MSI product code (C({BRMMmmmm-PPPP-LLLL-p000-D000000FF1CE})) under the 64-
    and 32-bit Uninstall keys with its name, version, C(WindowsInstaller), C(SystemComponent) (hidden)
    and C(ParentKeyName). These include the helper components Click-to-Run registers on every PC
    (Licensing, Extensibility, Localization); the module reports them as they are.
  - Lists the Office apps running now (Outlook, Word, Excel, PowerPoint, Access, Publisher, OneNote,
    Visio, Project, Skype for Business), which M(cutover_odt_deploy) must not interrupt.
  - Classification (suite and applications vs helper components, Visio and Project judged apart,
    edition, channel, end of support) is done on the controller by C(cutover.lifecycle.office_support),
    never from the version number alone.
options: {}
notes:
  - Check mode is supported; the module never changes anything.
  - Diff is not applicable (read-only).
  - No hive is loaded; registry keys are opened read-only and disposed (module_utils
    C(Ansible.ModuleUtils.CutoverProfile)).
seealso:
  - module: cutover_odt_deploy
  - name: Numbering scheme for product code GUIDs in Office 2016 (KB 3120274)
    link: https://support.microsoft.com/help/3120274
  - name: Product IDs supported by the Office Deployment Tool
    link: https://learn.microsoft.com/microsoft-365/troubleshoot/installation/product-ids-supported-office-deployment-click-to-run
author:
  - cutover project
"""

EXAMPLES = r"""
- name: Discover Office (read-only)
  cutover_office_facts:
  register: office_m365_discovered

- name: Classify on the controller
  ansible.builtin.set_fact:
    office_m365_support: "{{ office_m365_discovered | office_support('2026-11-24') }}"
"""

RETURN = r"""
click_to_run:
  description: Click-to-Run configuration, or null when Click-to-Run Office is not installed.
  returned: always
  type: dict
  sample:
    registry_path: HKLM:\SOFTWARE\Microsoft\Office\ClickToRun\Configuration
    product_release_ids: O365ProPlusRetail,VisioProRetail
    version_to_report: 16.0.17328.20550
    platform: x64
    cdn_base_url: http://officecdn.microsoft.com/pr/55336b82-a18d-4dd6-b5f6-9e5095c314a6
    update_channel: http://officecdn.microsoft.com/pr/55336b82-a18d-4dd6-b5f6-9e5095c314a6
msi_products:
  description: Every Office-style MSI product code, helper components included.
  returned: always
  type: list
  elements: dict
  sample:
    - product_code: "{90160000-008C-0000-1000-0000000FF1CE}"
      display_name: Office 16 Click-to-Run Extensibility Component
      display_version: 16.0.17328.20550
      windows_installer: 1
      system_component: 1
      parent_key_name: null
      registry_path: >-
        HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\{90160000-008C-0000-1000-0000000FF1CE}
office_apps_running:
  description: Executable names of the Office apps running now (any user).
  returned: always
  type: list
  elements: str
  sample: [OUTLOOK.EXE]
office_apps_error:
  description: Why the running apps could not be listed (WMI failure), or null.
  returned: always
  type: str
  sample: null
"""
