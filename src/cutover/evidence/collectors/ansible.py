"""Ansible: ansible-runner artefacts (who was reached, who was not, which tasks failed) and cached facts.

Each Windows role publishes one cacheable fact ``cutover_<area>`` (the typed contract
:class:`cutover.evidence.facts.RoleFact`: schema, ``collected_at``, checks and actions, see
docs/evidence.md); every fact is validated against it, and a mismatch is an ``error`` check naming the
host and the field. The jsonfile fact cache keeps one JSON file per host. The cache
outlives the runs, so a fact is believed only when it is at least as new as the latest run that
touched its role on that host:

- runs are read in the order they happened (each artefact's start time, not its folder name), and
  each run's events in counter order (``90-…`` before ``213-…``);
- the latest run of a host decides whether it was reachable: an unreachable event is never cancelled
  by an ``ok`` of the same or an earlier run;
- a fact older than the latest run of its role on that host is stale: an ``error``, never its old pass.

A PC without any result is an ``error`` and, like every unreachable PC, a hands-on action with the
day it was last seen.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cutover.evidence.collectors import could_not_collect, now
from cutover.evidence.facts import FACT_PREFIX, ROLES, RoleFact, problems
from cutover.evidence.model import ROLE_AREAS, Action, Check
from cutover.evidence.provenance import in_tokyo
from cutover.inventory import Endpoint, Site

TITLES = {
    "ngav": ("次世代ウイルス対策", "Next-generation antivirus"),
    "office": ("Office のサポート状況", "Office support"),
    "mail": ("メールの受信設定", "Mail client retention"),
    "fileshare": ("クラウドファイル共有への対応", "Cloud file share readiness"),
    "migration": ("データ移行", "Data migration"),
}
# Every PC runs these roles (playbooks/endpoints.yml); file_migration runs on the file servers.
ENDPOINT_AREAS = tuple(area for area in ROLE_AREAS if area != "migration")
_HOST_EVENTS = ("runner_on_start", "runner_on_ok", "runner_on_failed", "runner_on_skipped", "runner_on_unreachable",
                "runner_item_on_ok", "runner_item_on_failed", "runner_item_on_skipped", "runner_retry")


# --------------------------------------------------------------------------------------------
# ansible-runner artefacts
# --------------------------------------------------------------------------------------------


@dataclass
class HostRun:
    """What one run did on one host."""

    unreachable: str | None = None  # the first unreachable message of the run; it sticks
    failed: list[str] = field(default_factory=list)  # failed task names (not ignore_errors)
    roles: set[str] = field(default_factory=set)  # roles whose tasks started on the host


@dataclass
class Run:
    path: Path  # the artefact folder (artifacts/<ident>)
    started: dt.datetime  # playbook_on_start's time, else the earliest event's
    hosts: dict[str, HostRun] = field(default_factory=dict)


@dataclass
class RunnerOutcome:
    runs: list[Run] = field(default_factory=list)  # in the order they happened
    problems: list[str] = field(default_factory=list)  # artefacts that could not be read

    def _latest(self, host: str, role: str | None = None) -> tuple[Run, HostRun] | None:
        for run in reversed(self.runs):
            outcome = run.hosts.get(host)
            if outcome is not None and (role is None or outcome.unreachable or role in outcome.roles):
                return run, outcome
        return None

    def latest(self, host: str) -> tuple[Run, HostRun] | None:
        """The latest run that touched ``host``."""
        return self._latest(host)

    def latest_for_role(self, host: str, role: str) -> tuple[Run, HostRun] | None:
        """The latest run that ran ``role`` on ``host`` or could not reach it."""
        return self._latest(host, role)

    def last_reached(self, host: str) -> dt.datetime | None:
        return next((run.started for run in reversed(self.runs)
                     if host in run.hosts and not run.hosts[host].unreachable), None)

    def sort(self) -> None:
        """Runs in the order they happened (start time; the folder only breaks ties)."""
        self.runs.sort(key=lambda r: (r.started, str(r.path)))

    @property
    def failed(self) -> dict[str, list[str]]:
        """Hosts whose latest run had failed tasks, with the task names."""
        hosts = {h for run in self.runs for h in run.hosts}
        return {h: latest[1].failed for h in sorted(hosts) if (latest := self.latest(h)) and latest[1].failed}

    @property
    def unreachable(self) -> dict[str, str]:
        """Hosts whose latest run could not reach them, with the message."""
        hosts = {h for run in self.runs for h in run.hosts}
        out = {}
        for host in hosts:
            latest = self.latest(host)
            if latest and latest[1].unreachable:
                out[host] = latest[1].unreachable
        return out


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _counter(path: Path) -> tuple[int, str]:
    """Job-event files are ``<counter>-<uuid>.json``: sort by the number, not the text."""
    head = path.name.split("-", 1)[0]
    return (int(head), path.name) if head.isdigit() else (1 << 62, path.name)


def run_from_events(path: Path, events: list[dict[str, Any]], problems: list[str]) -> Run | None:
    """One run from its events in counter order (ansible-runner's job events, or AWX's for one job)."""
    if not events:
        return None
    start = next((_parse_time(e.get("created")) for e in events if e.get("event") == "playbook_on_start"), None)
    if start is None:
        times = [t for t in (_parse_time(e.get("created")) for e in events) if t is not None]
        if not times:
            problems.append(f"{path}: no event carries a time, so the run cannot be ordered")
            return None
        start = min(times)
    run = Run(path=path, started=start)
    for event in events:
        kind = event.get("event")
        data = event.get("event_data") if isinstance(event.get("event_data"), dict) else {}
        host = data.get("host") or data.get("remote_addr")
        if kind not in _HOST_EVENTS or not host:
            continue
        outcome = run.hosts.setdefault(str(host).upper(), HostRun())
        if data.get("role"):
            outcome.roles.add(str(data["role"]))
        if kind == "runner_on_unreachable" and outcome.unreachable is None:
            result = data.get("res") if isinstance(data.get("res"), dict) else {}
            outcome.unreachable = str(result.get("msg") or "unreachable")
        elif kind == "runner_on_failed" and not data.get("ignore_errors"):
            outcome.failed.append(str(data.get("task") or "task"))
    return run


def _read_run(events_dir: Path, problems: list[str]) -> Run | None:
    events = []
    for path in sorted(events_dir.glob("*.json"), key=_counter):
        try:
            event = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{path}: not readable JSON ({exc})")
            continue
        if not isinstance(event, dict):
            problems.append(f"{path}: not a job event (a JSON object)")
            continue
        events.append(event)
    return run_from_events(events_dir.parent, events, problems)


def read_runner_artifacts(directory: Path | None) -> RunnerOutcome:
    """Every run under ``directory`` (any depth: ``<private dir>/artifacts/<ident>/job_events``), oldest first."""
    outcome = RunnerOutcome()
    if directory is None or not Path(directory).exists():
        return outcome
    for events_dir in sorted(Path(directory).rglob("job_events")):
        run = _read_run(events_dir, outcome.problems)
        if run is not None:
            outcome.runs.append(run)
    outcome.sort()
    return outcome


# --------------------------------------------------------------------------------------------
# the jsonfile fact cache
# --------------------------------------------------------------------------------------------


def _untag(value):
    """ansible-core 2.19 stores tagged values ({"value", "tags", "__ansible_type"}, {"__ansible_unsafe"})."""
    if isinstance(value, dict):
        if "__ansible_type" in value and "value" in value:
            return _untag(value["value"])
        if set(value) == {"__ansible_unsafe"}:
            return _untag(value["__ansible_unsafe"])
        return {k: _untag(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untag(v) for v in value]
    return value


@dataclass(frozen=True)
class CachedFacts:
    path: Path | None  # the cache file (None: no file for this host)
    facts: dict[str, Any]
    problem: str | None = None  # the file exists but cannot be read


def read_cached(directory: Path | None, host: str) -> CachedFacts:
    """A host's cached facts from the jsonfile cache (``s1_<host>`` since ansible-core 2.19, else ``<host>``)."""
    if directory is None:
        return CachedFacts(None, {})
    for name in (f"s1_{host}", f"s1_{host.lower()}", host, host.lower()):
        path = Path(directory) / name
        if not path.is_file():
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(doc, dict) and "__payload__" in doc:
                doc = json.loads(doc["__payload__"])
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, TypeError) as exc:
            return CachedFacts(path, {}, f"{path} is not a readable fact cache file ({exc})")
        if not isinstance(doc, dict):
            return CachedFacts(path, {}, f"{path} does not hold a JSON object of facts")
        return CachedFacts(path, _untag(doc))
    return CachedFacts(None, {})


