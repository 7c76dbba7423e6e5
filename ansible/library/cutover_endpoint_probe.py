# Documentation for the PowerShell module cutover_endpoint_probe.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_endpoint_probe
short_description: Read raw end state for verification in one read-only call (no verdict)
description:
  - Reads what it is asked for and returns the raw values; it never judges them. C(cutover verify)
    compares them in Python with values computed from the inventory. It never calls or trusts the
    modules that made the changes.
  - One call replaces a dozen upstream read-only calls (C(ansible.windows.win_reg_stat),
    C(win_service_info), C(win_stat), C(slurp), C(community.windows.win_scheduled_task_stat)), each of
    which would start PowerShell over WinRM again (seconds per call); and C(win_reg_stat) cannot read
    the hive of a user who is not logged on, which the Outlook settings need.
  - Per-user keys are read in every local profile (ProfileList, C(S-1-5-21-*) and Microsoft Entra ID
    C(S-1-12-1-*) users). A logged-on user's hive is read where Windows mounted it (C(HKU\<SID>));
    otherwise C(NTUSER.DAT) is loaded for the read (keys opened read-only) and always unloaded,
    through the shared C(Ansible.ModuleUtils.CutoverProfile) helpers. A hive that cannot be loaded is
    reported with its reason for that user, never skipped silently.
  - Registry values are read by name only (C(names)), so secrets stored beside the wanted values
    (for example Outlook's C(POP3 Password) blob) never leave the PC.
  - Changes nothing on the PC. Check mode is supported and behaves the same.
options:
  registry:
    description:
      - Machine keys (C(HKLM:\...)) to read, each with C(path), C(names) (value names to return) and
        C(depth) (how many subkey levels below C(path) to read as well, 0-4).
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The key, for example C(HKLM:\SOFTWARE\Microsoft\Office\ClickToRun\Configuration).
        type: str
        required: true
      names:
        description: Value names to return from the key and its subkeys.
        type: list
        elements: str
        required: true
      depth:
        description: Subkey levels to read below C(path).
        type: int
        default: 0
  user_registry:
    description:
      - Keys relative to each user's hive root (for example
        C(Software\Microsoft\Office\16.0\Outlook\Profiles)), with the same C(path), C(names) and
        C(depth) as I(registry), read for every user profile.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The key below the user's hive root.
        type: str
        required: true
      names:
        description: Value names to return.
        type: list
        elements: str
        required: true
      depth:
        description: Subkey levels to read below C(path).
        type: int
        default: 0
  files:
    description:
      - Files to stat (size, SHA-256); C(path) may hold wildcards in any component. With C(match) (a
        case-sensitive .NET regular expression) the lines that match are returned too.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path, wildcards allowed.
        type: str
        required: true
      match:
        description: Return the lines matching this regular expression.
        type: str
  appdata_files:
    description:
      - Like I(files), with C(path) relative to each user's roaming AppData folder (read from the
        user's C(User Shell Folders), so folder redirection is honoured; a folder a remote session
        cannot reach is reported with its reason).
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Path below the user's roaming AppData, wildcards allowed.
        type: str
        required: true
      match:
        description: Return the lines matching this regular expression.
        type: str
  services:
    description: Service names; each is returned with C(exists), C(state) and C(start_mode).
    type: list
    elements: str
    default: []
  task_folders:
    description: Task Scheduler folders (for example C(\TrendMicro\)); every task in them and below is returned.
    type: list
    elements: str
    default: []
  processes:
    description: Process image names (for example C(OUTLOOK.EXE)); each running one is returned with its owner's SID.
    type: list
    elements: str
    default: []
  security_center:
    description: Return the antivirus products registered in Windows Security Center (C(root/SecurityCenter2)).
    type: bool
    default: false
  trees:
    description:
      - Folders (local or UNC) to list recursively the way robocopy copied them; C(hash_newest) files
        with the latest write time are also hashed (SHA-256).
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The folder.
        type: str
        required: true
      hash_newest:
        description: How many of the most recently written files to hash.
        type: int
        default: 20
      exclude_dirs:
        description:
          - Folder names skipped wherever they occur, as robocopy's C(/XD) skipped them. Junctions and
            symbolic links are always skipped and never descended, as with C(/XJ).
        type: list
        elements: str
        default: [System Volume Information, $RECYCLE.BIN, DfsrPrivate]
