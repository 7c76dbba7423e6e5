"""The Ansible collector believes only what the latest run of a host says, and never passes a PC it did not see."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cutover import gate
from cutover.evidence import facts as facts_model
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
    doc = {f"cutover_{area}": {"schema": 2, "area": area, "collected_at": collected_at, "actions": [],
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
    assert [(c.id, c.status) for c in checks] == [("endpoint.evidence", "error")]
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
    assert found["endpoint.runner_artifacts"].status == "error" and "999-broken.json" in found[
        "endpoint.runner_artifacts"].message


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
    ({"status": "pass", "message": "no id", "data": {"site": SITE}}, "migration.fact_invalid", "error",
     "checks.0.id: Field required"),
    ({"id": "migration.verify", "item": "shared", "status": "pending", "message": "waits", "data": {"site": SITE}},
     "migration.verify", "fail", "pending: waits"),
    ({"id": "migration.verify", "status": "done", "message": "x", "data": {"site": SITE}}, "migration.fact_invalid",
     "error", "checks.0.status: Input should be 'pass', 'fail', 'error', 'not_applicable', 'manual' or 'pending' "
              "(got 'done')"),
    ({"id": "migration.verify.shared$", "status": "pass", "message": "x", "data": {"site": SITE}},
     "migration.fact_invalid", "error", "checks.0.id: String should match pattern"),
    ("not an object", "migration.fact_invalid", "error", "checks.0: Input should be a valid dictionary"),
])
def test_bad_migration_facts_become_error_checks_naming_the_host_file_and_field(item, expected_id, expected_status,
                                                                                 needle, tmp_path, site):
    """Before: a migration fact with status pending or without id crashed the collector."""
    facts = tmp_path / "facts"
    facts.mkdir()
    server = site.config.file_shares[0].legacy_unc.strip("\\").split("\\")[0].upper()
    fact = {"cutover_migration": {"schema": 2, "area": "migration", "collected_at": FRESH, "checks": [item],
                                  "actions": []}}
    (facts / f"s1_{server}").write_text(json.dumps(fact), encoding="utf-8")
    checks = [c for c in ansible.collect(site, None, facts, AS_OF)[0] if c.area == "migration"]
    [check] = checks
    assert (check.id, check.status, check.host) == (expected_id, expected_status, server)
    assert needle in check.message
    if expected_status == "error":
        assert f"cutover_migration of {server} does not match the role-fact contract" in check.message
        assert f"s1_{server}" in check.message and check.data["problems"]


def test_unreadable_fact_cache_file_is_an_error_naming_it(tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-24T01:00:00+00:00", hosts)
    for host in hosts[1:]:
        write_facts(facts, host)
    (facts / f"s1_{hosts[0]}").write_text("{not json", encoding="utf-8")
    found = by_key(ansible.collect(site, runner, facts, AS_OF)[0])
    assert found[f"ngav.collected@{hosts[0]}"].status == "error"
    assert f"s1_{hosts[0]}" in found[f"ngav.collected@{hosts[0]}"].message


def test_endpoint_fact_with_unknown_status_is_an_error_naming_host_and_field(tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-24T01:00:00+00:00", hosts)
    for host in hosts:
        write_facts(facts, host, status="ok")
    found = by_key(ansible.collect(site, runner, facts, AS_OF)[0])
    invalid = found[f"ngav.fact_invalid@{hosts[0]}"]
    assert invalid.status == "error" and f"ngav.main@{hosts[0]}" not in found  # no check of a bad fact is believed
    assert f"cutover_ngav of {hosts[0]} does not match the role-fact contract: checks.0.status: " in invalid.message
    assert "(got 'ok')" in invalid.message


# ---- exact shapes ---------------------------------------------------------------------------------------------


def test_a_check_from_a_fact_keeps_its_data_time_item_area_and_titles(tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-24T01:00:00+00:00", hosts)
    for host in hosts:
        write_facts(facts, host)
    doc = json.loads((facts / f"s1_{hosts[0]}").read_text(encoding="utf-8"))
    doc["cutover_ngav"]["checks"] = [
        {"id": "ngav.scan", "item": "C:", "status": "pending", "message": "Outlook running", "data": {"pc": 1}},
        {"id": "ngav.check", "status": "not_applicable", "message": "n/a"}]
    doc["cutover_ngav"]["actions"] = [{"id": "ngav.restart", "message_ja": "再起動", "message_en": "restart"}]
    (facts / f"s1_{hosts[0]}").write_text(json.dumps(doc), encoding="utf-8")
    checks, actions = ansible.collect(site, runner, facts, AS_OF)
    found = by_key(checks)
    pending = found[f"ngav.scan[C:]@{hosts[0]}"]
    assert (pending.area, pending.status, pending.message, pending.source, pending.item) == (
        "ngav", "fail", "pending: Outlook running", "ansible", "C:")
    assert (pending.title_ja, pending.title_en) == ansible.TITLES["ngav"]
    assert pending.data == {"pc": 1, "collected_at": FRESH, "pending": True}
    other = found[f"ngav.check@{hosts[0]}"]
    assert (other.area, other.status, other.message, other.item) == ("ngav", "not_applicable", "n/a", None)
    assert other.data == {"collected_at": FRESH, "pending": False}
    [action] = [a for a in actions if a.host == hosts[0]]
    assert (action.id, action.message_ja, action.message_en, action.source) == ("ngav.restart", "再起動", "restart",
                                                                                 "ansible")


@pytest.mark.parametrize(("change", "needle"), [
    (lambda f: f["checks"].append({"id": "office.visio", "status": "waived", "message": "x"}),
     "checks.1.status: Input should be"),  # waived is the inventory's word, never a role's
    (lambda f: f["checks"].append({"id": "mail.outlook", "status": "pass", "message": "x"}),
     "checks.1.id: 'mail.outlook' is not of area 'ngav'"),
    (lambda f: f["actions"].append({"message_en": "no id", "message_ja": "x"}), "actions.0.id: Field required"),
    (lambda f: f["checks"].append({"id": "ngav.main", "status": "pass", "message": "twice"}),
     "checks.1: ngav.main item None appears twice"),
    (lambda f: f.update(schema=1), "schema: Input should be 2 (got 1)"),
    (lambda f: f.update(area="office"), "cutover_ngav of {host} says it is of area 'office'"),
    (lambda f: f.update(surprise=True), "surprise: Extra inputs are not permitted"),
    (lambda f: f["checks"][0].update(message=""), "checks.0.message: String should have at least 1 character"),
])
def test_a_fact_off_the_contract_is_one_error_naming_the_field(change, needle, tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-24T01:00:00+00:00", hosts)
    for host in hosts:
        write_facts(facts, host)
    doc = json.loads((facts / f"s1_{hosts[0]}").read_text(encoding="utf-8"))
    change(doc["cutover_ngav"])
    (facts / f"s1_{hosts[0]}").write_text(json.dumps(doc), encoding="utf-8")
    checks, _ = ansible.collect(site, runner, facts, AS_OF)
    [check] = [c for c in checks if c.host == hosts[0] and c.area == "ngav"]
    assert (check.id, check.status) == ("ngav.fact_invalid", "error")
    assert needle.format(host=hosts[0]) in check.message and str(facts / f"s1_{hosts[0]}") in check.message


@pytest.mark.parametrize(("fact", "needle"), [
    ("a string", "cutover_office of {host} is not an object"),
    ({"schema": 2, "collected_at": FRESH, "checks": "none"}, "checks: Input should be a valid list"),
    ({"schema": 2, "collected_at": "yesterday", "checks": []}, "collected_at: Input should be a valid datetime"),
    ({"schema": 2, "collected_at": "2026-11-24T01:02:03", "checks": []}, "collected_at: Input should have timezone"),
    ({"schema": 2, "checks": []}, "collected_at: Field required"),
])
def test_malformed_area_facts_are_errors_naming_the_file(fact, needle, tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-24T01:00:00+00:00", hosts)
    for host in hosts:
        write_facts(facts, host)
    doc = json.loads((facts / f"s1_{hosts[0]}").read_text(encoding="utf-8"))
    doc["cutover_office"] = fact
    (facts / f"s1_{hosts[0]}").write_text(json.dumps(doc), encoding="utf-8")
    [check] = [c for c in ansible.collect(site, runner, facts, AS_OF)[0] if c.host == hosts[0] and c.area == "office"]
    assert check.status == "error" and check.id == "office.fact_invalid"
    assert check.message.startswith("could not collect: ")
    assert needle.format(host=hosts[0]) in check.message
    assert check.message.endswith(f" in {facts / ('s1_' + hosts[0])}")


def test_facts_the_roles_build_are_what_the_collector_reads(tmp_path, site, hosts):
    """The one builder and the collector agree: a fact made by role_fact comes back check for check."""
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-24T01:00:00+00:00", hosts)
    built = {f"cutover_{area}": facts_model.role_fact(area, [facts_model.check(f"{area}.main", "pass", "ok")],
                                                      now=dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.UTC))
             for area in ansible.ENDPOINT_AREAS}
    built["cutover_mail"] = facts_model.role_fact(
        "mail", [facts_model.check("mail.outlook", "pass", "set", item="a@x.example"),
                 facts_model.check("mail.outlook", "pending", "Outlook open", item="b@x.example")],
        [facts_model.action("mail.outlook.close_client", "close Outlook", "Outlook を終了")],
        now=dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.UTC))
    facts.mkdir()
    for host in hosts:
        (facts / f"s1_{host}").write_text(json.dumps(built), encoding="utf-8")
    checks, actions = ansible.collect(site, runner, facts, AS_OF)
    found = by_key(checks)
    assert {k: (c.status, c.area) for k, c in found.items() if k.endswith(f"@{hosts[0]}")} == {
        f"ngav.main@{hosts[0]}": ("pass", "ngav"), f"office.main@{hosts[0]}": ("pass", "office"),
        f"fileshare.main@{hosts[0]}": ("pass", "fileshare"),
        f"mail.outlook[a@x.example]@{hosts[0]}": ("pass", "mail"),
        f"mail.outlook[b@x.example]@{hosts[0]}": ("fail", "mail")}
    assert [a.id for a in actions if a.host == hosts[0]] == ["mail.outlook.close_client"]


def test_one_restart_action_per_pc_whatever_number_of_roles_ask(tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "a1", "2026-11-24T01:00:00+00:00", hosts)
    at = dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.UTC)
    facts.mkdir()
    for host in hosts:
        built = {f"cutover_{area}": facts_model.role_fact(
            area, [facts_model.check(f"{area}.main", "pass", "ok")],
            reboot_required=host == hosts[0] and area in ("ngav", "fileshare"), now=at)
            for area in ansible.ENDPOINT_AREAS}
        (facts / f"s1_{host}").write_text(json.dumps(built), encoding="utf-8")
    _, actions = ansible.collect(site, runner, facts, AS_OF)
    restarts = [a for a in actions if a.id == "endpoint.restart_pc"]
    assert [a.host for a in restarts] == [hosts[0]]
    assert restarts[0].message_en == ("Restart this PC: changes wait for a restart (Next-generation antivirus, "
                                      "Cloud file share readiness); the next run checks again")
    assert "再起動" in restarts[0].message_ja


def test_stale_fact_message_names_both_times_and_the_run(tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "r2", "2026-11-24T02:00:00+00:00", hosts, unreachable=(), failed={(hosts[0], "mail_client")})
    for host in hosts:
        write_facts(facts, host, collected_at="2026-11-24T01:00:00Z")
    stale = by_key(ansible.collect(site, runner, facts, AS_OF)[0])[f"mail.collected@{hosts[0]}"]
    assert stale.message == (
        f"could not collect: cached cutover_mail of {hosts[0]} is from 2026-11-24T10:00:00+09:00, older than the "
        "latest run of mail_client (r2, started 2026-11-24T11:00:00+09:00), which failed (mail_client | go)")
    assert stale.data == {"collected_at": "2026-11-24T10:00:00+09:00", "latest_run": "r2",
                          "latest_run_started": "2026-11-24T11:00:00+09:00"}
    quiet = by_key(ansible.collect(site, runner, facts, AS_OF)[0])[f"ngav.collected@{hosts[1]}"]
    assert quiet.message.endswith("which did not record a new one")


def test_hands_on_check_data_for_an_unreachable_pc(tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "r1", "2026-11-21T23:00:00+00:00", hosts)  # 2026-11-22 in Tokyo
    converge(runner, "r2", "2026-11-24T01:00:00+00:00", hosts, unreachable={hosts[0]})
    for host in hosts:
        write_facts(facts, host)
    checks, actions = ansible.collect(site, runner, facts, AS_OF)
    reach = by_key(checks)[f"endpoint.reachable@{hosts[0]}"]
    assert (reach.status, reach.area, reach.source, reach.title_en, reach.title_ja) == (
        "error", "endpoint", "ansible", "PC reachable", "端末への接続")
    assert reach.message == ("unreachable over WinRM in the latest run r2 (psrp: connection timed out); "
                             "last seen 2026-11-22")
    assert reach.data == {"last_seen": "2026-11-22", "days_since_seen": 2,
                          "inventory_last_seen": site.endpoints[0].last_seen.isoformat(),
                          "last_reached_by_ansible": "2026-11-22T08:00:00+09:00"}
    [action] = [a for a in actions if a.host == hosts[0]]
    assert (action.id, action.source) == ("endpoint.by_hand", "ansible")
    assert action.message_en.startswith("Unreachable since 2026-11-22: ")
    assert action.message_ja.startswith("2026-11-22 以降接続できません。")


def test_task_failed_in_the_latest_run(tmp_path, site, hosts):
    runner, facts = tmp_path / "runner", tmp_path / "facts"
    converge(runner, "r1", "2026-11-24T01:00:00+00:00", hosts, failed={(hosts[0], "office_m365")})
    converge(runner, "r0", "2026-11-23T01:00:00+00:00", hosts, failed={(hosts[1], "ngav")})  # older: forgotten
    for host in hosts:
        write_facts(facts, host)
    found = by_key(ansible.collect(site, runner, facts, AS_OF)[0])
    failed = found[f"endpoint.task_failed@{hosts[0]}"]
    assert (failed.status, failed.message) == ("error", "task failed in the latest run r1: office_m365 | go")
    assert failed.data == {"task": "office_m365 | go", "run": "r1"}
    assert f"endpoint.task_failed@{hosts[1]}" not in found


def test_tagged_values_of_ansible_core_2_19_are_read(tmp_path, hosts):
    """ansible-core 2.19's jsonfile cache wraps values: {"__payload__": "…"} and tagged/unsafe values inside."""
    facts = tmp_path / "facts"
    facts.mkdir()
    inner = {"cutover_ngav": {"__ansible_type": "dict", "tags": [], "value": {
        "collected_at": {"__ansible_unsafe": FRESH},
        "checks": [{"id": {"__ansible_type": "str", "value": "ngav.main", "tags": []}, "status": "pass"}],
        "actions": [],
    }}}
    (facts / f"s1_{hosts[0]}").write_text(json.dumps({"__payload__": json.dumps(inner)}), encoding="utf-8")
    assert ansible.read_facts(facts, hosts[0]) == {"cutover_ngav": {
        "collected_at": FRESH, "checks": [{"id": "ngav.main", "status": "pass"}], "actions": []}}
    assert ansible._untag({"__ansible_unsafe": "x", "other": 1}) == {"__ansible_unsafe": "x", "other": 1}
    assert ansible._untag({"__ansible_type": "str"}) == {"__ansible_type": "str"}  # no value: not a tag