def read_facts(directory: Path | None, host: str) -> dict | None:
    """A host's cached facts, or None when there are none (or they cannot be read)."""
    cached = read_cached(directory, host)
    return cached.facts if cached.path and not cached.problem else None


# --------------------------------------------------------------------------------------------
# from facts to checks
# --------------------------------------------------------------------------------------------


def _invalid(area: str, host: str, where: Path | None, what: str, **data: Any) -> Check:
    return could_not_collect(f"{area}.fact_invalid", area, "ansible", f"{what} in {where or 'the fact cache'}",
                             host=host, file=str(where) if where else None, **data)


def _check(item: Any, area: str, host: str, fact: RoleFact, stamp: dt.datetime) -> Check:
    """One check of a validated fact; ``pending`` counts as ``fail`` (not done yet) and says so."""
    pending = item.status == "pending"
    collected = fact.collected_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Check(
        id=item.id, title_ja=TITLES[area][0], title_en=TITLES[area][1], area=area, item=item.item,
        status="fail" if pending else item.status, message=("pending: " if pending else "") + item.message,
        source="ansible", host=host, timestamp=stamp,
        data={**item.data, "collected_at": collected, "pending": pending},
    )


def _stale(area: str, host: str, fact: RoleFact, outcome: RunnerOutcome) -> Check | None:
    """An ``error`` when the fact is not from the latest run of its role on this host."""
    collected = fact.collected_at
    latest = outcome.latest_for_role(host, ROLES[area])
    if latest is None or collected >= latest[0].started:
        return None
    run = latest[0]
    what = ("could not reach the host" if latest[1].unreachable else
            f"failed ({', '.join(latest[1].failed)})" if latest[1].failed else "did not record a new one")
    return could_not_collect(
        f"{area}.collected", area, "ansible",
        f"cached {FACT_PREFIX}{area} of {host} is from {in_tokyo(collected).isoformat()}, older than the latest "
        f"run of {ROLES[area]} ({run.path.name}, started {in_tokyo(run.started).isoformat()}), which {what}",
        host=host, collected_at=in_tokyo(collected).isoformat(), latest_run=run.path.name,
        latest_run_started=in_tokyo(run.started).isoformat())


