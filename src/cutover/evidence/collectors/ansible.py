"""Ansible: ansible-runner artefacts (who was unreachable, which tasks failed) and cached facts.

Each Windows role publishes one cacheable fact ``cutover_<area>`` (schema 1: checks and actions,
see docs/evidence.md); the jsonfile fact cache keeps one JSON file per host. A PC that answered no
run leaves no facts: it becomes an ``error`` check and a hands-on action, never a pass.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from cutover.evidence.collectors import could_not_collect, now
from cutover.evidence.model import AREAS, Action, Check
from cutover.inventory import Site

FACT_PREFIX = "cutover_"
TITLES = {
    "ngav": ("次世代ウイルス対策", "Next-generation antivirus"),
    "office": ("Office のサポート状況", "Office support"),
    "mail": ("メールの受信設定", "Mail client retention"),
    "fileshare": ("クラウドファイル共有への対応", "Cloud file share readiness"),
    "migration": ("データ移行", "Data migration"),
}


@dataclass
class RunnerOutcome:
    unreachable: dict[str, str] = field(default_factory=dict)  # host -> message
    failed: dict[str, list[str]] = field(default_factory=dict)  # host -> failed task names
    seen: set[str] = field(default_factory=set)  # hosts that appear in any event
    runs: int = 0


def read_runner_artifacts(directory: Path | None) -> RunnerOutcome:
    outcome = RunnerOutcome()
    if directory is None or not Path(directory).exists():
        return outcome
    for events_dir in sorted(Path(directory).rglob("job_events")):
        outcome.runs += 1
        # In the order they happened (<counter>-<uuid>.json): sorted by name, event 10 would come before 9.
        for path in sorted(events_dir.glob("*.json"), key=_event_counter):
            try:
                event = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            data = event.get("event_data") or {}
            host = data.get("host") or data.get("remote_addr")
            if not host:
                continue
            host = str(host).upper()
            outcome.seen.add(host)
            if event.get("event") == "runner_on_unreachable":
                result = data.get("res") or {}
                outcome.unreachable[host] = str(result.get("msg") or "unreachable")
            elif event.get("event") == "runner_on_failed" and not data.get("ignore_errors"):
                outcome.failed.setdefault(host, []).append(str(data.get("task") or "task"))
            elif event.get("event") == "runner_on_ok":
                outcome.unreachable.pop(host, None)  # reached later in the same or a later run
    return outcome


def _event_counter(path: Path) -> tuple[int, str]:
    head = path.name.split("-", 1)[0]
    return (int(head) if head.isdigit() else 0, path.name)


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


def read_facts(directory: Path | None, host: str) -> dict | None:
    """A host's cached facts from the jsonfile cache (``s1_<host>`` since ansible-core 2.19, else ``<host>``)."""
    if directory is None:
        return None
    for name in (f"s1_{host}", f"s1_{host.lower()}", host, host.lower()):
        path = Path(directory) / name
        if not path.is_file():
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(doc, dict) and "__payload__" in doc:
                doc = json.loads(doc["__payload__"])
        except (OSError, json.JSONDecodeError):
            return None
        return _untag(doc)
    return None


def _area_of(check_id: str, fallback: str) -> str:
    prefix = check_id.split(".", 1)[0]
    return prefix if prefix in AREAS else fallback


