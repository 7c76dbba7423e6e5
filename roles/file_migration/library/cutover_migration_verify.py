# Documentation for the PowerShell module cutover_migration_verify.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_migration_verify
short_description: Compare a data-center share with its Azure file share (counts, bytes, SHA-256 sample)
description:
  - Per top-level folder, the number of files and bytes on both sides.
  - The SHA-256 of I(sample) files, chosen deterministically, compared between source and target.
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
author:
  - cutover project
"""

RETURN = r"""
folders:
  description: name, source_files, target_files, source_bytes, target_bytes, match per top-level folder.
  returned: always
  type: list
  elements: dict
sample:
  description: path, source_sha256, target_sha256, match per sampled file.
  returned: always
  type: list
  elements: dict
matched:
  description: Whether everything matched.
  returned: always
  type: bool
"""