def validate(area: str, host: str, raw: Any, where: Path | None) -> RoleFact | Check:
    """The fact as the typed contract, or the ``error`` check naming the host and every field that is wrong."""
    if not isinstance(raw, dict):
        return _invalid(area, host, where, f"{FACT_PREFIX}{area} of {host} is not an object")
    if raw.get("area", area) != area:
        return _invalid(area, host, where, f"{FACT_PREFIX}{area} of {host} says it is of area {raw['area']!r}")
    try:
        fact = RoleFact.model_validate({"area": area, **raw})
    except ValidationError as exc:
        found = problems(exc)
        return _invalid(area, host, where, f"{FACT_PREFIX}{area} of {host} does not match the role-fact contract: "
                        + "; ".join(found[:5]) + (f" (and {len(found) - 5} more)" if len(found) > 5 else ""),
                        problems=found[:50])
    return fact


@dataclass
class AreaResult:
    checks: list[Check]
    actions: list[Action] = field(default_factory=list)
    reboot_required: bool = False  # a valid, current fact says a change waits for a restart


def area_result(area: str, host: str, cached: CachedFacts, outcome: RunnerOutcome,
                stamp: dt.datetime, site_id: str | None = None) -> AreaResult:
    """The checks and actions of one role's fact on one host, or the ``error`` saying why there are none.

    With ``site_id`` (a file server serving several sites), only checks whose ``data.site`` is that site.
    """
    if cached.problem:
        return AreaResult([could_not_collect(f"{area}.collected", area, "ansible", cached.problem, host=host,
                                             file=str(cached.path))])
    raw = cached.facts.get(FACT_PREFIX + area)
    if raw is None:
        return AreaResult([could_not_collect(f"{area}.collected", area, "ansible",
                                             f"no {FACT_PREFIX}{area} fact for {host}", host=host)])
    fact = validate(area, host, raw, cached.path)
    if isinstance(fact, Check):
        return AreaResult([fact])
    stale = _stale(area, host, fact, outcome)
    if stale is not None:
        return AreaResult([stale])
    checks = [_check(item, area, host, fact, stamp) for item in fact.checks
              if site_id is None or item.data.get("site") == site_id]
    actions = [Action(id=item.id, host=host, source="ansible", message_ja=item.message_ja, message_en=item.message_en)
               for item in fact.actions]
    return AreaResult(checks, actions, fact.reboot_required)