notes:
  - Read-only - check mode is supported and behaves the same; there is no diff.
seealso:
  - module: ansible.windows.win_reg_stat
  - module: ansible.windows.win_service_info
  - module: community.windows.win_scheduled_task_stat
  - name: Loading a user's registry hive (RegLoadKey)
    link: https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regloadkeyw
author:
  - cutover project
"""

EXAMPLES = r"""
- name: Read what verification compares (one call)
  cutover_endpoint_probe:
    registry:
      - path: HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters
        names: [CloudKerberosTicketRetrievalEnabled]
    user_registry:
      - path: Software\Microsoft\Office\16.0\Outlook\Profiles
        names: [clsid, Email, Leave on Server]
        depth: 2
    appdata_files:
      - path: Thunderbird\Profiles\*\user.js
        match: '^user_pref\("mail\.'
    services: [ExampleNgavSvc]
    task_folders: ['\Cutover\']
    processes: [OUTLOOK.EXE]
    security_center: true
"""

RETURN = r"""
registry:
  description: >-
    One entry per I(registry) item - path, and keys (relative subkey path, "" for the key itself ->
    value name -> type (REG_SZ, REG_DWORD, REG_BINARY ...) and value (REG_BINARY as a list of byte
    values, REG_DWORD/REG_QWORD unsigned)). A missing key gives no entry in keys.
  returned: always
  type: list
  elements: dict
  sample:
    - path: HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters
      keys: {"": {CloudKerberosTicketRetrievalEnabled: {type: REG_DWORD, value: 1}}}
users:
  description: >-
    One entry per user profile - sid, profile_path, hive (loaded, loaded_by_module, left_loaded, or
    unreadable), error, registry (as the top-level registry, for each I(user_registry) item), appdata
    (path, redirected, reachable, reason) and files (as the top-level files, for each I(appdata_files) item).
  returned: always
  type: list
  elements: dict
  sample:
    - sid: S-1-5-21-1004336348-1177238915-682003330-1001
      profile_path: C:\Users\sato
      hive: loaded_by_module
      error: null
      registry: []
      appdata: {path: C:\Users\sato\AppData\Roaming, redirected: false, reachable: true, reason: null}
      files: []
files:
  description: One entry per I(files) item - path (the pattern) and matches (path, size, sha256, lines).
  returned: always
  type: list
  elements: dict
  sample:
    - path: C:\ProgramData\cutover\drive-map.json
      matches: [{path: C:\ProgramData\cutover\drive-map.json, size: 412, sha256: 9f2c0e…, lines: []}]
services:
  description: >-
    Service name -> exists, state (running, stopped ... or null), start_mode (auto, manual,
    disabled or null).
  returned: always
  type: dict
  sample: {ExampleNgavSvc: {exists: true, state: running, start_mode: auto}}
scheduled_tasks:
  description: Tasks in I(task_folders) - path (folder and name), enabled, actions (path, arguments).
  returned: always
  type: list
  elements: dict
  sample:
    - path: \Cutover\NGAV first full scan
      enabled: true
      actions: [{path: C:\Program Files\Example NGAV\ngavctl.exe, arguments: scan --full --low-priority}]
processes:
  description: Running processes of the names asked - name (lower case) and user_sid.
  returned: always
  type: list
  elements: dict
  sample: [{name: outlook.exe, user_sid: S-1-5-21-1004336348-1177238915-682003330-1001}]
security_center:
  description: >-
    Antivirus products in Security Center (display_name, product_state), or null when not asked
    or not available.
  returned: always
  type: list
  elements: dict
  sample: [{display_name: Example NGAV, product_state: 397312}]
trees:
  description: >-
    One entry per I(trees) item - path, exists (null when it could not be read), files (list of
    [relative path, size, last write time]) and sha256 (relative path -> hash, for the newest files).
  returned: always
  type: list
  elements: dict
  sample:
    - path: \\fs01.union.example\fukui$\shared
      exists: true
      files: [[全体会議\議事録.docx, 24576, "2026-11-20T09:15:00"]]
      sha256: {全体会議\議事録.docx: 3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b}
errors:
  description: What could not be read, one sentence each (an unreadable item is never reported as absent).
  returned: always
  type: list
  elements: str
  sample: ["C:\\Users\\ito\\NTUSER.DAT could not be loaded (in use by another process)"]
"""
