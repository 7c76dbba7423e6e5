# Documentation for the PowerShell module cutover_migration_scan.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_migration_scan
short_description: Names an Azure file share would refuse, found before the seed pass
description:
  - Walks I(source) recursively (long-path aware) and reports, per path, components over 255
    characters, paths over I(max_path), forbidden characters, reserved device names and names
    ending in a dot or a space; plus the number of files and bytes. Read-only.
options:
  source:
    description: The data-center share, as a UNC path.
    type: str
    required: true
  max_path:
    description: Longest relative path accepted (Azure Files limit; unconfirmed in our reference).
    type: int
    default: 2048
author:
  - cutover project
"""

RETURN = r"""
files:
  description: Number of files.
  returned: always
  type: int
bytes:
  description: Total size in bytes.
  returned: always
  type: int
findings:
  description: path, kind and detail of each name Azure Files refuses.
  returned: always
  type: list
  elements: dict
"""
