# Documentation for the PowerShell module cutover_fileshare_readiness.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_fileshare_readiness
short_description: Is this PC ready for the site's Azure file share, and how is its drive mapping installed (read-only)
description:
  - Tests TCP I(port) (445) to I(storage_host) with a plain socket and a bounded timeout (ISPs often
    block outbound 445).
  - Reports Windows caption, build, UBR and EditionID; Entra join state from C(dsregcmd /status), run
    through CreateProcess with its exit code and stderr kept apart from PowerShell's error stream.
  - Reads C(HKLM\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters\CloudKerberosTicketRetrievalEnabled)
    (the role sets it with M(ansible.windows.win_regedit) where needed).
  - Reports the state of the services Entra Kerberos for Azure Files needs.
  - Reports the logon-time drive mapping as installed - the SHA-1 of each of I(mapping_files) (what
    M(ansible.windows.win_copy) compares) and the definition of I(mapping_task) - so the role calls
    the upstream modules only where something differs.
  - Readiness is decided on the controller from this data, so the rules are tested in one place.
options:
  storage_host:
    description: The storage account's file endpoint, C(<account>.file.core.windows.net).
    type: str
    required: true
  port:
    description: TCP port to test.
    type: int
    default: 445
  timeout_ms:
    description: Connection timeout in milliseconds.
    type: int
    default: 3000
  mapping_files:
    description: Files of the logon mapping whose SHA-1 to report (null when missing).
    type: list
    elements: str
    default: []
  mapping_task:
    description: Full path of the logon mapping's scheduled task.
    type: str
    default: \Cutover\cutover drive mapping
  services:
    description: Services whose state to report.
    type: list
    elements: str
    default: [WinHttpAutoProxySvc, iphlpsvc, LanmanWorkstation]
notes:
  - Read-only; supports check mode.
seealso:
  - module: ansible.windows.win_copy
  - module: community.windows.win_scheduled_task
  - module: ansible.windows.win_regedit
  - name: Entra Kerberos for Azure Files (clients)
    link: https://learn.microsoft.com/azure/storage/files/storage-files-identity-auth-hybrid-identities-enable
author:
  - cutover project
"""

EXAMPLES = r"""
- name: Readiness and the installed mapping in one call
  cutover_fileshare_readiness:
    storage_host: stfilespref18jpe7b49.file.core.windows.net
    mapping_files: ['C:\ProgramData\cutover\cutover-map-drives.ps1', 'C:\ProgramData\cutover\drive-map.json']
  register: readiness
"""

RETURN = r"""
tcp:
  description: host, port, reachable, error, elapsed_ms.
  returned: always
  type: dict
  sample: {host: stfilespref18jpe7b49.file.core.windows.net, port: 445, reachable: true, error: null, elapsed_ms: 12}
os:
  description: caption, build, ubr, edition_id.
  returned: always
  type: dict
  sample: {caption: Microsoft Windows 11 Pro, build: 22631, ubr: 4460, edition_id: Professional}
entra_join:
  description: azure_ad_joined, domain_joined (null when dsregcmd gave no answer), error.
  returned: always
  type: dict
  sample: {azure_ad_joined: true, domain_joined: true, error: null}
ticket_retrieval:
  description: value of CloudKerberosTicketRetrievalEnabled (null when not set).
  returned: always
  type: dict
  sample: {value: null}
smb_client:
  description: >-
    cipher_suite_order - the SMB client's cipher suite order set by policy (CipherSuiteOrder under
    HKLM\SOFTWARE\Policies\Microsoft\Windows\LanmanWorkstation), null when not set (Windows' default order).
  returned: always
  type: dict
  sample: {cipher_suite_order: [AES_256_GCM, AES_128_GCM]}
services:
  description: Per service name, exists, state and start_mode.
  returned: always
  type: dict
  sample: {LanmanWorkstation: {exists: true, state: running, start_mode: automatic}}
mapping:
  description: files (path -> SHA-1 or null) and task (present, enabled, actions, triggers, group SID,
    run_level, disallow_start_if_on_batteries, stop_if_going_on_batteries, execution_time_limit).
  returned: always
  type: dict
  sample:
    files: {'C:\ProgramData\cutover\drive-map.json': null}
    task: {present: false}
"""
