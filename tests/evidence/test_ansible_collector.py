"""The Ansible collector believes only what the latest run of a host says, and never passes a PC it did not see."""

from __future__ import annotations

import json

import pytest

from cutover import gate
from cutover.evidence.collect import Sources, collect_site
from cutover.evidence.collectors import ansible
from tests.report.conftest import AS_OF, SITE, runner_event

FRESH = "2026-11-24T02:30:00Z"  # a fact recorded after every run below


def by_key(checks):
    return {c.key: c for c in checks}


@pytest.fixture
def site(sample_inventory):
    return sample_inventory.sites[SITE]


@pytest.fixture
def hosts(site):
    return [e.hostname for e in site.endpoints]


def write_facts(facts_dir, host, collected_at=FRESH, status="pass", areas=ansible.ENDPOINT_AREAS, name=None):
    facts_dir.mkdir(parents=True, exist_ok=True)
    doc = {f"cutover_{area}": {"schema": 1, "collected_at": collected_at, "actions": [],
                               "checks": [{"id": f"{area}.main", "status": status, "message": f"{area} {status}"}]}
           for area in areas}
    (facts_dir / (name or f"s1_{host}")).write_text(json.dumps(doc), encoding="utf-8")


def converge(runner, run, created, hosts, *, unreachable=(), roles=("ngav", "office_m365", "mail_client",
                                                                    "fileshare_client"), failed=()):
    """A converge run as ansible-runner records it: start, per host role tasks ok / unreachable / failed."""
    runner_event(runner, 1, "playbook_on_start", None, run=run, created=created)
    n = 2
    for host in hosts:
        for role in roles:
            kind = "runner_on_unreachable" if host in unreachable else \
                "runner_on_failed" if (host, role) in failed else "runner_on_ok"
            extra = {"res": {"msg": "psrp: connection timed out", "unreachable": True}} if host in unreachable else {}
            runner_event(runner, n, "runner_on_start", host, run=run, created=created, role=role, task=f"{role} | go")
            runner_event(runner, n + 1, kind, host, run=run, created=created, role=role, task=f"{role} | go", **extra)
            n += 2
            if host in unreachable:
                break


# ---- a site without PC evidence is never ready ---------------------------------------------------------------


def test_no_pc_evidence_is_an_error_even_when_another_sites_pc_was_unreachable(sample_inventory, tmp_path, site):
    """The national report marked sites ready with none of their PCs checked: another site's PC was unreachable."""
    runner = tmp_path / "runner"
    runner_event(runner, 1, "runner_on_unreachable", "P36-DT-006", res={"msg": "timed out"})
    checks, _actions = ansible.collect(site, runner, tmp_path / "facts", AS_OF)
    assert [(c.id, c.status) for c in checks] == [("endpoints.evidence", "error")]
    evidence = collect_site(sample_inventory, site, Sources(runner_dir=runner, facts_dir=tmp_path / "facts"), AS_OF)
    assessment = gate.assess(evidence, gate.Context.for_site(sample_inventory, SITE, AS_OF))
    assert assessment.readiness is gate.Readiness.NOT_READY
    assert {"evidence-complete", "pcs-ready"} <= {c.id for c in assessment.unmet}


