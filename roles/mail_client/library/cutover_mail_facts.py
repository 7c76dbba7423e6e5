# Documentation for the PowerShell module cutover_mail_facts.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_mail_facts
short_description: Outlook and Thunderbird POP accounts of every local user, read-only, in one call
description:
  - Lists local user profiles from C(ProfileList), that is Active Directory and local users
    (C(S-1-5-21-*)) and Microsoft Entra ID users (C(S-1-12-1-*)); system and service accounts are skipped.
  - Reads each user's registry hive read-only. A logged-on user's hive is read where Windows loaded
    it (C(HKU\<SID>)) and never loaded twice; the C(NTUSER.DAT) of a user who is not logged on is
    loaded at C(HKU\cutover_<SID>) and unloaded again in the same call (see notes).
  - Outlook 2013 (C(15.0)) and Outlook 2016/2019/2021/2024/Microsoft 365 (C(16.0)) mail profiles,
    with every POP3 account (clsid C({ED475411-B0D6-11D2-8C3B-00104B2A6676})) with its address (REG_BINARY
    UTF-16LE or REG_SZ) and the raw C(Leave on Server) DWORD.
  - Thunderbird profiles from C(profiles.ini) in the user's roaming AppData folder, taken from the
    hive's C(User Shell Folders) (folder redirection honoured), with each POP3 server's addresses and
    retention prefs from C(prefs.js) and those pinned in C(user.js).
  - Which users run C(OUTLOOK.EXE) or C(thunderbird.exe) now.
  - Changes nothing. The mail_client role decides what differs and changes it with
    M(ansible.windows.win_regedit) and M(community.windows.win_lineinfile).
options:
  outlook:
    description: Read Outlook POP3 accounts.
    type: bool
    default: true
  thunderbird:
    description: Read Thunderbird profiles.
    type: bool
    default: true
  load_unloaded_hives:
    description:
      - Load the hive of users who are not logged on (and unload it again).
      - With C(false) such users are reported with C(hive=not_loaded) and C(status=skipped).
    type: bool
    default: true
notes:
  - Check mode is supported; the module never changes anything, so it runs the same way in check mode.
  - Diff is not applicable (read-only).
  - Loading a hive needs C(SeBackupPrivilege) and C(SeRestorePrivilege), which the module enables for
    its own process, as M(ansible.windows.win_regedit) does with C(hive). It loads with C(RegLoadKeyW),
    disposes every key it opened, runs the garbage collector and unloads with C(RegUnLoadKeyW) in
    C(finally). An unload that fails (another process holds a key) is reported in the user's
    C(unload_error) and C(status=error); the next run reads that leftover C(HKU\cutover_<SID>) and
    unloads it again. No native command such as C(reg.exe) runs.
  - An AppData folder redirected to a network (UNC) path, a drive the session does not have, or a
    path with a variable of the user's logon session is reported with C(appdata.reachable=false)
    and a reason; its Thunderbird profiles are not read. A remote session has no credential
    delegation, so it cannot reach the file server.
  - Shared code lives in the module_utils C(Ansible.ModuleUtils.CutoverProfile) (ansible/module_utils).
seealso:
  - module: ansible.windows.win_regedit
  - module: community.windows.win_lineinfile
  - name: PROP_POP_LEAVE_ON_SERVER (Outlook account management API)
    link: https://learn.microsoft.com/office/client-developer/outlook/auxiliary/prop_pop_leave_on_server
  - name: RegLoadKeyW
    link: https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regloadkeyw
author:
  - cutover project
"""

EXAMPLES = r"""
- name: Discover POP accounts of every local user (read-only)
  cutover_mail_facts:
  register: mail_client_discovered

- name: Only Outlook, and only users who are logged on now
  cutover_mail_facts:
    thunderbird: false
    load_unloaded_hives: false
  register: outlook_accounts
"""

RETURN = r"""
users:
  description: One entry per local user profile.
  returned: always
  type: list
  elements: dict
  sample:
    - sid: S-1-12-1-1234567890-1234567890-1234567890-1234567890
      profile_path: C:\Users\k.watanabe
      hive_file: C:\Users\k.watanabe\NTUSER.DAT
      hive: loaded_by_module
      status: ok
      reason: null
      unload_error: null
      appdata:
        raw: \\fs01.fukui.union.example\redirect$\k.watanabe\AppData\Roaming
        path: \\fs01.fukui.union.example\redirect$\k.watanabe\AppData\Roaming
        redirected: true
        reachable: false
        reason: AppData is redirected to a network path a remote session cannot reach (no credential delegation)
  contains:
    hive:
      description: >-
        C(loaded) (read at HKU\<SID>), C(loaded_by_module), C(left_loaded) (an earlier run's
        HKU\cutover_<SID>, read and unloaded), C(not_loaded), or null when the hive could not be read.
      type: str
    status:
      description: C(ok), C(skipped) (not loaded on purpose) or C(error) (see C(reason)).
      type: str
outlook:
  description: Every Outlook POP3 account found, 15.0 and 16.0.
  returned: always
  type: list
  elements: dict
  sample:
    - sid: S-1-5-21-1004336348-1177238915-682003330-1001
      version: "16.0"
      outlook_profile: Outlook
      account_key: "00000002"
      key: Software\Microsoft\Office\16.0\Outlook\Profiles\Outlook\9375CFF0413111d3B88A00104B2A6676\00000002
      address: k.watanabe@fukui.union.example
      email_kind: Binary
      leave_on_server: 917507
      leave_on_server_kind: DWord
thunderbird:
  description: Every Thunderbird profile of a reachable AppData folder, with its POP3 servers.
  returned: always
  type: list
  elements: dict
  sample:
    - sid: S-1-5-21-1004336348-1177238915-682003330-1002
      profile_dir: C:\Users\m.matsumoto\AppData\Roaming\Thunderbird\Profiles\x1y2z3.default-release
      user_js: C:\Users\m.matsumoto\AppData\Roaming\Thunderbird\Profiles\x1y2z3.default-release\user.js
      user_js_exists: false
      error: null
      servers:
        - server: server1
          hostname: pop.union.example
          addresses: [m.matsumoto@fukui.union.example]
          prefs: {leave_on_server: "true", delete_by_age_from_server: null, num_days_to_leave_on_server: null}
          pinned: {leave_on_server: null, delete_by_age_from_server: null, num_days_to_leave_on_server: null}
running:
  description: SIDs of the users running Outlook and Thunderbird now; error when processes could not be listed.
  returned: always
  type: dict
  sample: {outlook: [S-1-5-21-1004336348-1177238915-682003330-1001], thunderbird: [], error: null}
"""