def test_fact_cache_file_names_old_and_new(tmp_path):
    facts = tmp_path / "facts"
    facts.mkdir()
    (facts / "p18-dt-001").write_text(json.dumps({"a": 1}), encoding="utf-8")  # before 2.19, lower case
    assert ansible.read_facts(facts, "P18-DT-001") == {"a": 1}
    (facts / "s1_P18-DT-001").write_text(json.dumps({"b": 2}), encoding="utf-8")  # 2.19 first
    assert ansible.read_facts(facts, "P18-DT-001") == {"b": 2}
    assert ansible.read_facts(facts, "P18-DT-002") is None and ansible.read_facts(None, "P18-DT-001") is None
    (facts / "s1_P18-DT-003").write_text("[1, 2]", encoding="utf-8")
    cached = ansible.read_cached(facts, "P18-DT-003")
    assert cached.problem == f"{facts / 's1_P18-DT-003'} does not hold a JSON object of facts"
    assert ansible.read_facts(facts, "P18-DT-003") is None


def test_runner_outcome_answers(tmp_path, hosts):
    runner = tmp_path / "runner"
    converge(runner, "r1", "2026-11-24T01:00:00+00:00", hosts[:2], roles=("ngav",))
    converge(runner, "r2", "2026-11-24T02:00:00+00:00", hosts[:2], roles=("office_m365",), unreachable={hosts[1]})
    outcome = ansible.read_runner_artifacts(runner)
    assert outcome.unreachable == {hosts[1]: "psrp: connection timed out"}
    assert outcome.latest(hosts[0])[0].path.name == "r2"
    assert outcome.latest_for_role(hosts[0], "ngav")[0].path.name == "r1"
    assert outcome.latest_for_role(hosts[1], "ngav")[0].path.name == "r2"  # unreachable counts for every role
    assert outcome.latest_for_role(hosts[0], "mail_client") is None and outcome.latest("P99-DT-001") is None
    assert outcome.last_reached(hosts[1]).isoformat() == "2026-11-24T01:00:00+00:00"
    assert outcome.last_reached("P99-DT-001") is None
    assert outcome.runs[1].hosts[hosts[0]].roles == {"office_m365"}
    assert ansible.read_runner_artifacts(None).runs == [] and ansible.read_runner_artifacts(tmp_path / "no").runs == []


