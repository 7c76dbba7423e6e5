"""The main job: rehearse the cutover of some sites end to end on the embedded sample organisation.

validate the inventory → offline plan and policy pack → build the twin fleet (PCs and file server) →
converge every role through ansible-runner → migrate the data (scan, seed, delta, final) → verify the raw
end state (cutover.verify) → collect evidence → render the report → cutover gate.
Re-running reuses the twin's state, so the second converge changes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cutover import gate as gating
from cutover import verify as verification
from cutover.cloud import offline
from cutover.evidence import collect
from cutover.inventory import Inventory, Site
from cutover.inventory.ansible_view import site_group
from cutover.report import build, write
from cutover.runner import RunOutcome, run_playbook
from cutover.twin import fleet

MIGRATION_PASSES = (("scan", False), ("seed", True), ("delta", True), ("final", True))


@dataclass
class SiteOutcome:
    site: Site
    converge: RunOutcome | None = None
    verify_rc: int | None = None
    ready: bool = False
    blockers: int = 0
    gate: list = field(default_factory=list)  # cutover.gate.Condition
    hands_on: list[str] = field(default_factory=list)


@dataclass
class Rehearsal:
    inventory: Inventory
    sites: list[Site]
    out: Path
    as_of: dt.date
    progress: Callable[[str, str], None] = lambda stage, detail: None
    outcomes: dict[str, SiteOutcome] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    report_index: Path | None = None

    def _timed(self, stage: str, fn: Callable[[], None]) -> None:
        start = time.perf_counter()
        fn()
        self.timings[stage] = time.perf_counter() - start

    def run(self) -> bool:
        self.outcomes = {s.id: SiteOutcome(s) for s in self.sites}
        self._timed("plan", self.plan)
        self._timed("twin", self.twin)
        self._timed("converge", self.converge)
        self._timed("migrate", self.migrate)
        self._timed("verify", self.verify)
        self._timed("evidence", self.evidence)
        self._timed("report", self.report)
        return all(o.ready and gating.passed(o.gate) for o in self.outcomes.values())

    def plan(self) -> None:
        stacks = ["core", *(s.id for s in self.sites)]
        plans = offline.plan_stacks(self.inventory, stacks, self.as_of,
                                    progress=lambda name: self.progress("plan", name))
        for p in plans:
            offline.write_plan(p, self.out / "plan")

    def twin(self) -> None:
        for site in self.sites:
            fleet.build_site(self.inventory, site, self.out / "twin", self.as_of, reuse=True)
            fleet.build_file_server(self.inventory, site, self.out / "twin", reuse=True)
            # Runbook step before the converge: the Apex One administrators uninstall the site's agents.
            fleet.console_uninstall_site(self.out / "twin" / site.id)
            self.progress("twin", site.id)

    def converge(self) -> None:
        for site in self.sites:
            outcome = run_playbook("endpoints.yml", site_group(site.id), self.out,
                                   twin_dir=self.out / "twin" / site.id, inventory=Path(self.inventory.root))
            self.outcomes[site.id].converge = outcome
            self.progress("converge", f"{site.id}: {len(outcome.changed)} changed, {len(outcome.failed)} failed, "
                                      f"{len(outcome.unreachable)} unreachable")

    def migrate(self) -> None:
        """Scan, seed, delta and final passes on the twin file server (the final one sets the source read-only)."""
        for site in self.sites:
            for pass_name, execute in MIGRATION_PASSES:
                outcome = run_playbook("file-migration.yml", "file_servers", self.out,
                                       twin_dir=self.out / "twin" / site.id / "fileservers",
                                       extravars={"file_migration_site": site.id, "file_migration_pass": pass_name,
                                                  "file_migration_execute": execute},
                                       inventory=Path(self.inventory.root),
                                       name=f"file-migration-{site.id}-{pass_name}")
                self.progress("migrate", f"{site.id}: {pass_name} {outcome.status}")

    def verify(self) -> None:
        """Verification independent of the converge: the same cutover.verify as `cutover verify` and molecule.

        Every PC's raw end state (and the file servers' shares) in one probe call each, all sites in one
        ansible-runner run; JUnit per site under ``<out>/verify`` for the evidence collector.
        """
        result = verification.verify(self.inventory, self.sites, self.as_of, self.out / "verify",
                                     twin=self.out / "twin")
        for site in self.sites:
            findings = result.for_site(site.id)
            failing = [f for f in findings if f.status != "pass"]
            self.outcomes[site.id].verify_rc = 0 if findings and not failing else 1
            self.progress("verify", f"{site.id}: all verified" if findings and not failing else
                          f"{site.id}: {len(failing)} of {len(findings)} checks not verified")

    def evidence(self) -> None:
        for site in self.sites:
            junit = self.out / "verify" / f"{site.id}.xml"
            sources = collect.Sources(self.out / "plan", self.out / "runner", self.out / "facts",
                                      (junit,) if junit.exists() else ())
            evidence = collect.collect_site(self.inventory, site, sources, self.as_of)
            collect.write(evidence, self.out / "evidence")
            outcome = self.outcomes[site.id]
            outcome.ready = evidence.ready
            outcome.blockers = len(evidence.blockers)
            outcome.hands_on = [f"{a.host or '-'}: {a.message_en}" for a in evidence.actions]
            outcome.gate = gating.evaluate(evidence)
            self.progress("evidence", site.id)

    def report(self) -> None:
        evidence = collect.load_dir(self.out / "evidence")
        chosen = {s.id for s in self.sites}
        reports = build.build([e for e in evidence if e.site.id in chosen], self.inventory)
        written = write.write_all(reports, self.out / "report", "ja")
        self.report_index = written["html"][0]
        self.progress("report", str(self.report_index))
