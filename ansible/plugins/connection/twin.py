"""Connection plugin that runs Windows modules against the endpoint twin instead of a real PC."""

from __future__ import annotations

DOCUMENTATION = r"""
name: twin
short_description: Run Windows modules against the cutover endpoint twin
description:
  - Receives the same PowerShell module payload Ansible sends to a Windows host over PSRP/WinRM,
    reads the module name and its arguments from the exec wrapper manifest, and runs the twin
    module of that name (src/cutover/twin/modules) against the PC's JSON state document.
  - A PC whose state says it does not answer fails like an unreachable WinRM host.
  - Every module call is counted in the state document.
options:
  remote_addr:
    description: The PC's name; its state is C(<twin_dir>/<NAME>.json).
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
  twin_dir:
    description: Folder of the site's twin state documents.
    env:
      - name: CUTOVER_TWIN_DIR
    vars:
      - name: cutover_twin_dir
"""

import json
import os

from ansible.errors import AnsibleConnectionFailure, AnsibleError

from ansible.plugins.connection import ConnectionBase

try:
    from cutover.twin import modules as twin_modules
    from cutover.twin import state as twin_state
except ImportError as exc:  # pragma: no cover
    _IMPORT_ERROR = exc
else:
    _IMPORT_ERROR = None
    twin_modules.load_all()

_SEPARATOR = b"\n\0\0\0\0\n"


class Connection(ConnectionBase):
    transport = "twin"
    has_pipelining = True
    always_pipeline_modules = True
    module_implementation_preferences = (".ps1", ".exe", "")
    allow_executable = False
    has_tty = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._shell_type = "powershell"

    def _directory(self):
        directory = self.get_option("twin_dir") or os.environ.get("CUTOVER_TWIN_DIR")
        if not directory:
            raise AnsibleError("twin connection: set cutover_twin_dir (or CUTOVER_TWIN_DIR) to the fleet folder")
        return directory

    def _host(self):
        return str(self.get_option("remote_addr")).upper()

    def _connect(self):
        if _IMPORT_ERROR is not None:
            raise AnsibleError(f"the cutover package is not importable: {_IMPORT_ERROR}")
        if not self._connected:
            state = twin_state.load(self._directory(), self._host())
            if not state.get("reachable", True):
                raise AnsibleConnectionFailure(
                    f"psrp connection to {self._host()} failed: the PC does not answer (twin: not seen since "
                    f"{state.get('last_seen')})")
            self._connected = True
        return self

    def exec_command(self, cmd, in_data=None, sudoable=True):
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        if not in_data or _SEPARATOR not in in_data:
            return 1, b"", b"twin connection: only pipelined PowerShell modules can run on the twin"
        manifest = json.loads(in_data.split(_SEPARATOR, 1)[1].split(_SEPARATOR, 1)[0])
        action = next(a for a in manifest["actions"] if a["name"] == "module_wrapper.ps1")
        script = action["params"]["Script"]
        name = script[: -len(".ps1")] if script.endswith(".ps1") else script
        name = name.removeprefix("ansible.legacy.")  # modules from a role's library/ folder
        if name.startswith("ansible_collections."):  # ansible_collections.<ns>.<coll>.plugins.modules.<name>
            parts = name.split(".")
            name = f"{parts[1]}.{parts[2]}.{parts[-1]}"
        args = next(v["Value"] for v in action["params"].get("Variables", []) if v["Name"] == "complex_args")
        directory, host = self._directory(), self._host()
        state = twin_state.load(directory, host)
        twin_state.count_call(state, name)
        try:
            result = twin_modules.execute(state, name, args)
        except twin_state.TwinError as exc:
            twin_state.save(directory, state)
            return 1, json.dumps({"failed": True, "msg": str(exc)}).encode(), b""
        twin_state.save(directory, state)
        return 0, json.dumps(result, ensure_ascii=False).encode(), b""

    def put_file(self, in_path, out_path):
        raise AnsibleError("twin connection: file transfer is not modelled; stage files on a share instead")

    def fetch_file(self, in_path, out_path):
        raise AnsibleError("twin connection: file transfer is not modelled")

    def close(self):
        self._connected = False
