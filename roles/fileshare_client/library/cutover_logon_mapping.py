# Documentation for the PowerShell module cutover_logon_mapping.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_logon_mapping
short_description: Install (or remove) the logon-time drive mapping of the file-share cutover
description:
  - Writes the mapping script and its JSON configuration to I(directory) (only when their content
    differs) and registers a scheduled task under C(\Cutover\) that runs the script at every user
    logon for the local Users group (SID S-1-5-32-545).
  - Mapped drives belong to a logon session, which is why they are set at logon and not over WinRM.
  - With I(state=absent) the files and the task are removed.
options:
  directory:
    description: Folder for the script and the configuration.
    type: str
    default: C:\ProgramData\cutover
  script:
    description: Content of the logon script (the role sends files/cutover-map-drives.ps1).
    type: str
    required: true
  configuration:
    description: Content of drive-map.json (the role renders templates/drive-map.json.j2).
    type: str
    required: true
  task_name:
    description: Name of the scheduled task.
    type: str
    default: cutover drive mapping
  state:
    description: Install or remove.
    type: str
    default: present
    choices: [present, absent]
author:
  - cutover project
"""

RETURN = r"""
changed:
  description: Whether a file or the task was written or removed.
  returned: always
  type: bool
"""
