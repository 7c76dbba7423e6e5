# Documentation for the PowerShell module cutover_thunderbird_pop.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_thunderbird_pop
short_description: Thunderbird POP "leave on server, delete after N days" for given addresses, all profiles
description:
  - For every local user profile, reads C(AppData\Roaming\Thunderbird\profiles.ini) and each
    Thunderbird profile's C(prefs.js), maps addresses to POP3 servers (account identities'
    C(useremail) and the server's C(userName)).
  - For servers of addresses in I(addresses), writes a managed block in the profile's C(user.js)
    setting C(leave_on_server) true, C(delete_by_age_from_server) true and
    C(num_days_to_leave_on_server) I(days). C(user.js) is re-applied by Thunderbird at every start;
    C(prefs.js) and lines outside the managed block are never touched. Other servers are left alone.
  - Never writes while Thunderbird runs for that user (reported C(pending)).
  - One call discovers and sets; supports check mode.
options:
  addresses:
    description: Personal addresses to converge (lower-cased before comparison).
    type: list
    elements: str
    required: true
  days:
    description: Days after which the server copy is deleted (1-999).
    type: int
    default: 15
author:
  - cutover project
"""

RETURN = r"""
accounts:
  description: >-
    Every Thunderbird POP3 server found, with sid, profile_dir, address, server (prefs key), before
    (the prefs.js values) and status (ok, changed, pending, not_targeted).
  returned: always
  type: list
  elements: dict
"""
