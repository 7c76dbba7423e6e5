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
  - The command line is built once with the C runtime's quoting rules (also quoting cmd.exe's special
    characters), started exactly as returned in C(command_line) through CreateProcess, so the logged
    line runs the same when pasted into cmd.exe. robocopy writes to its log, never to the module's
    error stream.
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
  exclude_dirs:
    description: Folder names robocopy skips (C(/XD)); the scan and the verification skip the same.
    type: list
    elements: str
    default: [System Volume Information, $RECYCLE.BIN, DfsrPrivate]
notes:
  - A seed pass runs for hours; run the task with C(async) and C(poll) so it does not depend on one PSRP
    session staying up.
  - Run it with become (runas, C(logon_type=new_credentials)) as the migration account - a PSRP session
    has no credentials for the UNC paths (second hop).
  - In check mode the pass is a dry run (robocopy C(/L)) whatever I(execute) says; nothing is copied.
seealso:
  - name: Azure Files migration with RoboCopy
    link: https://learn.microsoft.com/azure/storage/files/storage-files-migration-robocopy
  - name: Parsing C command-line arguments
    link: https://learn.microsoft.com/cpp/cpp/main-function-command-line-args
author:
  - cutover project
"""

EXAMPLES = r"""
- name: Seed pass as an async job, as the migration account
  cutover_robocopy_pass:
    source: \\dc-fs01\fukui$\shared
    target: \\stfilespref18jpe7b49.file.core.windows.net\shared
    pass: seed
    execute: true
    log_path: C:\cutover\logs\pref-18-fukui-shared-seed.log
  async: 86400
  poll: 60
  become: true
  become_method: ansible.builtin.runas
  become_user: svc-cutover-migrate@AD.UNION.EXAMPLE
  become_flags: logon_type=new_credentials logon_flags=netcredentials_only
"""

RETURN = r"""
command_line:
  description: The exact command line robocopy was started with (kept as evidence; runs the same in cmd.exe).
  returned: always
  type: str
  sample: >-
    robocopy.exe \\dc-fs01\fukui$\shared \\stfilespref18jpe7b49.file.core.windows.net\shared /MIR /COPY:DATSO
    /DCOPY:DAT /ZB /IT /MT:16 /R:2 /W:5 /XJ /NP /UNILOG:C:\cutover\logs\pref-18-fukui-shared-seed.log
    /XD "System Volume Information" $RECYCLE.BIN DfsrPrivate /L
rc:
  description: Robocopy's exit code.
  returned: always
  type: int
  sample: 1
success:
  description: Whether the exit code means success (below 8).
  returned: always
  type: bool
  sample: true
meanings:
  description: What each bit of the exit code means.
  returned: always
  type: list
  elements: str
  sample: [one or more files were copied]
dry_run:
  description: Whether the pass only listed (/L).
  returned: always
  type: bool
  sample: true
summary:
  description: The last lines of the pass's log (robocopy's summary table).
  returned: always
  type: list
  elements: str
  sample: ['   Files :        57        55         2         0         0         0']
"""
