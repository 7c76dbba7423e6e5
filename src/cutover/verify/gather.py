"""One batched Ansible run gathers the raw state of every host of a verification: one probe call per host.

Real PCs are reached through the cutover inventory (PSRP, ``inventories/group_vars/all/connection.yml``);
the twin fleet (``cutover rehearse --out OUT`` leaves it in ``OUT/twin``) through the ``twin``
connection. Either way it is the same playbook (``ansible/verify/gather.yml``) run once through
ansible-runner, the results read from its events: no ``ansible`` process per test and host, no
``--tree`` (deprecated in ansible-core 2.19, removed in 2.23).
"""

from __future__ import annotations

import configparser
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ansible_runner

from cutover import atomic
from cutover.runner import FORK_PREP, PROJECT_ROOT, fresh_private_dir

PLAYBOOK = "ansible/verify/gather.yml"
REQUEST = "cutover_verify_request"  # the host variable holding what the probe reads on that host
EVENTS = {"runner_on_ok": "ok", "runner_on_failed": "failed", "runner_on_unreachable": "unreachable"}


@dataclass(frozen=True)
class Target:
    """One host to probe: its inventory name, what it is called in reports, and where it lives."""

    name: str  # inventory hostname in this run
    host: str  # the PC or server, as the inventory and the reports name it
    request: dict[str, Any]
    twin_dir: Path | None = None  # the twin fleet folder holding <host>.json (twin runs only)


@dataclass
class Answer:
    status: str  # ok | failed | unreachable | missing
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return str(self.result.get("msg") or self.status)


# ansible.cfg path settings and the variables that override them: a caller's environment (molecule sets
# ANSIBLE_LIBRARY and friends to its own folders) must not hide the probe or the twin connection.
_PATHS = {"library": "ANSIBLE_LIBRARY", "module_utils": "ANSIBLE_MODULE_UTILS",
          "connection_plugins": "ANSIBLE_CONNECTION_PLUGINS", "inventory_plugins": "ANSIBLE_INVENTORY_PLUGINS"}


def environment() -> dict[str, str]:
    """The project's Ansible settings for the run, path settings made absolute and stronger than the caller's."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(PROJECT_ROOT / "ansible.cfg", encoding="utf-8")
    env = {"ANSIBLE_CONFIG": str(PROJECT_ROOT / "ansible.cfg"), "ANSIBLE_INVENTORY_ENABLED": "yaml,cutover",
           **FORK_PREP,  # plugins loaded, templates compiled and the heap frozen once before workers fork
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    for option, variable in _PATHS.items():
        value = config.get("defaults", option, fallback=None)
        if value:
            env[variable] = os.pathsep.join(str(PROJECT_ROOT / part) for part in value.split(os.pathsep) if part)
    return env


def _twin_inventory(targets: list[Target]) -> dict[str, Any]:
    hosts = {}
    for t in targets:
        hosts[t.name] = {"ansible_connection": "twin", "ansible_shell_type": "powershell", "ansible_host": t.host,
                         "cutover_twin_dir": str(Path(t.twin_dir).resolve()), REQUEST: t.request}
    return {"all": {"hosts": hosts}}


def _requests_inventory(targets: list[Target], private_dir: Path) -> Path:
    """Each host's probe request as a host variable, in an inventory source read beside the real one.

    A host variable, not one extra variable holding every host's request: extra variables are part of
    every task's variables on every host, and the workers' cost grew with the fleet (1,705 PCs: 2 MB).
    """
    path = private_dir / "requests.json"
    atomic.write_text(path, json.dumps({"all": {"hosts": {t.name: {REQUEST: t.request} for t in targets}}},
                                       ensure_ascii=False), durable=False)
    return path


def gather(targets: list[Target], private_dir: Path, inventory_root: Path | None = None,
           forks: int = 50, event_handler: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Answer]:
    """Probe every target in one ansible-runner run; answers by target name (a host that gave none: missing)."""
    if not targets:
        return {}
    twin = [t for t in targets if t.twin_dir is not None]
    if twin and len(twin) != len(targets):
        raise ValueError("a verification runs either on the twin fleet or on real PCs, not both")
    private_dir = fresh_private_dir(Path(private_dir).resolve())
    inventory: Any = _twin_inventory(targets) if twin else [
        str(Path(inventory_root or PROJECT_ROOT / "inventories").resolve()),
        str(_requests_inventory(targets, private_dir))]
    venv_bin = str(Path(sys.executable).parent)
    if venv_bin not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([venv_bin, os.environ.get("PATH", "")])
    answers: dict[str, Answer] = {}

    def on_event(event: dict[str, Any]) -> bool:
        kind = EVENTS.get(event.get("event", ""))
        data = event.get("event_data") or {}
        if kind and data.get("host"):
            answers[str(data["host"])] = Answer(kind, dict(data.get("res") or {}))
        if event_handler is not None:  # cutover.progress: PCs done / failed / unreachable as the run goes
            event_handler(event)
        return True

    ansible_runner.run(
        private_data_dir=str(private_dir),
        project_dir=str(PROJECT_ROOT),
        playbook=PLAYBOOK,
        inventory=inventory,
        limit=",".join(t.name for t in targets),
        envvars=environment(),
        forks=max(1, min(forks, len(targets))),
        event_handler=on_event,
        quiet=True,
        rotate_artifacts=2,
    )
    return {t.name: answers.get(t.name, Answer("missing", {"msg": "the run gave no answer for this host"}))
            for t in targets}
