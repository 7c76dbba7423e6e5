"""Connection plugin that runs Windows modules against the endpoint twin instead of a real PC."""

from __future__ import annotations

DOCUMENTATION = r"""
name: twin
short_description: Run Windows modules against the cutover endpoint twin
description:
  - Receives the same PowerShell payload Ansible sends to a Windows host over PSRP/WinRM, reads the
    module name, its arguments, C(become) and C(async) from the exec wrapper manifest, and runs the
    twin module of that name (src/cutover/twin/modules) against the PC's JSON state document.
  - The module runs in a twin session built like the real one (src/cutover/twin/session.py) from
    the PSRP settings below and from C(become), so the twin refuses what Windows refuses (for
    example UNC access from a session without delegation or become).
  - C(async) tasks run as jobs polled with C(async_status); the remote temporary folder, file
    transfer (C(win_copy)) and C(win_reboot)'s commands are modelled.
  - A PC whose state says it does not answer fails like an unreachable WinRM host. Every call over
    the connection is counted in the state document.
  - With C(latency), every counted call waits like a PSRP round trip to a real PC (seconds per call),
    each PC shifted by a fixed amount up to C(jitter) (src/cutover/twin/timing.py); without it the
    twin answers at once.
options:
  remote_addr:
    description: The PC's name; its state is C(<twin_dir>/<NAME>.json).
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
  remote_user:
    description: The connection user (the PSRP logon).
    vars:
      - name: ansible_user
      - name: ansible_psrp_user
  auth:
    description: The PSRP authentication, as C(ansible_psrp_auth) sets it for real PCs.
    default: negotiate
    vars:
      - name: ansible_psrp_auth
  negotiate_delegate:
    description: Kerberos credential delegation, as C(ansible_psrp_negotiate_delegate) sets it.
    type: bool
    default: false
    vars:
      - name: ansible_psrp_negotiate_delegate
  latency:
    description: Seconds every counted call waits (a real PC over PSRP answers in seconds); 0 for none.
    type: float
    default: 0
    env:
      - name: CUTOVER_TWIN_LATENCY
    vars:
      - name: cutover_twin_latency
  jitter:
    description: Up to this many seconds more or less per call, fixed per PC (drawn from its name).
    type: float
    default: 0
    env:
      - name: CUTOVER_TWIN_JITTER
    vars:
      - name: cutover_twin_jitter
  twin_dir:
    description: Folder of the site's twin state documents.
    env:
      - name: CUTOVER_TWIN_DIR
    vars:
      - name: cutover_twin_dir
"""

import base64
import datetime as dt
import json
import os
import re
import time
from pathlib import Path

from ansible.errors import AnsibleConnectionFailure, AnsibleError

from ansible.plugins.connection import ConnectionBase

try:
    from cutover.twin import modules as twin_modules
    from cutover.twin import session as twin_session
    from cutover.twin import state as twin_state
    from cutover.twin import timing as twin_timing
    from cutover.twin.modules import windows as twin_windows
except ImportError as exc:  # pragma: no cover
    _IMPORT_ERROR = exc
else:
    _IMPORT_ERROR = None
    twin_modules.load_all()

_SEPARATOR = b"\n\0\0\0\0\n"
_ENCODED = re.compile(r"-EncodedCommand\s+(\S+)", re.IGNORECASE)
_TEST_TOKEN = re.compile(r"'(success-[0-9a-f-]+)'")


