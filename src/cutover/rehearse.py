"""The main job: rehearse the cutover of some sites end to end on the embedded sample organisation.

validate the inventory → offline plan and policy pack → build the twin fleet (PCs and file server) →
converge every role through ansible-runner → migrate the data (scan, seed, delta, final) → verify the raw
end state (cutover.verify) → collect evidence → render the report → cutover gate.
The sites are rehearsed a wave at a time, as a wave is run for real: one converge run over every PC
of the wave's rehearsed sites, one run per migration pass over the file servers holding their shares,
then one verification of every site; evidence, report and gate stay per site (each run's events and
facts are per host, and a PC or a site's share belongs to one site).
Re-running reuses the twin's state, so the second converge changes nothing; the previous run's
evidence moves to ``<out>/evidence-previous`` and the report shows the drift against it.
Every path is made absolute first: stages run tools in other working directories.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from cutover import gate as gating
from cutover import progress as pc_progress
from cutover import verify as verification
from cutover.cloud import offline
from cutover.evidence import collect
from cutover.evidence.model import SiteEvidence
from cutover.inventory import Inventory, Site
from cutover.inventory.ansible_view import site_group
from cutover.report import build, write
from cutover.runner import PLAYBOOKS, TWIN_PC_DIR, TWIN_SERVER_DIR, Latency, RunOutcome, run_playbook
from cutover.twin import fleet, timing
from cutover.twin import state as twin_state

STAGES = ("plan", "twin", "converge", "migrate", "verify", "evidence", "report")
MIGRATION_PASSES = (("scan", False), ("seed", True), ("delta", True), ("final", True))


@dataclass
class SiteOutcome:
    site: Site
    converge: RunOutcome | None = None
    verify_rc: int | None = None
    assessment: gating.Assessment | None = None  # the gate's conditions and the blocking checks
    hands_on: list[str] = field(default_factory=list)

    @property
    def readiness(self) -> gating.Readiness:
        return self.assessment.readiness if self.assessment else gating.Readiness.NOT_READY

    @property
    def blockers(self) -> int:
        return len(self.assessment.blockers) if self.assessment else 0


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
    forks: int = 20
    latency: Latency | None = None  # the twin waits like real PCs (slow; to time a small wave)
    calls: dict[str, dict[str, int]] = field(default_factory=dict)  # stage -> PC -> counted calls
    converge_runs: int = 2  # waves converged at once (each run's controller keeps about one core busy)
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    # (label, PCs, one_task=, finish_task=) -> a context giving the runs' event handler (cutover.progress.PcProgress)
    watch: Callable[..., AbstractContextManager[pc_progress.EventHandler | None]] = pc_progress.silent

    def waves(self) -> dict[int, list[Site]]:
        """The rehearsed sites by wave, in wave order."""
        found: dict[int, list[Site]] = {}
        for site in sorted(self.sites, key=lambda s: s.wave):
            found.setdefault(site.wave, []).append(site)
        return found

    def _run_name(self, kind: str, wave: int, sites: list[Site]) -> str:
        """One runner folder per set of sites: one site as before, a whole wave, or a part of one."""
        if len(sites) == 1:
            return f"{kind}-{site_group(sites[0].id)}"
        if {s.id for s in sites} == {s.id for s in self.inventory.sites_in_wave(wave)}:
            return f"{kind}-wave_{wave}"
        digest = hashlib.sha256(",".join(sorted(s.id for s in sites)).encode()).hexdigest()[:8]
        return f"{kind}-wave_{wave}-{digest}"

    @staticmethod
    def _label(wave: int | None, sites: list[Site]) -> str:
        """How a progress line names a run's sites: the site, or the wave and how many sites."""
        if len(sites) == 1:
            return sites[0].id
        return f"{'' if wave is None else f'wave {wave}, '}{len(sites)} sites"

    def _pc_calls(self) -> dict[str, int]:
        """Counted calls so far of every rehearsed PC (the twin's counter)."""
        found = {}
        for site in self.sites:
            for endpoint in site.endpoints:
                path = twin_state.path_for(self.out / "twin" / site.id, endpoint.hostname)
                if path.is_file():
                    state = json.loads(path.read_text(encoding="utf-8"))
                    found[endpoint.hostname] = state.get("module_calls", {}).get("total", 0)
        return found

    def _counting(self, stage: str, fn: Callable[[], None]) -> Callable[[], None]:
        """Run a PC stage and keep how many calls each PC made in it (for the wall-clock estimate)."""
        def counted() -> None:
            before = self._pc_calls()
            fn()
            after = self._pc_calls()
            self.calls[stage] = {h: n - before.get(h, 0) for h, n in after.items() if n - before.get(h, 0) > 0}
        return counted

    def estimates(self, seconds: float, jitter: float = 0.0, forks: int | None = None) -> dict[str, timing.Estimate]:
        """The real PCs' wall-clock of each PC stage at ``seconds`` per call (this run measured the overhead).

        Meaningful for a run without injected latency: its stage times are Ansible's own work.
        """
        return {stage: timing.estimate(calls, seconds, jitter, forks or self.forks, self.timings.get(stage, 0.0))
                for stage, calls in self.calls.items()}

    def __post_init__(self) -> None:
        self.out = Path(self.out).resolve()

    @property
    def readiness(self) -> gating.Readiness:
        """The weakest readiness of the rehearsed sites (ready on plan at best: nothing is deployed)."""
        found = {o.readiness for o in self.outcomes.values()}
        for level in (gating.Readiness.NOT_READY, gating.Readiness.READY_ON_PLAN):
            if level in found:
                return level
        return gating.Readiness.READY

    def _timed(self, stage: str, fn: Callable[[], None]) -> None:
        start = time.perf_counter()
        fn()
        self.timings[stage] = time.perf_counter() - start

    def run(self) -> bool:
        self.outcomes = {s.id: SiteOutcome(s) for s in self.sites}
        self._timed("plan", self.plan)
        self._timed("twin", self.twin)
        # PCs and file servers are different hosts: the migration passes run while the PCs converge (as in
        # a real wave, where the data is seeded for days while the PCs are converged); each keeps its own time.
        self._concurrently([lambda: self._timed("converge", self._counting("converge", self.converge)),
                            lambda: self._timed("migrate", self.migrate)], at_once=2)
        self._timed("verify", self._counting("verify", self.verify))
        self._timed("evidence", self.evidence)
        self._timed("report", self.report)
        self.timings = {stage: self.timings[stage] for stage in STAGES if stage in self.timings}
        return self.readiness is gating.Readiness.READY

    def plan(self) -> None:
        stacks = ["core", *(s.id for s in self.sites)]
        plans = offline.plan_stacks(self.inventory, stacks, self.as_of, jobs=os.cpu_count() or 1,
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
        """One converge run per wave over every PC of its rehearsed sites (strategy: free, ``forks`` at once).

        An Ansible controller is one process that forks a worker per task and PC, so one run keeps about one
        core busy: up to ``converge_runs`` waves' runs go at once, the largest first.
        """
        by_size = sorted(self.waves().items(), key=lambda item: -sum(len(s.endpoints) for s in item[1]))
        self._concurrently([lambda w=wave, s=sites: self._converge_wave(w, s) for wave, sites in by_size],
                           at_once=self.converge_runs)

    def _converge_wave(self, wave: int, sites: list[Site]) -> None:
        hosts = [e.hostname for s in sites for e in s.endpoints]
        finish = pc_progress.final_task(PLAYBOOKS / "endpoints.yml")
        with self.watch(f"converge {self._label(wave, sites)}", hosts, finish_task=finish) as on_event:
            outcome = run_playbook("endpoints.yml", ":".join(site_group(s.id) for s in sites), self.out,
                                   twin_dir=TWIN_PC_DIR, twin_root=self.out / "twin", latency=self.latency,
                                   inventory=Path(self.inventory.root), forks=self.forks,
                                   name=self._run_name("endpoints", wave, sites), sites=[s.id for s in sites],
                                   as_of=self.as_of, cancel=self._cancel, event_handler=on_event)
        for site in sites:
            mine = outcome.only({e.hostname for e in site.endpoints})
            self.outcomes[site.id].converge = mine
            self.progress("converge", f"{site.id}: {len(mine.changed)} changed, {len(mine.failed)} failed, "
                                      f"{len(mine.unreachable)} unreachable")

    def _concurrently(self, jobs: list[Callable[[], None]], at_once: int) -> None:
        """Run ``jobs`` in threads, ``at_once`` at a time; the first error (or Ctrl-C) cancels the other runs."""
        with ThreadPoolExecutor(max_workers=max(1, at_once), thread_name_prefix="rehearse") as pool:
            futures = [pool.submit(job) for job in jobs]
            try:
                for future in as_completed(futures):  # the first failure is raised as soon as it happens
                    future.result()
            except BaseException:
                self._cancel.set()  # each running ansible-runner job ends (its status: canceled)
                for future in futures:
                    future.cancel()
                wait(futures)
                raise

    def migrate(self) -> None:
        """Scan, seed, delta and final passes on the twin file server (the final one sets the source read-only).

        One run per pass and wave: each file server takes the wave's sites whose shares it holds one after
        the other (ansible/playbooks/file-migration-sites.yml).
        """
        for wave, sites in self.waves().items():
            for pass_name, execute in MIGRATION_PASSES:
                outcome = run_playbook("file-migration-sites.yml", "file_servers", self.out,
                                       twin_dir=TWIN_SERVER_DIR, twin_root=self.out / "twin", latency=self.latency,
                                       extravars={"file_migration_sites": [s.id for s in sites],
                                                  "file_migration_pass": pass_name,
                                                  "file_migration_execute": execute},
                                       inventory=Path(self.inventory.root), forks=self.forks,
                                       name=f"{self._run_name('file-migration', wave, sites)}-{pass_name}",
                                       sites=[s.id for s in sites], as_of=self.as_of, cancel=self._cancel)
                self.progress("migrate", f"wave {wave} ({len(sites)} site(s)): {pass_name} {outcome.status}")

    def verify(self) -> None:
        """Verification independent of the converge: the same cutover.verify as `cutover verify` and molecule.

        Every PC's raw end state (and the file servers' shares) in one probe call each, all sites in one
        ansible-runner run; JUnit per site under ``<out>/verify`` for the evidence collector.
        """
        hosts = [e.hostname for s in self.sites for e in s.endpoints]
        with self.watch(f"verify {self._label(None, self.sites)}", hosts, one_task=True) as on_event:
            result = verification.verify(self.inventory, self.sites, self.as_of, self.out / "verify",
                                         twin=self.out / "twin", event_handler=on_event)
        for site in self.sites:
            findings = result.for_site(site.id)
            failing = [f for f in findings if f.status != "pass"]
            self.outcomes[site.id].verify_rc = 0 if findings and not failing else 1
            self.progress("verify", f"{site.id}: all verified" if findings and not failing else
                          f"{site.id}: {len(failing)} of {len(findings)} checks not verified")

    def keep_previous_evidence(self) -> None:
        """Each rehearsed site's last evidence becomes ``evidence-previous/<site>.json`` (replacing older)."""
        for site in self.sites:
            last = self.out / "evidence" / f"{site.id}.json"
            if last.is_file():
                (self.out / "evidence-previous").mkdir(parents=True, exist_ok=True)
                os.replace(last, self.out / "evidence-previous" / last.name)

    def evidence(self) -> None:
        self.keep_previous_evidence()
        # Every site reads the same runs and fact cache (runs and facts are per host): read them once.
        shared = collect.Sources(self.out / "plan", self.out / "runner", self.out / "facts")
        for site in self.sites:
            junit = self.out / "verify" / f"{site.id}.xml"
            sources = shared.with_junit((junit,) if junit.exists() else ())
            evidence = collect.collect_site(self.inventory, site, sources, self.as_of)
            collect.write(evidence, self.out / "evidence")
            outcome = self.outcomes[site.id]
            outcome.assessment = gating.assess(evidence, self.gate_context(site.id))
            outcome.hands_on = [f"{a.host or '-'}: {a.message_en}" for a in evidence.actions]
            self.progress("evidence", site.id)

    def gate_context(self, site_id: str) -> gating.Context:
        """The gate as `cutover gate SITE --as-of <as_of>` judges it."""
        return gating.Context.for_site(self.inventory, site_id, self.as_of)

    def _previous(self) -> dict[str, SiteEvidence]:
        """The last run's evidence of the rehearsed sites; a file of an older schema gives no drift, not a crash."""
        found = {}
        for site_id in self.outcomes:
            path = self.out / "evidence-previous" / f"{site_id}.json"
            if not path.is_file():
                continue
            try:
                found[site_id] = collect.load_file(path)
            except ValueError as exc:  # pydantic's ValidationError, bad JSON
                self.progress("report", f"{site_id}: no drift, the previous evidence {path} is unreadable "
                                        f"({str(exc).splitlines()[0]})")
        return found

    def report(self) -> None:
        current = {k: v for k, v in collect.load_named(self.out / "evidence").items() if k in self.outcomes}
        previous = self._previous()
        reports = build.build(current, self.inventory, previous, today=self.as_of)
        provenance = build.report_provenance(
            self.inventory, [("evidence", self.out / "evidence"), ("previous", self.out / "evidence-previous")],
            today=self.as_of)
        written = write.write_all(reports, self.out / "report", "ja", provenance)
        self.report_index = written["html"][0]
        self.progress("report", str(self.report_index))