def fact_checks(area: str, host: str, cached: CachedFacts, outcome: RunnerOutcome,
                stamp: dt.datetime, site_id: str | None = None) -> tuple[list[Check], list[Action]]:
    result = area_result(area, host, cached, outcome, stamp, site_id)
    return result.checks, result.actions


def restart_action(host: str, areas: list[str]) -> Action:
    """The one reboot decision of a PC: every role that needs a restart says so in its fact."""
    names_en = ", ".join(TITLES[a][1] for a in areas)
    names_ja = "、".join(TITLES[a][0] for a in areas)
    return Action(id="endpoint.restart_pc", host=host, source="ansible",
                  message_en=f"Restart this PC: changes wait for a restart ({names_en}); the next run checks again",
                  message_ja=f"この PC を再起動してください。再起動後に有効になる変更があります（{names_ja}）。"
                             "次回の実行で再確認します")


# --------------------------------------------------------------------------------------------
# one site
# --------------------------------------------------------------------------------------------


def _last_seen(endpoint: Endpoint, outcome: RunnerOutcome) -> dt.date:
    """The later of the inventory's last_seen and the last run that reached the PC."""
    reached = outcome.last_reached(endpoint.hostname)
    return max(endpoint.last_seen, in_tokyo(reached).date()) if reached else endpoint.last_seen


def _by_hand(endpoint: Endpoint, why: str, outcome: RunnerOutcome, as_of: dt.date,
             stamp: dt.datetime) -> tuple[Check, Action]:
    seen = _last_seen(endpoint, outcome)
    reached = outcome.last_reached(endpoint.hostname)
    check = Check(
        id="endpoint.reachable", title_ja="端末への接続", title_en="PC reachable", area="endpoint", status="error",
        host=endpoint.hostname, source="ansible", timestamp=stamp, message=f"{why}; last seen {seen}",
        data={"last_seen": seen.isoformat(), "days_since_seen": (as_of - seen).days,
              "inventory_last_seen": endpoint.last_seen.isoformat(),
              "last_reached_by_ansible": in_tokyo(reached).isoformat() if reached else None},
    )
    action = Action(
        id="endpoint.by_hand", host=endpoint.hostname, source="ansible",
        message_ja=(f"{seen} 以降接続できません。PCを起動して県本部の有線LANに接続するか、"
                    "旧ウイルス対策ソフトを手作業で削除し、次世代ウイルス対策を導入してください"),
        message_en=(f"Unreachable since {seen}: start it on the prefecture's wired LAN, or "
                    "remove the old antivirus by hand and install the NGAV"),
    )
    return check, action