def test_events_without_a_host_or_a_time_are_handled(tmp_path, hosts):
    runner = tmp_path / "runner"
    runner_event(runner, 1, "runner_on_ok", hosts[0], run="t", created="2026-11-24T03:00:00+00:00",
                 remote_addr="ignored")
    runner_event(runner, 2, "runner_on_unreachable", None, run="t", remote_addr=hosts[1].lower())
    runner_event(runner, 3, "verbose", hosts[2], run="t")  # not a host event
    runner_event(runner, 4, "runner_on_failed", hosts[0], run="t", task="ignored", ignore_errors=True)
    runner_event(runner, 5, "runner_on_unreachable", hosts[0], run="t", res="not a dict")
    [run] = ansible.read_runner_artifacts(runner).runs
    assert set(run.hosts) == {hosts[0], hosts[1]}
    assert run.hosts[hosts[1]].unreachable == "unreachable" and run.hosts[hosts[0]].failed == []
    assert run.hosts[hosts[0]].unreachable == "unreachable"
    assert run.started.isoformat() == "2026-11-24T01:00:00+00:00"  # the earliest event (no playbook_on_start)
    notime = tmp_path / "notime"
    events = notime / "artifacts" / "x" / "job_events"
    events.mkdir(parents=True)
    (events / "1-a.json").write_text(json.dumps({"event": "runner_on_ok", "event_data": {"host": hosts[0]}}),
                                     encoding="utf-8")
    (events / "2-b.json").write_text("[]", encoding="utf-8")
    outcome = ansible.read_runner_artifacts(notime)
    assert outcome.runs == [] and len(outcome.problems) == 2
    assert outcome.problems[0] == f"{events / '2-b.json'}: not a job event (a JSON object)"
    assert outcome.problems[1] == f"{events.parent}: no event carries a time, so the run cannot be ordered"


