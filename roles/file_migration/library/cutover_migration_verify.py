# Documentation for the PowerShell module cutover_migration_verify.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_migration_verify
short_description: Compare a data-center share with its Azure file share (counts, bytes, SHA-256 sample)
description:
  - Per top-level folder, the number of files and bytes on both sides, walking both trees the way
    robocopy copied them (folders in I(exclude_dirs) and junctions skipped), one folder at a time.
  - The SHA-256 of I(sample) files - those whose relative path hashes lowest, kept while streaming -
    compared between source and target. A sampled file another process holds open is a finding
    (C(findings), kind C(in_use)), never a crash.
  - Fails with "could not read" when either side or a folder in it cannot be read, and when the source
    shows no files - an empty or unreadable tree never passes.
  - Read-only; C(matched) is true only when every folder and every sampled file match.
options:
  source:
    description: The data-center share (UNC path).
    type: str
    required: true
  target:
    description: The Azure file share (UNC path).
    type: str
    required: true
  sample:
    description: How many files to hash on both sides.
    type: int
    default: 20
  exclude_dirs:
    description: Folder names skipped at any depth (the same list the robocopy passes get as C(/XD)).
    type: list
    elements: str
    default: [System Volume Information, $RECYCLE.BIN, DfsrPrivate]
notes:
  - Run it with become (runas, C(logon_type=new_credentials)) as the migration account - a PSRP session
    has no credentials for the UNC paths (second hop).
  - Read-only - it changes nothing, so check mode is supported and behaves the same; there is no diff.
seealso:
  - module: cutover_robocopy_pass
author:
  - cutover project
"""

EXAMPLES = r"""
- name: Verify a share after the final pass
  cutover_migration_verify:
    source: \\dc-fs01\fukui$\shared
    target: \\stfilespref18jpe7b49.file.core.windows.net\shared
    sample: 20
"""

RETURN = r"""
folders:
  description: name, source_files, target_files, source_bytes, target_bytes, match per top-level folder.
  returned: success
  type: list
  elements: dict
  sample:
    - {name: 全体会議, source_files: 12, target_files: 12, source_bytes: 3150022, target_bytes: 3150022,
       match: true}
sample:
  description: path, source_sha256, target_sha256, match (and error when a file could not be hashed).
  returned: success
  type: list
  elements: dict
  sample: [{path: 全体会議\議事録_003.docx, source_sha256: 9F86D0..., target_sha256: 9F86D0..., match: true}]
findings:
  description: Sampled files that could not be hashed (path, kind in_use, detail).
  returned: success
  type: list
  elements: dict
  sample: []
source_files:
  description: Files counted at the source.
  returned: success
  type: int
  sample: 55
target_files:
  description: Files counted at the target.
  returned: success
  type: int
  sample: 55
matched:
  description: Whether everything matched.
  returned: always
  type: bool
  sample: true
unreadable:
  description: What could not be read, when the module fails for it.
  returned: failure
  type: list
  elements: str
  sample: [書記局]
"""
