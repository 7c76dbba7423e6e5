"""The session a twin module runs in, and the Windows rules that depend on it.

A real module runs inside a PowerShell Remoting session on the PC. What that session may do beyond
the PC depends on how Ansible logged on, and the twin enforces the same rules:

- **Second hop.** A PSRP/WinRM logon with NTLM, or Kerberos without delegation, holds no reusable
  credentials: every access from the session to another machine (a UNC path) is made as ANONYMOUS
  LOGON and is refused. CredSSP, or Kerberos with delegation on a PC trusted for delegation, carries
  the user's credentials. Microsoft: https://learn.microsoft.com/powershell/scripting/security/remoting/ps-remoting-second-hop
- **become** (``runas``). With a password the become user is logged on with credentials, so network
  access uses that account; ``logon_type=new_credentials`` changes only the network identity (local
  work keeps the connection user's token). Without a password the logon is S4U: no network
  credentials. become SYSTEM reaches the network as the computer account, which exists only on
  domain-joined machines. Ansible: https://docs.ansible.com/ansible/latest/playbook_guide/playbooks_privilege_escalation.html#become-and-windows
- **Files** can be held open by a running process (reading them fails with a sharing violation) and
  **folders** can deny the identity (enumerating them fails with "Access is denied").

The connection plugin builds a :class:`Session` from the connection options and the exec wrapper's
manifest (the ``become_wrapper.ps1`` action is there exactly when Ansible sends become) and makes
it current while the twin module runs. Without one, modules see the strictest realistic session:
Negotiate, no delegation, no become.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from cutover.twin.state import TwinError

SYSTEM_NAMES = {"SYSTEM", "NT AUTHORITY\\SYSTEM", "LOCALSYSTEM", "S-1-5-18"}
EVERYONE = {"EVERYONE", "AUTHENTICATED USERS", "NT AUTHORITY\\AUTHENTICATED USERS"}


class AccessDenied(TwinError):
    """Windows refused the access (ERROR_ACCESS_DENIED)."""


class SharingViolation(TwinError):
    """The file is held open by another process (ERROR_SHARING_VIOLATION)."""


@dataclass(frozen=True)
class Session:
    user: str = "svc-cutover@AD.UNION.EXAMPLE"
    auth: str = "negotiate"  # psrp auth: negotiate | kerberos | ntlm | credssp | certificate | basic; "local"
    # is a logon at the machine itself (console, scheduled task with a password): it holds credentials
    delegate: bool = False  # ansible_psrp_negotiate_delegate
    become_user: str | None = None
    become_password: bool = False
    logon_type: str = "Interactive"  # runas become_flags logon_type (Interactive, NewCredentials, Batch...)
    is_async: bool = False

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any], *, user: str | None, auth: str | None,
                      delegate: bool | None) -> Session:
        actions = {a["name"]: a for a in manifest.get("actions", [])}
        become = actions.get("become_wrapper.ps1")
        params = (become or {}).get("params") or {}
        secure = (become or {}).get("secure_params") or {}
        return cls(user=user or cls.user, auth=(auth or "negotiate").lower(), delegate=bool(delegate),
                   become_user=params.get("BecomeUser") if become else None,
                   become_password=bool(secure.get("BecomePassword")),
                   logon_type=str(params.get("LogonType") or "Interactive"),
                   is_async="async_wrapper.ps1" in actions)

    def network_identity(self, state: dict[str, Any]) -> str | None:
        """The account SMB uses for a UNC path from this session, or None (ANONYMOUS LOGON)."""
        if self.become_user:
            if self.become_user.upper() in SYSTEM_NAMES:
                return f"{state['hostname'].upper()}$" if domain_joined(state) else None
            return self.become_user if self.become_password else None  # no password: S4U logon
        if self.auth in ("credssp", "local"):
            return self.user
        if self.auth in ("kerberos", "negotiate") and self.delegate and state.get("trusted_for_delegation"):
            return self.user
        return None

    def describe(self) -> str:
        if self.become_user:
            how = "with a password" if self.become_password else "without a password (S4U)"
            return f"become {self.become_user} ({self.logon_type}, {how})"
        delegation = "with delegation" if self.delegate else "without delegation"
        return f"{self.auth} logon of {self.user} {delegation}"


# A logon on the machine itself, as a module runs under the Pester harness on a Windows runner.
LOCAL = Session(user="runner", auth="local")

_CURRENT: ContextVar[Session | None] = ContextVar("cutover_twin_session", default=None)


def current() -> Session:
    return _CURRENT.get() or Session()


@contextlib.contextmanager
def active(session: Session) -> Iterator[Session]:
    token = _CURRENT.set(session)
    try:
        yield session
    finally:
        _CURRENT.reset(token)


def domain_joined(state: dict[str, Any]) -> bool:
    if "domain_joined" in state:
        return bool(state["domain_joined"])
    return bool((state.get("entra_join") or {}).get("domain_joined"))


def is_unc(path: str | None) -> bool:
    return bool(path) and (path.startswith("\\\\") or path.startswith("//"))


def share_root(path: str) -> str:
    r"""``\\server\share`` of a UNC path, lower-cased (the key of ``state["network_acl"]``)."""
    parts = path.replace("/", "\\").strip("\\").split("\\")
    return ("\\\\" + "\\".join(parts[:2])).lower()


def network_access(state: dict[str, Any], path: str, session: Session | None = None) -> str | None:
    """Check that the session may open ``path``; return the identity used (None for a local path).

    Raises :class:`AccessDenied` exactly where Windows refuses: no network credentials in the session
    (second hop), or a share whose permissions do not admit the identity.
    """
    if not is_unc(path):
        return None
    session = session or current()
    identity = session.network_identity(state)
    if identity is None:
        raise AccessDenied(f"Access is denied: {path} — the remote session ({session.describe()}) has no network "
                           "credentials (second hop); use become with a password or credential delegation")
    allowed = (state.get("network_acl") or {}).get(share_root(path))
    if allowed is not None and not ({a.upper() for a in allowed} & ({identity.upper()} | EVERYONE)):
        raise AccessDenied(f"Access is denied: {path} — {identity} has no permission on {share_root(path)}")
    return identity


def check_not_in_use(state: dict[str, Any], path: str) -> None:
    """Raise :class:`SharingViolation` when a running process holds ``path`` open without sharing."""
    entry = (state.get("files") or {}).get(path) or {}
    if entry.get("open_by"):
        raise SharingViolation(f"The process cannot access the file '{path}' because it is being used by another "
                               f"process ({entry['open_by']})")
