"""Verification independent of the converge: raw state read once per host, compared with the inventory.

``verify()`` is the one entry point that ``cutover verify``, the rehearsal's verify stage and
molecule's verifier share:

1. expectations per PC and file server from the inventory (``expect``),
2. one read-only probe call per host, every host in one ansible-runner run (``requests``, ``gather``),
3. the checks in Python (``checks``): pass, fail (with the reason and hands-on action) or error,
4. JUnit XML per site (read by the evidence collector) and JSON with the raw values (``output``).

An unreachable PC, a probe that failed and an unreadable hive are errors ("could not check"),
never passes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cutover.evidence.model import ROLE_AREAS
from cutover.inventory import Inventory, Site
from cutover.verify import checks, expect, gather, requests
from cutover.verify.checks import Finding, Raw
from cutover.verify.expect import PcExpectation, ServerExpectation

AREAS = ROLE_AREAS  # verification reads what each role's area changed


@dataclass
class Verification:
    sites: list[Site]
    as_of: dt.date
    findings: list[Finding] = field(default_factory=list)
    hosts: dict[str, list[str]] = field(default_factory=dict)  # site id -> hosts verified
    seconds: float = 0.0
    files: dict[str, list[Path]] = field(default_factory=dict)  # site id -> JUnit and JSON written

    def failing(self) -> list[Finding]:
        return [f for f in self.findings if f.status != "pass"]

    @property
    def ok(self) -> bool:
        return bool(self.findings) and not self.failing()

    def for_site(self, site_id: str) -> list[Finding]:
        return [f for f in self.findings if f.site == site_id]


def restrict(pc: PcExpectation, areas: set[str]) -> PcExpectation:
    """The expectation without the areas not asked for."""
    changes: dict = {}
    if "ngav" not in areas:
        changes |= {"old_av": None, "ngav": None, "defender": False, "first_scan_task": None}
    if "office" not in areas:
        changes |= {"office": False}
    if "mail" not in areas:
        changes |= {"outlook_personal": (), "thunderbird_personal": (), "outlook_shared": (), "thunderbird_shared": ()}
    if "fileshare" not in areas:
        changes |= {"ticket_retrieval": False, "drive_map": None}
    return dataclasses.replace(pc, **changes)


def _unreachable(pc: PcExpectation | ServerExpectation, answer: gather.Answer) -> Finding:
    seen = f"; last seen {pc.last_seen}" if isinstance(pc, PcExpectation) else ""
    return Finding(pc.site, pc.host, "endpoint.reachable", "error",
                   f"could not check: unreachable ({answer.message}){seen}",
                   action_en="Start the PC on the office network (wired LAN) and run the verification again",
                   action_ja="PC を起動して事務所のネットワーク（有線LAN）に接続し、検証をやり直してください",
                   data={"answer": answer.status})


def _failed(pc: PcExpectation | ServerExpectation, answer: gather.Answer) -> Finding:
    return Finding(pc.site, pc.host, "endpoint.probe", "error",
                   f"could not check: the read-only probe failed ({answer.message})", data={"answer": answer.status})


def verify(inventory: Inventory, sites: list[Site], as_of: dt.date, out: Path, twin: Path | None = None,
           limit: set[str] | None = None, areas: set[str] | None = None, write: bool = True,
           event_handler: Callable[[dict[str, Any]], bool] | None = None) -> Verification:
    """Verify the sites' PCs (and file servers, for the migration) against the inventory; write JUnit and JSON."""
    start = time.perf_counter()
    areas = set(AREAS) if areas is None else areas
    result = Verification(sites, as_of)
    pcs: dict[str, PcExpectation] = {}
    servers: dict[str, list[ServerExpectation]] = {}
    targets: list[gather.Target] = []
    for site in sites:
        result.hosts[site.id] = []
        for pc in expect.for_site(inventory, site, as_of, limit):
            pc = restrict(pc, areas)
            pcs[pc.host] = pc
            result.hosts[site.id].append(pc.host)
            targets.append(gather.Target(pc.host, pc.host, requests.for_pc(pc),
                                         Path(twin) / site.id if twin else None))
        if "migration" not in areas:
            continue
        for server in expect.for_servers(inventory, site):
            if limit is not None and server.host not in limit:
                continue
            result.hosts[site.id].append(server.host)
            # On the twin every site has its own copy of the file server; real servers are probed once.
            name = f"{server.host}_{site.id}" if twin else server.host
            servers.setdefault(name, []).append(server)
    for name, expected in servers.items():
        targets.append(gather.Target(name, expected[0].host, requests.for_server(expected),
                                     Path(twin) / expected[0].site / "fileservers" if twin else None))
    answers = gather.gather(targets, Path(out) / "runner", Path(inventory.root), event_handler=event_handler)
    for target in targets:
        answer = answers[target.name]
        expected_list: list = [pcs[target.name]] if target.name in pcs else servers[target.name]
        for expected in expected_list:
            if answer.status == "unreachable":
                result.findings.append(_unreachable(expected, answer))
            elif answer.status != "ok":
                result.findings.append(_failed(expected, answer))
            elif isinstance(expected, PcExpectation):
                result.findings += checks.check_pc(expected, Raw(answer.result))
            else:
                result.findings += checks.check_server(expected, Raw(answer.result))
    result.seconds = time.perf_counter() - start
    if write:
        from cutover.verify import output

        for site in sites:
            result.files[site.id] = output.write_site(result, site, Path(out))
    return result
