# Documentation for the PowerShell module cutover_share_access.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_share_access
short_description: Make a data-center SMB share read-only before the final pass, or restore it
description:
  - With I(state=readonly), saves the share's access list (once - a later run never overwrites it) and
    gives every allowed account Read, by revoking its entry and then granting Read
    (C(Grant-SmbShareAccess) adds an allow entry, so granting alone would keep a Change or Full right).
  - With I(state=writable) (rollback), restores the saved access list exactly - revoking entries that
    were not there and giving each account its saved right back - and deletes the saved list only
    after every entry is back.
  - A run that fails part-way keeps the saved list and reports what the share has now (C(after)); the
    next run finishes from the saved original.
  - Only the access entries change; the share's path, caching, encryption and enumeration settings
    and the files themselves are never touched.
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
    description: Folder where the original access list is kept.
    type: str
    default: C:\ProgramData\cutover\share-access
notes:
  - Supports check mode and diff mode.
  - ansible.windows.win_share was not used - it manages the whole share (path, caching mode, encryption,
    access-based enumeration) with its own defaults and has no mode that changes only the access list.
seealso:
  - module: ansible.windows.win_share
  - name: Grant-SmbShareAccess
    link: https://learn.microsoft.com/powershell/module/smbshare/grant-smbshareaccess
  - name: Revoke-SmbShareAccess
    link: https://learn.microsoft.com/powershell/module/smbshare/revoke-smbshareaccess
author:
  - cutover project
"""

EXAMPLES = r"""
- name: Final pass - the data-center share becomes read-only
  cutover_share_access:
    name: fukui$
    state: readonly

- name: Rollback - give it its write access back
  cutover_share_access:
    name: fukui$
    state: writable
"""

RETURN = r"""
before:
  description: The share's access entries before the change (account, right, type).
  returned: always
  type: list
  elements: dict
  sample: [{account: Everyone, right: Change, type: Allow}, {account: BUILTIN\Administrators, right: Full, type: Allow}]
after:
  description: The share's access entries after the change (also after a partial failure).
  returned: always
  type: list
  elements: dict
  sample: [{account: Everyone, right: Read, type: Allow}, {account: BUILTIN\Administrators, right: Read, type: Allow}]
saved_access_path:
  description: The file holding the original access list while the share is read-only.
  returned: always
  type: str
  sample: C:\ProgramData\cutover\share-access\fukui$.json
"""
