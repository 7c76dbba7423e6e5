# Documentation for the PowerShell module cutover_migration_scan.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_migration_scan
short_description: Names an Azure file share would refuse, found before the seed pass
description:
  - Walks I(source) (long-path aware) the way the robocopy passes see it - folders named in
    I(exclude_dirs) (robocopy C(/XD)) and junctions and symbolic links (C(/XJ)) are skipped - and
    reports components over 255 characters, paths over I(max_path), forbidden characters, reserved
    device names and names ending in a dot or a space, plus the number of files and bytes. Read-only.
  - The walk streams one folder at a time (no list of the whole share in memory, which a WinRM shell
    would not hold); at most I(max_findings) findings are returned, C(findings_total) counts them all.
  - A folder that cannot be read fails the module with "could not read" and the folders in
    C(unreadable) - a scan that did not see everything never passes.
options:
  source:
    description: The data-center share, as a UNC path.
    type: str
    required: true
  max_path:
    description: Longest relative path accepted (Azure Files limit; unconfirmed in our reference).
    type: int
    default: 2048
  exclude_dirs:
    description: Folder names skipped at any depth (the same list the robocopy passes get as C(/XD)).
    type: list
    elements: str
    default: [System Volume Information, $RECYCLE.BIN, DfsrPrivate]
  max_findings:
    description: Most findings returned.
    type: int
    default: 500
notes:
  - Run it with become (runas, C(logon_type=new_credentials)) as the migration account - a PSRP session
    has no credentials for the UNC path (second hop).
  - Read-only - it changes nothing, so check mode is supported and behaves the same; there is no diff.
seealso:
  - module: cutover_robocopy_pass
  - name: Azure Files naming rules
    link: https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-shares--directories--files--and-metadata
author:
  - cutover project
"""

EXAMPLES = r"""
- name: Scan a share before the seed pass
  cutover_migration_scan:
    source: \\dc-fs01\fukui$\shared
  become: true
  become_method: ansible.builtin.runas
  become_user: svc-cutover-migrate@AD.UNION.EXAMPLE
  become_flags: logon_type=new_credentials logon_flags=netcredentials_only
"""

RETURN = r"""
files:
  description: Number of files.
  returned: always
  type: int
  sample: 57
bytes:
  description: Total size in bytes.
  returned: always
  type: int
  sample: 133678154
findings:
  description: path, kind and detail of each name Azure Files refuses (at most I(max_findings)).
  returned: always
  type: list
  elements: dict
  sample: [{path: 全体会議\古い資料 , kind: trailing_dot_or_space, detail: 古い資料 }]
findings_total:
  description: Number of findings, also those not returned.
  returned: always
  type: int
  sample: 1
unreadable:
  description: Folders (relative) that could not be read; the module fails when there is any.
  returned: always
  type: list
  elements: str
  sample: []
excluded:
  description: entries skipped by I(exclude_dirs), and the junctions and symbolic links skipped (first 50).
  returned: always
  type: dict
  sample: {entries: 2, junctions: [全体会議\旧サーバーへのリンク]}
"""