def test_a_pc_with_no_result_is_an_error_and_hands_on_work(tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-24T01:00:00+00:00", hosts[1:])
    for host in hosts[1:]:
        write_facts(facts, host)
    checks, actions = ansible.collect(site, runner, facts, AS_OF)
    missing = by_key(checks)[f"endpoint.reachable@{hosts[0]}"]
    assert missing.status == "error" and "no Ansible result for this PC" in missing.message
    assert [a.host for a in actions if a.id == "endpoint.by_hand"] == [hosts[0]]


def test_every_pc_must_publish_every_endpoint_area(tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-24T01:00:00+00:00", hosts)
    for host in hosts:
        write_facts(facts, host, areas=("ngav", "office", "mail"))  # no PC has a fileshare fact
    checks = by_key(ansible.collect(site, runner, facts, AS_OF)[0])
    assert all(checks[f"fileshare.collected@{h}"].status == "error" for h in hosts)


# ---- runs in the order they happened, events in counter order ------------------------------------------------


def test_job_event_files_sort_by_number_not_text(tmp_path):
    events = tmp_path / "job_events"
    events.mkdir()
    names = ["213-b.json", "90-a.json", "1000-c.json", "9-d.json"]
    assert [p.name for p in sorted((events / n for n in names), key=ansible._counter)] == [
        "9-d.json", "90-a.json", "213-b.json", "1000-c.json"]


def test_failed_tasks_are_read_in_counter_order(tmp_path, hosts):
    runner = tmp_path / "runner"
    runner_event(runner, 213, "runner_on_failed", hosts[0], task="second")
    runner_event(runner, 90, "runner_on_failed", hosts[0], task="first")
    [run] = ansible.read_runner_artifacts(runner).runs
    assert run.hosts[hosts[0]].failed == ["first", "second"]


def test_ok_later_in_the_same_run_does_not_cancel_unreachable(tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-24T01:00:00+00:00", hosts[1:])
    runner_event(runner, 500, "runner_on_unreachable", hosts[0], run="a1", res={"msg": "timed out"})
    runner_event(runner, 501, "runner_on_ok", hosts[0], run="a1", task="ignore_unreachable task")
    for host in hosts:
        write_facts(facts, host)
    checks = by_key(ansible.collect(site, runner, facts, AS_OF)[0])
    assert checks[f"endpoint.reachable@{hosts[0]}"].status == "error"
    assert f"ngav.main@{hosts[0]}" not in checks


@pytest.mark.parametrize(("first", "second"), [("ffff", "0000"), ("0000", "ffff")])
def test_runs_are_read_in_the_order_they_happened_not_by_folder(first, second, tmp_path, site, hosts):
    """An older run whose folder sorts last must not cancel the unreachable event of the latest run."""
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, first, "2026-11-24T01:00:00+00:00", hosts)  # everything fine
    converge(runner, second, "2026-11-24T02:00:00+00:00", hosts, unreachable={hosts[0]})  # later: unreachable
    for host in hosts:
        write_facts(facts, host)
    outcome = ansible.read_runner_artifacts(runner)
    assert [r.path.name for r in outcome.runs] == [first, second]
    checks, _actions = ansible.collect(site, runner, facts, AS_OF)
    found = by_key(checks)
    assert found[f"endpoint.reachable@{hosts[0]}"].status == "error"
    assert f"ngav.main@{hosts[0]}" not in found  # the cached facts of the earlier run do not pass it
    assert found[f"ngav.main@{hosts[1]}"].status == "pass"


def test_reached_again_in_a_later_run_is_reachable(tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "ffff", "2026-11-24T01:00:00+00:00", hosts, unreachable={hosts[0]})
    converge(runner, "0000", "2026-11-24T02:00:00+00:00", hosts)
    for host in hosts:
        write_facts(facts, host)
    found = by_key(ansible.collect(site, runner, facts, AS_OF)[0])
    assert f"endpoint.reachable@{hosts[0]}" not in found and found[f"ngav.main@{hosts[0]}"].status == "pass"


def test_run_start_comes_from_playbook_on_start(tmp_path, hosts):
    runner = tmp_path / "runner"
    runner_event(runner, 5, "runner_on_ok", hosts[0], created="2026-11-24T03:00:00+00:00")
    runner_event(runner, 1, "playbook_on_start", None, created="2026-11-24T02:59:00+00:00")
    [run] = ansible.read_runner_artifacts(runner).runs
    assert run.started.isoformat() == "2026-11-24T02:59:00+00:00"


def test_unreadable_artefacts_are_an_error_not_skipped(tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-24T01:00:00+00:00", hosts)
    for host in hosts:
        write_facts(facts, host)
    (runner / "artifacts" / "a1" / "job_events" / "999-broken.json").write_text("{half", encoding="utf-8")
    found = by_key(ansible.collect(site, runner, facts, AS_OF)[0])
    assert found["endpoints.runner_artifacts"].status == "error" and "999-broken.json" in found[
        "endpoints.runner_artifacts"].message


# ---- a fact older than the latest run never overrides its outcome --------------------------------------------


def test_fact_older_than_the_latest_run_of_its_role_is_stale(tmp_path, site, hosts):
    """The role failed before recording its fact: last week's pass must not show."""
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-24T02:00:00+00:00", hosts, failed={(hosts[0], "ngav")})
    write_facts(facts, hosts[0], collected_at="2026-11-17T01:00:00Z")
    for host in hosts[1:]:
        write_facts(facts, host)
    found = by_key(ansible.collect(site, runner, facts, AS_OF)[0])
    stale = found[f"ngav.collected@{hosts[0]}"]
    assert stale.status == "error" and "older than the latest run of ngav" in stale.message
    assert "failed" in stale.message and f"ngav.main@{hosts[0]}" not in found
    assert found[f"endpoint.task_failed@{hosts[0]}"].status == "error"


def test_fact_of_a_role_the_latest_run_did_not_run_stays(tmp_path, site, hosts):
    """`converge --tags ngav` runs only ngav: the other roles' facts are still their latest."""
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-24T01:00:00+00:00", hosts)
    for host in hosts:
        write_facts(facts, host, collected_at="2026-11-24T01:30:00Z")
    converge(runner, "a2", "2026-11-24T02:00:00+00:00", hosts, roles=("ngav",))
    found = by_key(ansible.collect(site, runner, facts, AS_OF)[0])
    assert found[f"office.main@{hosts[0]}"].status == "pass"
    assert found[f"ngav.collected@{hosts[0]}"].status == "error"  # ngav ran at 02:00 and recorded nothing newer


def test_fact_without_a_time_is_an_error(tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-24T01:00:00+00:00", hosts)
    for host in hosts:
        write_facts(facts, host, collected_at=None)
    found = by_key(ansible.collect(site, runner, facts, AS_OF)[0])
    assert found[f"ngav.fact_invalid@{hosts[0]}"].status == "error"
    assert "collected_at" in found[f"ngav.fact_invalid@{hosts[0]}"].message


def test_unreachable_pc_is_listed_by_hand_with_its_last_seen_day(tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-20T01:00:00+00:00", hosts)  # reached on the 20th (after last_seen)
    converge(runner, "a2", "2026-11-24T01:00:00+00:00", hosts, unreachable={hosts[0]})
    for host in hosts:
        write_facts(facts, host)
    checks, actions = ansible.collect(site, runner, facts, AS_OF)
    [action] = [a for a in actions if a.host == hosts[0]]
    assert "2026-11-20" in action.message_ja and "2026-11-20" in action.message_en
    reach = by_key(checks)[f"endpoint.reachable@{hosts[0]}"]
    assert reach.data["last_seen"] == "2026-11-20" and reach.data["days_since_seen"] == 4
    assert reach.data["inventory_last_seen"] == site.endpoints[0].last_seen.isoformat()


def test_unreachable_pc_never_reached_shows_the_inventorys_last_seen(tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-24T01:00:00+00:00", hosts, unreachable={hosts[0]})
    for host in hosts[1:]:
        write_facts(facts, host)
    _, actions = ansible.collect(site, runner, facts, AS_OF)
    [action] = [a for a in actions if a.host == hosts[0]]
    assert str(site.endpoints[0].last_seen) in action.message_ja


# ---- bad facts are errors naming the file -------------------------------------------------------------------


@pytest.mark.parametrize(("item", "expected_id", "expected_status", "needle"), [
    ({"status": "pass", "message": "no id", "data": {"site": SITE}}, "migration.fact_invalid", "error", "no id"),
    ({"id": "migration.verify.shared", "status": "pending", "data": {"site": SITE}}, "migration.verify.shared",
     "fail", "pending"),
    ({"id": "migration.verify.shared", "status": "done", "data": {"site": SITE}}, "migration.verify.shared",
     "error", "unknown status 'done'"),
    ("not an object", "migration.fact_invalid", "error", "not an object"),
])
def test_bad_migration_facts_become_error_checks_naming_the_file(item, expected_id, expected_status, needle, tmp_path,
                                                                 site):
    """Before: a migration fact with status pending or without id crashed the collector."""
    facts = tmp_path / "facts"
    facts.mkdir()
    server = site.config.file_shares[0].legacy_unc.strip("\\").split("\\")[0].upper()
    fact = {"cutover_migration": {"schema": 1, "collected_at": FRESH, "checks": [item], "actions": []}}
    (facts / f"s1_{server}").write_text(json.dumps(fact), encoding="utf-8")
    checks = [c for c in ansible.collect(site, None, facts, AS_OF)[0] if c.area == "migration"]
    [check] = checks
    assert (check.id, check.status) == (expected_id, expected_status)
    assert needle in check.message
    if expected_status == "error":
        assert f"s1_{server}" in check.message


def test_unreadable_fact_cache_file_is_an_error_naming_it(tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-24T01:00:00+00:00", hosts)
    for host in hosts[1:]:
        write_facts(facts, host)
    (facts / f"s1_{hosts[0]}").write_text("{not json", encoding="utf-8")
    found = by_key(ansible.collect(site, runner, facts, AS_OF)[0])
    assert found[f"ngav.collected@{hosts[0]}"].status == "error"
    assert f"s1_{hosts[0]}" in found[f"ngav.collected@{hosts[0]}"].message


def test_endpoint_fact_with_unknown_status_is_an_error(tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-24T01:00:00+00:00", hosts)
    for host in hosts:
        write_facts(facts, host, status="ok")
    found = by_key(ansible.collect(site, runner, facts, AS_OF)[0])
    assert found[f"ngav.main@{hosts[0]}"].status == "error" and "unknown status 'ok'" in found[
        f"ngav.main@{hosts[0]}"].message