def test_migration_checks_only_for_the_site_and_its_server(tmp_path, site):
    facts = tmp_path / "facts"
    facts.mkdir()
    server = site.config.file_shares[0].legacy_unc.strip("\\").split("\\")[0].upper()
    fact = {"cutover_migration": {"schema": 2, "collected_at": FRESH, "actions": [], "checks": [
        {"id": "migration.verify.shared", "status": "pass", "message": "match", "data": {"site": SITE}},
        {"id": "migration.verify.docs", "status": "fail", "message": "x", "data": {"site": "pref-36-tokushima"}}]}}
    (facts / f"s1_{server}").write_text(json.dumps(fact), encoding="utf-8")
    [check] = [c for c in ansible.collect(site, None, facts, AS_OF)[0] if c.area == "migration"]
    assert (check.id, check.host, check.status, check.title_en) == ("migration.verify.shared", server, "pass",
                                                                    "Data migration")
    assert check.data == {"site": SITE, "collected_at": FRESH, "pending": False}
    (facts / f"s1_{server}").write_text(json.dumps({"ansible_facts": {}}), encoding="utf-8")
    assert [c for c in ansible.collect(site, None, facts, AS_OF)[0] if c.area == "migration"] == []


def test_an_unreachable_file_server_is_an_error(tmp_path, site):
    server = site.config.file_shares[0].legacy_unc.strip("\\").split("\\")[0].upper()
    runner = tmp_path / "runner"
    runner_event(runner, 1, "playbook_on_start", None, run="m", created="2026-11-24T01:00:00+00:00")
    runner_event(runner, 2, "runner_on_unreachable", server, run="m", res={"msg": "no route"})
    [check] = [c for c in ansible.collect(site, runner, None, AS_OF)[0] if c.area == "migration"]
    assert (check.id, check.status, check.host) == ("migration.server_reachable", "error", server)
    assert check.message == f"could not collect: file server {server} unreachable in the latest run m (no route)"
