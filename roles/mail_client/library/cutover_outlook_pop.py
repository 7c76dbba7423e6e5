# Documentation for the PowerShell module cutover_outlook_pop.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_outlook_pop
short_description: Outlook POP3 "leave on server, remove after N days" for given addresses, all profiles
description:
  - Enumerates every local user profile (ProfileList, C(S-1-5-21-*)), uses the loaded hive of a
    logged-on user or loads the user's C(NTUSER.DAT) (and always unloads it again), and walks
    Outlook 16.0 mail profiles for POP3 accounts (clsid C({ED475411-B0D6-11D2-8C3B-00104B2A6676})).
  - The account's C(Email) value is read whether it is REG_BINARY (UTF-16LE) or REG_SZ.
  - For accounts whose address is in I(addresses), sets the C(Leave on Server) DWORD to
    "leave a copy on the server" + "remove from server after I(days) days" (flags 0x1 and 0x2, days in
    the high word), keeping the user's "remove when deleted from Deleted Items" flag (0x4).
    Every other account and every other value is left alone.
  - Never writes while Outlook runs for that user (the account is reported C(pending)).
  - One call discovers and sets; supports check mode.
options:
  addresses:
    description: Personal addresses to converge (lower-cased before comparison).
    type: list
    elements: str
    required: true
  days:
    description: Days after which the server copy is removed (1-999).
    type: int
    default: 15
  load_unloaded_hives:
    description: Load the hive of users who are not logged on (C(reg load)), then unload it.
    type: bool
    default: true
author:
  - cutover project
"""

RETURN = r"""
users:
  description: One entry per local user profile with the hive state (loaded, loaded_by_module, locked, not_loaded).
  returned: always
  type: list
  elements: dict
accounts:
  description: >-
    Every Outlook POP3 account found, with sid, outlook_profile, account_key, address, email_type,
    before, after and status (ok, changed, pending, not_targeted).
  returned: always
  type: list
  elements: dict
"""
