# Documentation for the PowerShell module cutover_robocopy_pass.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_robocopy_pass
short_description: One robocopy migration pass to the site's Azure file share (dry run by default)
description:
  - Runs robocopy from I(source) (the data-center share) to I(target) (the Azure file share) with
    /MIR, /COPY:DATSO (or /COPY:DAT without I(copy_security)), /DCOPY:DAT, /ZB, /IT, /MT, bounded /R
    and /W, /XJ, /NP, a Unicode log per pass and the system folders excluded (the reasons are in
    cutover.migration.robocopy and docs/runbook.md).
  - A dry run (/L) unless I(execute) is true; check mode is always a dry run.
  - Refuses a target that is not an Azure file share and a source that is one (swapped paths).
  - Exit codes 0-7 succeed with their meaning; 8 and above fail the task.
options:
  source:
    description: The data-center share (UNC path).
    type: str
    required: true
  target:
    description: The Azure file share (UNC path).
    type: str
    required: true
  pass:
    description: Which pass this is.
    type: str
    required: true
    choices: [seed, delta, final]
  execute:
    description: Copy for real; without it the pass only lists (/L).
    type: bool
    default: false
  copy_security:
    description: Copy NTFS ACLs and owner (hybrid identity mode).
    type: bool
    default: true
  log_path:
    description: Unicode log file of this pass on the file server.
    type: str
    required: true
  threads:
    description: /MT threads.
    type: int
    default: 16
  retries:
    description: /R retries.
    type: int
    default: 2
  wait_seconds:
    description: /W wait between retries.
    type: int
    default: 5
author:
  - cutover project
"""

RETURN = r"""
command_line:
  description: The robocopy command as run (kept as evidence).
  returned: always
  type: str
rc:
  description: Robocopy's exit code.
  returned: always
  type: int
success:
  description: Whether the exit code means success (below 8).
  returned: always
  type: bool
meanings:
  description: What each bit of the exit code means.
  returned: always
  type: list
  elements: str
dry_run:
  description: Whether the pass only listed (/L).
  returned: always
  type: bool
summary:
  description: The last lines of the pass's log (robocopy's summary table).
  returned: always
  type: list
  elements: str
"""
