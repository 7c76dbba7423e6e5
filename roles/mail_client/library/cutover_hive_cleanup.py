# Documentation for the PowerShell module cutover_hive_cleanup.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_hive_cleanup
short_description: Unload user registry hives a cutover module left loaded
description:
  - Unloads every hive loaded under C(HKEY_USERS) whose name starts with I(prefix), the names the
    cutover modules use when they load a user's C(NTUSER.DAT).
options:
  prefix:
    description: Name prefix of the hives to unload.
    type: str
    default: cutover_
author:
  - cutover project
"""

RETURN = r"""
unloaded:
  description: Names of the hives unloaded.
  returned: always
  type: list
  elements: str
"""
