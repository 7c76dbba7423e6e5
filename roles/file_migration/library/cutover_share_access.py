# Documentation for the PowerShell module cutover_share_access.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_share_access
short_description: Make a data-center SMB share read-only before the final pass, or restore it
description:
  - With I(state=readonly), saves the share's access list and lowers every Allow entry to Read.
  - With I(state=writable) (rollback), restores the saved access list exactly.
  - The files themselves are never changed.
options:
  name:
    description: SMB share name on this file server.
    type: str
    required: true
  state:
    description: readonly before the final pass; writable to roll back.
    type: str
    required: true
    choices: [readonly, writable]
  saved_access_path:
    description: Folder where the previous access list is kept.
    type: str
    default: C:\ProgramData\cutover\share-access
author:
  - cutover project
"""

RETURN = r"""
before:
  description: The share's access entries before the change (account, right, type).
  returned: always
  type: list
  elements: dict
"""
