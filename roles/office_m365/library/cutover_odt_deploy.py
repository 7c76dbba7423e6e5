# Documentation for the PowerShell module cutover_odt_deploy.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_odt_deploy
short_description: Deploy Microsoft 365 Apps with the Office Deployment Tool
description:
  - Does nothing when I(product_id) is already among the Click-to-Run ProductReleaseIds.
  - Otherwise writes I(configuration_xml) to C(configuration.xml) in I(work_dir) and runs
    C(setup.exe /configure) from I(setup_path); fails on a non-zero exit code.
  - Check mode reports whether the deployment would run.
options:
  setup_path:
    description: ODT C(setup.exe) on a distribution share.
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
author:
  - cutover project
"""

RETURN = r"""
rc:
  description: Exit code of setup.exe.
  returned: when setup.exe ran
  type: int
msg:
  description: What happened.
  returned: always
  type: str
"""