def collect(site: Site, runner_dir: Path | None, facts_dir: Path | None,
            as_of: dt.date, outcome: RunnerOutcome | None = None) -> tuple[list[Check], list[Action]]:
    """``outcome``: runs already read (for example AWX job events); else the runner artefacts are read."""
    outcome = outcome if outcome is not None else read_runner_artifacts(runner_dir)
    checks: list[Check] = []
    actions: list[Action] = []
    migration = _migration_checks(site, facts_dir)
    facts_by_host = {e.hostname: read_facts(facts_dir, e.hostname) or {} for e in site.endpoints}
    areas_seen = sorted({k[len(FACT_PREFIX):] for facts in facts_by_host.values() for k in facts
                         if k.startswith(FACT_PREFIX) and k[len(FACT_PREFIX):] in TITLES})
    if not areas_seen and not outcome.unreachable:
        where = (f"runner artefacts: {runner_dir or 'no --runner given'}; "
                 f"fact cache: {facts_dir or 'no --facts given'}")
        return [could_not_collect("endpoints.evidence", "ngav", "ansible",
                                  f"no Ansible result for any of the {len(site.endpoints)} PCs ({where})"),
                *migration], []
    stamp = now()
    for endpoint in site.endpoints:
        host = endpoint.hostname
        facts = facts_by_host[host]
        if host in outcome.unreachable:
            days = (as_of - endpoint.last_seen).days
            checks.append(Check(
                id="endpoint.reachable", title_ja="端末への接続", title_en="PC reachable", area="ngav",
                status="error", host=host, source="ansible", timestamp=stamp,
                message=f"unreachable over WinRM ({outcome.unreachable[host]}); last seen {endpoint.last_seen}",
                data={"last_seen": endpoint.last_seen.isoformat(), "days_since_seen": days},
            ))
            actions.append(Action(
                id="endpoint.by_hand", host=host, source="ansible",
                message_ja=(f"{endpoint.last_seen} 以降接続できません。PCを起動して県本部の有線LANに接続するか、"
                            "旧ウイルス対策ソフトを手作業で削除し、次世代ウイルス対策を導入してください"),
                message_en=(f"Unreachable since {endpoint.last_seen}: start it on the prefecture's wired LAN, or "
                            "remove the old antivirus by hand and install the NGAV"),
            ))
            continue
        for area in areas_seen:
            fact = facts.get(FACT_PREFIX + area)
            if not isinstance(fact, dict):
                checks.append(could_not_collect(f"{area}.collected", area, "ansible",
                                                f"no {FACT_PREFIX}{area} fact for {host}", host=host))
                continue
            for item in fact.get("checks") or []:
                status = item.get("status")
                pending = status == "pending"
                checks.append(Check(
                    id=str(item.get("id")), title_ja=TITLES[area][0], title_en=TITLES[area][1],
                    area=_area_of(str(item.get("id")), area),
                    status="fail" if pending else status if status in
                    ("pass", "fail", "error", "not_applicable", "manual", "waived") else "error",
                    message=("pending: " if pending else "") + str(item.get("message", "")),
                    source="ansible", host=host, timestamp=stamp,
                    data={**(item.get("data") or {}), "collected_at": fact.get("collected_at"), "pending": pending},
                ))
            for item in fact.get("actions") or []:
                actions.append(Action(id=str(item.get("id")), host=host, source="ansible",
                                      message_ja=str(item.get("message_ja", "")),
                                      message_en=str(item.get("message_en", ""))))
        for task in outcome.failed.get(host, []):
            checks.append(Check(id="endpoint.task_failed", title_ja="タスクの失敗", title_en="Task failed", area="ngav",
                                status="error", host=host, source="ansible", timestamp=stamp,
                                message=f"task failed: {task}", data={"task": task}))
    return checks + migration, actions


def _migration_checks(site: Site, facts_dir: Path | None) -> list[Check]:
    """The file_migration role's checks for this site, from the data-center file server's facts."""
    servers = sorted({share.legacy_unc.strip("\\").split("\\")[0].upper()
                      for share in site.config.file_shares if share.legacy_unc})
    checks = []
    for server in servers:
        fact = (read_facts(facts_dir, server) or {}).get("cutover_migration")
        if not isinstance(fact, dict):
            continue
        for item in fact.get("checks") or []:
            if (item.get("data") or {}).get("site") != site.id:
                continue
            checks.append(Check(id=str(item["id"]), title_ja=TITLES["migration"][0], title_en=TITLES["migration"][1],
                                area="migration", status=item["status"], message=str(item.get("message", "")),
                                source="ansible", host=server, timestamp=now(),
                                data={**(item.get("data") or {}), "collected_at": fact.get("collected_at")}))
    return checks