def collect(site: Site, runner_dir: Path | None, facts_dir: Path | None,
            as_of: dt.date, outcome: RunnerOutcome | None = None) -> tuple[list[Check], list[Action]]:
    """``outcome``: runs already read (for example AWX job events); else the runner artefacts are read."""
    outcome = outcome if outcome is not None else read_runner_artifacts(runner_dir)
    stamp = now()
    checks: list[Check] = []
    actions: list[Action] = []
    if outcome.problems:
        checks.append(could_not_collect("endpoint.runner_artifacts", "endpoint", "ansible",
                                        f"{len(outcome.problems)} runner artefact(s) unreadable: "
                                        + "; ".join(outcome.problems[:5]), problems=outcome.problems[:50]))
    migration = _migration_checks(site, facts_dir, outcome, stamp)
    cached = {e.hostname: read_cached(facts_dir, e.hostname) for e in site.endpoints}

    def has_result(host: str) -> bool:
        return outcome.latest(host) is not None or bool(cached[host].path)

    if not any(has_result(e.hostname) for e in site.endpoints):
        where = (f"runner artefacts: {runner_dir or 'no --runner given'}; "
                 f"fact cache: {facts_dir or 'no --facts given'}")
        return [*checks, could_not_collect("endpoint.evidence", "endpoint", "ansible",
                                           f"no Ansible result for any of the {len(site.endpoints)} PCs ({where})"),
                *migration], actions
    for endpoint in site.endpoints:
        host = endpoint.hostname
        latest = outcome.latest(host)
        if latest is not None and latest[1].unreachable:
            why = f"unreachable over WinRM in the latest run {latest[0].path.name} ({latest[1].unreachable})"
        elif not has_result(host):
            why = "no Ansible result for this PC (in no run, no cached facts)"
        else:
            why = None
        if why is not None:
            check, action = _by_hand(endpoint, why, outcome, as_of, stamp)
            checks.append(check)
            actions.append(action)
            continue
        restart = []
        for area in ENDPOINT_AREAS:
            result = area_result(area, host, cached[host], outcome, stamp)
            checks += result.checks
            actions += result.actions
            if result.reboot_required:
                restart.append(area)
        if restart:
            actions.append(restart_action(host, restart))
        for task in latest[1].failed if latest else []:
            checks.append(Check(id="endpoint.task_failed", title_ja="タスクの失敗", title_en="Task failed",
                                area="endpoint", status="error", host=host, source="ansible", timestamp=stamp,
                                message=f"task failed in the latest run {latest[0].path.name}: {task}",
                                data={"task": task, "run": latest[0].path.name}))
    return checks + migration, actions


def _migration_checks(site: Site, facts_dir: Path | None, outcome: RunnerOutcome, stamp: dt.datetime) -> list[Check]:
    """The file_migration role's checks for this site, from the data-center file server's facts."""
    servers = sorted({share.legacy_unc.strip("\\").split("\\")[0].upper()
                      for share in site.config.file_shares if share.legacy_unc})
    checks = []
    for server in servers:
        cached = read_cached(facts_dir, server)
        latest = outcome.latest(server)
        if latest is not None and latest[1].unreachable:
            checks.append(could_not_collect("migration.server_reachable", "migration", "ansible",
                                            f"file server {server} unreachable in the latest run "
                                            f"{latest[0].path.name} ({latest[1].unreachable})", host=server))
            continue
        if cached.problem is None and FACT_PREFIX + "migration" not in cached.facts:
            continue  # no migration yet: the gate says so (no verification, no final pass)
        found, _ = fact_checks("migration", server, cached, outcome, stamp, site_id=site.id)
        checks += found
    return checks
