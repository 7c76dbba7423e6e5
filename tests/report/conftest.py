"""Artefacts as the real tools leave them: an offline plan, ansible-runner events, a fact cache, JUnit."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cutover.cloud import offline

AS_OF = dt.date(2026, 11, 24)
SITE = "pref-18-fukui"


_PLANS: dict[str, bytes] = {}  # kept for the process: mutation runs start many test sessions in one process


@pytest.fixture(scope="session")
def plan_dir(tmp_path_factory, sample_inventory) -> Path:
    out = tmp_path_factory.mktemp("plan")
    if not _PLANS:
        for plan in offline.plan_stacks(sample_inventory, ["core", SITE, "pref-36-tokushima"], AS_OF):
            path = offline.write_plan(plan, out)
            for written in (path, path.with_name(f"{plan.stack}.policy-config.json")):  # the plan and its pack config
                _PLANS[written.name] = written.read_bytes()
    for name, content in _PLANS.items():
        (out / name).write_bytes(content)
    return out


def runner_event(directory: Path, counter: int, event: str, host: str | None, *, run: str = "0b6f",
                 created: str = "2026-11-24T01:00:00", **data) -> None:
    """One job-event file as ansible-runner writes it: <private dir>/artifacts/<ident>/job_events/<n>-<uuid>.json."""
    events = directory / "artifacts" / run / "job_events"
    events.mkdir(parents=True, exist_ok=True)
    doc = {"uuid": f"u{counter}", "counter": counter, "event": event, "created": created,
           "event_data": {"host": host, **data} if host else data}
    (events / f"{counter}-u{counter}.json").write_text(json.dumps(doc), encoding="utf-8")


@pytest.fixture
def endpoint_artefacts(tmp_path, sample_inventory):
    """Runner events and cached facts for the pilot site: one PC unreachable, the others converged."""
    site = sample_inventory.sites[SITE]
    hosts = [e.hostname for e in site.endpoints]
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    facts.mkdir()
    unreachable, pending, no_office = hosts[0], hosts[1], hosts[2]
    runner_event(runner, 1, "runner_on_unreachable", unreachable,
                 res={"msg": "psrp: connection timed out", "unreachable": True})
    for n, host in enumerate(hosts[1:], start=2):
        runner_event(runner, n, "runner_on_ok", host, task="NGAV | Discover")
        fact = {
            "cutover_mail": {"schema": 2, "collected_at": "2026-11-24T01:02:03Z", "checks": [
                {"id": "mail.outlook", "item": "a.sato@fukui.union.example",
                 "status": "pending" if host == pending else "pass",
                 "message": "keep a copy, remove after 15 days", "data": {"before": 1, "after": 983043}}],
                "actions": []},
        }
        if host != no_office:
            fact["cutover_office"] = {"schema": 2, "collected_at": "2026-11-24T01:02:03Z", "checks": [
                {"id": "office.support", "status": "fail" if host == hosts[3] else "pass",
                 "message": "Office 2019 (support ended 2025-10-14)", "data": {"product": "Office 2019"}}],
                "actions": [{"id": "office.replace", "message_en": "Replace Office 2019 by Microsoft 365",
                             "message_ja": "Office 2019 を Microsoft 365 に切り替えてください"}]
                if host == hosts[3] else []}
        (facts / host).write_text(json.dumps(fact), encoding="utf-8")
    return {"runner": runner, "facts": facts, "unreachable": unreachable, "pending": pending,
            "no_office": no_office, "office_fail": hosts[3]}