class Connection(ConnectionBase):
    transport = "twin"
    has_pipelining = True
    always_pipeline_modules = True
    has_native_async = True
    module_implementation_preferences = (".ps1", ".exe", "")
    allow_executable = False
    has_tty = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._shell_type = "powershell"

    # -- plumbing -------------------------------------------------------------------------------

    def _directory(self):
        directory = self.get_option("twin_dir") or os.environ.get("CUTOVER_TWIN_DIR")
        if not directory:
            raise AnsibleError("twin connection: set cutover_twin_dir (or CUTOVER_TWIN_DIR) to the fleet folder")
        return directory

    def _host(self):
        return str(self.get_option("remote_addr")).upper()

    def _load(self):
        return twin_state.load(self._directory(), self._host())

    def _count(self, state, name):
        """Count one call over the connection and, with a latency, take as long as a real PC would."""
        twin_state.count_call(state, name)
        wait = twin_timing.pc_latency(self._host(), float(self.get_option("latency") or 0),
                                      float(self.get_option("jitter") or 0))
        if wait:
            time.sleep(wait)
            calls = state["module_calls"]
            calls["waited_s"] = round(calls.get("waited_s", 0) + wait, 6)  # what the injected latency cost

    def _save(self, state):
        twin_state.save(self._directory(), state)

    def _connect(self):
        if _IMPORT_ERROR is not None:
            raise AnsibleError(f"the cutover package is not importable: {_IMPORT_ERROR}")
        if not self._connected:
            state = self._load()
            if not state.get("reachable", True):
                raise AnsibleConnectionFailure(
                    f"psrp connection to {self._host()} failed: the PC does not answer (twin: not seen since "
                    f"{state.get('last_seen')})")
            self._connected = True
        return self

    def _session(self, manifest):
        return twin_session.Session.from_manifest(
            manifest, user=self.get_option("remote_user"), auth=self.get_option("auth"),
            delegate=self.get_option("negotiate_delegate"))

    # -- commands ---------------------------------------------------------------------------------

    def exec_command(self, cmd, in_data=None, sudoable=True):
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        if in_data and _SEPARATOR in in_data:
            manifest = json.loads(in_data.split(_SEPARATOR, 1)[1].split(_SEPARATOR, 1)[0])
            actions = {a["name"]: a for a in manifest["actions"]}
            if "module_wrapper.ps1" in actions:
                return self._run_module(manifest, actions)
            if "powershell_mkdtemp.ps1" in actions:
                params = actions["powershell_mkdtemp.ps1"]["params"]
                return self._counted("(remote tmp)", f"{_expand(params['Directory'])}\\{params['Name']}")
            if "powershell_expand_user.ps1" in actions:
                path = actions["powershell_expand_user.ps1"]["params"]["Path"]
                home = "C:\\Users\\" + str(self.get_option("remote_user") or "svc-cutover").split("@")[0]
                return 0, (home + path[1:] if path.startswith("~") else path).encode(), b""
            return 1, b"", f"twin connection: exec wrapper action(s) {sorted(actions)} are not modelled".encode()
        return self._run_script(cmd)

    def _counted(self, name, stdout):
        state = self._load()
        self._count(state, name)
        self._save(state)
        return 0, stdout.encode("utf-8"), b""

    def _run_module(self, manifest, actions):
        action = actions["module_wrapper.ps1"]
        script = action["params"]["Script"]
        name = script[: -len(".ps1")] if script.endswith(".ps1") else script
        name = name.removeprefix("ansible.legacy.")  # modules from a role's library/ folder
        if name.startswith("ansible_collections."):  # ansible_collections.<ns>.<coll>.plugins.modules.<name>
            parts = name.split(".")
            name = f"{parts[1]}.{parts[2]}.{parts[-1]}"
        args = next(v["Value"] for v in action["params"].get("Variables", []) if v["Name"] == "complex_args")
        state = self._load()
        self._count(state, name)
        session = self._session(manifest)
        try:
            with twin_session.active(session):
                if name == "ansible.windows.async_status":
                    result = _async_status(state, args)
                else:
                    result = twin_modules.execute(state, name, args)
        except twin_state.TwinError as exc:
            self._save(state)
            return 1, json.dumps({"failed": True, "msg": str(exc)}).encode(), b""
        if session.is_async:  # the async wrapper hands back a job at once; async_status reads its result
            jid = f"{actions['async_wrapper.ps1']['params']['AsyncJid']}.4242"
            state.setdefault("async_jobs", {})[jid] = result
            result = {"started": True, "finished": False, "ansible_job_id": jid,
                      "results_file": f"C:\\Users\\svc\\.ansible_async\\{jid}", "_ansible_suppress_tmpdir_delete": True}
        self._save(state)
        return 0, json.dumps(result, ensure_ascii=False).encode(), b""

    def _run_script(self, cmd):
        """Raw PowerShell that actions send outside a module: remote tmp cleanup and win_reboot's steps."""
        match = _ENCODED.search(cmd or "")
        script = base64.b64decode(match.group(1)).decode("utf-16-le") if match else (cmd or "")
        state = self._load()
        if "shutdown.exe /r" in script:  # before Remove-Item: win_reboot's command also removes a registry key
            self._count(state, "ansible.windows.win_reboot")
            twin_windows.reboot(state)
            self._save(state)
            return 0, json.dumps({"stdout": "", "stderr": "", "rc": 0}).encode(), b""
        if "Remove-Item" in script:
            self._count(state, "(remote tmp)")
            self._save(state)
            return 0, b"", b""
        if "shutdown.exe /a" in script:
            return 0, b"", b""
        if "LastBootUpTime" in script:
            return 0, str(_filetime(state["last_boot"])).encode(), b""
        token = _TEST_TOKEN.search(script)
        if token and "AutoLogonChecked" in script:
            return 0, token.group(1).encode(), b""
        return 1, b"", b"twin connection: this raw PowerShell is not modelled; use a module"

    # -- files ------------------------------------------------------------------------------------

    def put_file(self, in_path, out_path):
        super().put_file(in_path, out_path)
        data = Path(in_path).read_bytes()
        state = self._load()
        self._count(state, "(put_file)")
        state.setdefault("remote_tmp", {})[out_path] = base64.b64encode(data).decode()
        self._save(state)

    def fetch_file(self, in_path, out_path):
        raise AnsibleError("twin connection: fetching files from a PC is not modelled")

    def close(self):
        self._connected = False


def _expand(directory: str) -> str:
    return directory.replace("%TEMP%", "C:\\Windows\\TEMP").replace("%TMP%", "C:\\Windows\\TEMP")


def _filetime(iso: str) -> int:
    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int((moment - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)).total_seconds() * 10_000_000)


def _async_status(state, args):
    """ansible.windows.async_status: the job's stored result (the twin runs the job to its end at once)."""
    jid = args.get("jid")
    jobs = state.setdefault("async_jobs", {})
    if jid not in jobs:
        return {"failed": True, "ansible_job_id": jid, "started": 1, "finished": 1,
                "msg": f"could not find job at '{args.get('_async_dir')}'"}
    if args.get("mode") == "cleanup":
        jobs.pop(jid)
        return {"ansible_job_id": jid, "erased": f"{args.get('_async_dir')}\\{jid}", "changed": False}
    return {**jobs[jid], "ansible_job_id": jid, "started": 1, "finished": 1}
