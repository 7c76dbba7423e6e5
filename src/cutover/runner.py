"""Run the project's playbooks through ansible-runner (the engine AWX uses): one site, or a wave at once.

Each run keeps its private data dir and artefacts (job events) under ``<out>/runner/<name>``, and
facts go to the jsonfile cache ``<out>/facts``: both are what ``cutover evidence collect`` reads.
Against the endpoint twin, the run uses the ``twin`` connection; against real PCs, the inventory's
PSRP settings (inventories/group_vars/all/connection.yml).

The twin folder is one folder (``twin_dir``: every host's document is there) or, for a run over several
sites, a Jinja expression evaluated per host (``TWIN_PC_DIR``, ``TWIN_SERVER_DIR``) under
``cutover_twin_root``; ``latency`` makes the twin wait like a PC answering over PSRP
(ansible/plugins/connection/twin.py).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cutover.twin.timing import Latency

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = PROJECT_ROOT / "ansible" / "playbooks"
# Plugins loaded once in the controller and its heap frozen before workers fork (docs/performance.md).
FORK_PREP = {"ANSIBLE_CALLBACK_PLUGINS": str(PROJECT_ROOT / "ansible" / "plugins" / "callback"),
             "ANSIBLE_CALLBACKS_ENABLED": "cutover_fork_prep"}


# Per-host twin folders of a run over several sites (the fleet's layout: <root>/<site>/<PC>.json and
# <root>/<site>/fileservers/<server>.json, one copy of the data-center file server per site).
TWIN_PC_DIR = "{{ cutover_twin_root }}/{{ cutover_site }}"
TWIN_SERVER_DIR = "{{ cutover_twin_root }}/{{ file_migration_site }}/fileservers"
__all__ = ["PROJECT_ROOT", "TWIN_PC_DIR", "TWIN_SERVER_DIR", "Latency", "RunOutcome", "fresh_private_dir",
           "run_playbook"]


def fresh_private_dir(private: Path) -> Path:
    """Make ``private`` ready for a new ansible-runner run: its ``env/`` files of an earlier run removed.

    ansible-runner writes the run's extravars, envvars and cmdline to ``env/`` only when no such file is
    there; otherwise it reads the old file *and* puts the new values on the command line. An earlier
    ``--check`` run would make every later run of the same folder a check run (``env/cmdline``), old extra
    variables would stay set, and large extravars (verify's requests) would exceed the kernel's
    argument limit. Artefacts of earlier runs stay (ansible-runner rotates them).
    """
    private = Path(private)
    shutil.rmtree(private / "env", ignore_errors=True)
    private.mkdir(parents=True, exist_ok=True)
    return private


@dataclass
class RunOutcome:
    status: str  # successful | failed | timeout | canceled
    rc: int
    ok: set[str] = field(default_factory=set)
    changed: dict[str, int] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)
    unreachable: set[str] = field(default_factory=set)
    artifacts: Path | None = None
    seconds: float = 0.0  # wall time of the run

    def only(self, hosts: set[str]) -> RunOutcome:
        """This run as seen by some of its hosts (one site of a wave's run)."""
        hosts = {h.upper() for h in hosts}
        return RunOutcome(self.status, self.rc, {h for h in self.ok if h.upper() in hosts},
                          {h: n for h, n in self.changed.items() if h.upper() in hosts},
                          {h for h in self.failed if h.upper() in hosts},
                          {h for h in self.unreachable if h.upper() in hosts}, self.artifacts, self.seconds)


def _twin_folder(twin_dir: Path | str) -> str:
    """A folder, made absolute, or a per-host expression (TWIN_PC_DIR, TWIN_SERVER_DIR) as it is."""
    if isinstance(twin_dir, str) and "{{" in twin_dir:
        return twin_dir
    return str(Path(twin_dir).resolve())


def run_playbook(playbook: str, limit: str, out: Path, *, twin_dir: Path | str | None = None,
                 twin_root: Path | None = None, latency: Latency | None = None,
                 extravars: dict | None = None, inventory: Path | None = None, forks: int = 20,
                 name: str | None = None, check: bool = False, tags: str | None = None,
                 sites: Iterable[str] = (), as_of: dt.date | None = None,
                 cancel: threading.Event | None = None,
                 event_handler: Callable[[dict], bool] | None = None) -> RunOutcome:
    import ansible_runner  # here, not at the top: `cutover plan` and friends import this module's names only

    start = time.perf_counter()
    out = Path(out).resolve()
    private = fresh_private_dir(out / "runner" / (name or f"{Path(playbook).stem}-{limit}"))
    variables = dict(extravars or {})
    env = {
        "ANSIBLE_CONFIG": str(PROJECT_ROOT / "ansible.cfg"),
        "ANSIBLE_ROLES_PATH": str(PROJECT_ROOT / "roles"),
        **FORK_PREP,
        # Only these sites' hosts in the controller's inventory (the plugin's `sites` option); all when empty.
        "CUTOVER_INVENTORY_SITES": ",".join(sites),
        # The day the inventory's dates are judged on (stale PCs, SMB ciphers); today when not given.
        "CUTOVER_AS_OF": as_of.isoformat() if as_of else "",
        # ansible-playbook lives beside this interpreter (the project's virtual environment).
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }
    if twin_dir is not None:
        variables = {
            # Stand-ins for what vault supplies on a real run (the twin checks that a password is given,
            # not its value), and a short async poll interval: twin jobs finish at once.
            "vault_file_migration_password": "twin-stand-in", "file_migration_async_poll": 1,
            **variables,
            "ansible_connection": "twin", "ansible_shell_type": "powershell",
            "cutover_twin_dir": _twin_folder(twin_dir)}
        if twin_root is not None:
            variables["cutover_twin_root"] = str(Path(twin_root).resolve())
        if latency is not None and latency.seconds:
            variables |= {"cutover_twin_latency": latency.seconds, "cutover_twin_jitter": latency.jitter}
    # ansible-runner looks ansible-playbook up on this process's PATH: the project's venv comes first.
    venv_bin = str(Path(sys.executable).parent)
    if venv_bin not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([venv_bin, os.environ.get("PATH", "")])
    result = ansible_runner.run(
        private_data_dir=str(private),
        project_dir=str(PROJECT_ROOT),
        playbook=str((PLAYBOOKS / playbook).resolve().relative_to(PROJECT_ROOT)),
        inventory=str((inventory or PROJECT_ROOT / "inventories").resolve()),
        limit=limit,
        extravars=variables,
        envvars=env,
        forks=forks,
        cmdline="--check --diff" if check else None,
        tags=tags,
        # One jsonfile fact cache for every run of this output folder (absolute: not per artefact dir).
        fact_cache=str(out / "facts"),
        fact_cache_type="jsonfile",
        quiet=True,
        rotate_artifacts=3,
        # Runs in a thread of `cutover rehearse` end when it is cancelled (Ctrl-C reaches the main thread only).
        cancel_callback=cancel.is_set if cancel is not None else None,
        event_handler=event_handler,  # cutover.progress: PCs done / failed / unreachable as the run goes
    )
    stats = result.stats
    if result.status == "canceled":
        # ansible-runner turns Ctrl-C (and the CLI's SIGTERM) into a cancelled job: keep it an interruption,
        # not a failed run or a crash.
        raise KeyboardInterrupt
    if stats is None:
        raise RuntimeError(f"ansible-runner did not run the playbook (rc {result.rc}); "
                           f"see {result.config.artifact_dir}")
    return RunOutcome(
        status=result.status, rc=result.rc,
        ok=set((stats.get("ok") or {}).keys()),
        changed=dict(stats.get("changed") or {}),
        failed=set((stats.get("failures") or {}).keys()),
        unreachable=set((stats.get("dark") or {}).keys()),
        artifacts=Path(result.config.artifact_dir) if result.config else None,
        seconds=time.perf_counter() - start,
    )
