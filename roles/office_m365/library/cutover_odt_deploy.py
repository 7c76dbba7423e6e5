# Documentation for the PowerShell module cutover_odt_deploy.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_odt_deploy
short_description: Deploy Microsoft 365 Apps with the Office Deployment Tool, changed only after success
description:
  - Does nothing when I(product_id) is already among the Click-to-Run C(ProductReleaseIds).
  - Refuses a configuration without C(Add/@SourcePath) unless I(allow_cdn), so PCs install from the
    distribution point instead of each downloading Office from the Microsoft CDN.
  - Does not start C(setup.exe) while an Office app (Outlook, Word, Excel, ...) is open; returns
    C(pending=true) with the apps instead. The role's configuration keeps C(FORCEAPPSHUTDOWN=FALSE),
    with which setup cannot replace open apps, and forcing them closed loses unsaved work.
  - Otherwise writes I(configuration_xml) to C(configuration.xml) in I(work_dir), runs
    C(setup.exe /configure) from I(setup_path), and fails on a non-zero exit code.
  - C(changed) is true only when setup exited 0 and C(ProductReleaseIds) then lists I(product_id).
options:
  setup_path:
    description:
      - ODT C(setup.exe) on the distribution point (UNC) or a local path.
      - A UNC path needs a task with C(become) (or credential delegation); a remote session has none.
    type: str
    required: true
  work_dir:
    description: Folder on the PC for the configuration file.
    type: str
    default: C:\ProgramData\cutover\odt
  product_id:
    description: The ODT product ID the configuration installs (e.g. O365BusinessRetail).
    type: str
    required: true
  configuration_xml:
    description: The rendered ODT configuration (the role renders odt-configuration.xml.j2).
    type: str
    required: true
  allow_cdn:
    description: Accept a configuration without C(SourcePath) (each PC then downloads from the CDN).
    type: bool
    default: false
notes:
  - Check mode is supported; it reports whether setup would run and writes nothing.
  - Diff is supported; C(before) and C(after) show C(product_release_ids).
  - Does not load any registry hive.
  - Why this is custom and not M(ansible.windows.win_copy) plus M(ansible.windows.win_package), see the
    office_m365 role README.
seealso:
  - module: cutover_office_facts
  - module: ansible.windows.win_package
  - name: Configuration options for the Office Deployment Tool
    link: https://learn.microsoft.com/microsoft-365-apps/deploy/office-deployment-tool-configuration-options
author:
  - cutover project
"""

EXAMPLES = r"""
- name: Microsoft 365 Apps from the distribution point (check first)
  cutover_odt_deploy:
    setup_path: \\dist.union.example\office\odt\setup.exe
    product_id: O365BusinessRetail
    configuration_xml: "{{ lookup('ansible.builtin.template', 'odt-configuration.xml.j2') }}"
  check_mode: true
  register: office_m365_deployed
"""

RETURN = r"""
rc:
  description: Exit code of setup.exe.
  returned: when setup.exe ran
  type: int
  sample: 0
msg:
  description: What happened.
  returned: always
  type: str
  sample: O365BusinessRetail installed
pending:
  description: True when setup was not started because Office apps are open.
  returned: always
  type: bool
  sample: false
running_apps:
  description: The Office apps that are open.
  returned: when pending
  type: list
  elements: str
  sample: [OUTLOOK.EXE]
"""
