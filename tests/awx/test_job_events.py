"""Evidence from AWX: job events as the API exports them give the same checks as ansible-runner artefacts.

The fixture (tests/awx/fixtures/job_events/) is two jobs' `/api/v2/jobs/<id>/job_events/` pages: job 4127
converges wave 0 (P18-NB-004 unreachable over PSRP, a failed NGAV install on P36-DT-001, an ignored failure on
P18-DT-002), job 4131 retries P18-NB-004 a day later and reaches it. Its event data was recorded from a real
ansible-runner 2.4.3 run and shaped like AWX's API answer (fields of JobEventSerializer, pages of its
Pagination, events listed by start_line).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cutover.cli import app
from cutover.evidence.collectors import ansible, awx

FIXTURE = Path(__file__).parent / "fixtures" / "job_events"
AS_OF = dt.date(2027, 2, 3)
# JobEventSerializer fields: BaseSerializer's ('id', 'type', 'url', 'related', 'summary_fields', 'created',
# 'modified') without name/description, plus its own list (awx/api/serializers.py, https://github.com/ansible/awx).
JOB_EVENT_FIELDS = {
    "id", "type", "url", "related", "summary_fields", "created", "modified", "job", "event", "counter",
    "event_display", "event_data", "event_level", "failed", "changed", "uuid", "parent_uuid", "host", "host_name",
    "playbook", "play", "task", "role", "stdout", "start_line", "end_line", "verbosity",
}
PAGE_FIELDS = {"count", "next", "previous", "results"}


def pages(folder: Path = FIXTURE) -> list[Path]:
    return sorted(folder.rglob("*.json"))


def only_job(tmp_path: Path, job: int) -> Path:
    target = tmp_path / f"job-{job}"
    shutil.copytree(FIXTURE / f"job-{job}", target)
    return target


def as_runner_artifacts(folder: Path, target: Path) -> Path:
    """The same events as ansible-runner writes them (<private>/artifacts/<ident>/job_events/<counter>-<uuid>.json)."""
    for page in pages(folder):
        for event in json.loads(page.read_text(encoding="utf-8"))["results"]:
            events = target / str(event["job"]) / "artifacts" / str(event["job"]) / "job_events"
            events.mkdir(parents=True, exist_ok=True)
            runner_event = {key: event[key] for key in ("uuid", "counter", "stdout", "start_line", "end_line",
                                                         "event", "event_data", "created")}
            runner_event |= {"runner_ident": str(event["job"]), "parent_uuid": event["parent_uuid"]}
            (events / f"{event['counter']}-{event['uuid']}.json").write_text(json.dumps(runner_event), "utf-8")
    return target


def comparable(checks, actions):
    return (sorted((c.id, c.host, c.status, c.area, c.message, json.dumps(c.data, sort_keys=True)) for c in checks),
            sorted((a.id, a.host, a.message_en, a.message_ja) for a in actions))


def test_fixture_is_in_the_api_format(sample_inventory):
    hosts = {e.hostname for s in sample_inventory.sites.values() for e in s.endpoints}
    assert pages(), "fixture missing"
    for page_path in pages():
        page = json.loads(page_path.read_text(encoding="utf-8"))
        assert set(page) == PAGE_FIELDS, page_path
        for event in page["results"]:
            assert set(event) == JOB_EVENT_FIELDS, page_path
            assert event["url"] == f"/api/v2/job_events/{event['id']}/"
            if event["host_name"]:
                assert event["host_name"] in hosts, "fixture hosts come from the sample inventory"
                assert event["host_name"] == event["event_data"]["host"]
        lines = [e["start_line"] for e in page["results"]]
        assert lines == sorted(lines), "the API lists a job's events by start_line"


@pytest.mark.parametrize("site_id", ["pref-18-fukui", "pref-36-tokushima"])
@pytest.mark.parametrize("jobs", [(4127,), (4127, 4131)])
def test_same_checks_as_the_runner_artifacts(tmp_path, sample_inventory, site_id, jobs):
    folder = tmp_path / "awx"
    for job in jobs:
        shutil.copytree(FIXTURE / f"job-{job}", folder / f"job-{job}")
    runner_dir = as_runner_artifacts(folder, tmp_path / "runner")
    site = sample_inventory.sites[site_id]
    facts = fact_cache(tmp_path / "facts", site)
    from_runner = ansible.collect(site, runner_dir, facts, AS_OF)
    from_awx = ansible.collect(site, None, facts, AS_OF, awx.read_job_events(folder))
    assert comparable(*from_awx) == comparable(*from_runner)
    statuses = {c.status for c in from_awx[0]}
    assert "pass" in statuses
    # Wave 0 without the retry has an error in both sites; with it, Fukui's only error is gone.
    assert ("error" in statuses) == (jobs == (4127,) or site_id == "pref-36-tokushima")


def fact_cache(folder: Path, site) -> Path:
    """What the roles cache for every PC of the site (jsonfile cache, one file per host; every PC publishes
    each endpoint area's fact, and the evidence collector requires all of them)."""
    folder.mkdir()
    for endpoint in site.endpoints:
        fact = {f"cutover_{area}": {"collected_at": "2027-02-01T00:30:09+00:00", "actions": [], "checks": [
            {"id": f"{area}.installed", "status": "pass", "message": f"{area} ready", "data": {}}]}
            for area in ansible.ENDPOINT_AREAS}
        (folder / endpoint.hostname).write_text(json.dumps(fact), encoding="utf-8")
    return folder


def test_unreachable_host_is_an_error_with_the_hands_on_action(tmp_path, sample_inventory):
    folder = only_job(tmp_path, 4127)
    checks, actions = ansible.collect(sample_inventory.sites["pref-18-fukui"], None, None, AS_OF,
                                      awx.read_job_events(folder))
    reach = {c.host: c for c in checks if c.id == "endpoint.reachable"}
    assert reach["P18-NB-004"].status == "error" and "psrp connection failure" in reach["P18-NB-004"].message
    # PCs the job did not touch were not checked either: errors too, never a pass (and hands-on work).
    assert all("no Ansible result for this PC" in c.message for h, c in reach.items() if h != "P18-NB-004")
    assert {(a.id, a.host) for a in actions} == {("endpoint.by_hand", h) for h in reach}
    assert "P18-DT-002" not in {c.host for c in checks if c.id == "endpoint.task_failed"}, \
        "an ignored failure is not a failed task"


def test_failed_task_is_an_error(tmp_path, sample_inventory):
    folder = only_job(tmp_path, 4127)
    checks, _ = ansible.collect(sample_inventory.sites["pref-36-tokushima"], None, None, AS_OF,
                                awx.read_job_events(folder))
    failed = [(c.host, c.status, c.data["task"]) for c in checks if c.id == "endpoint.task_failed"]
    assert failed == [("P36-DT-001", "error", "NGAV | Install the NGAV package")]


def test_a_later_job_that_reaches_the_host_clears_it_whatever_the_file_order(tmp_path):
    folder = tmp_path / "awx"
    folder.mkdir()
    # File names that sort the later job first: order must come from job and counter, not from names.
    for index, page in enumerate(sorted(pages(FIXTURE / "job-4131"))):
        shutil.copy(page, folder / f"a-{index}.json")
    for index, page in enumerate(reversed(pages(FIXTURE / "job-4127"))):
        shutil.copy(page, folder / f"b-{index}.json")
    outcome = awx.read_job_events(folder)
    assert outcome.unreachable == {}
    assert outcome.failed == {"P36-DT-001": ["NGAV | Install the NGAV package"]}
    assert len(outcome.runs) == 2
    # And the other way round: unreachable last means unreachable.
    events = awx.load_events(folder)
    assert [(e["job"], e["counter"]) for e in events] == sorted((e["job"], e["counter"]) for e in events)


def test_the_same_page_twice_counts_once(tmp_path):
    folder = only_job(tmp_path, 4127)
    shutil.copy(folder / "page-2.json", folder / "page-2-again.json")
    assert len(awx.load_events(folder)) == 24


def test_a_missing_page_is_bad_input(tmp_path):
    folder = only_job(tmp_path, 4127)
    (folder / "page-2.json").unlink()
    with pytest.raises(awx.JobEventsError, match=r"job 4127 has count 24 but the pages hold 14 events"):
        awx.read_job_events(folder)


def test_a_file_that_is_not_a_page_is_bad_input(tmp_path):
    folder = only_job(tmp_path, 4127)
    (folder / "job.json").write_text(json.dumps({"id": 4127, "status": "failed"}), encoding="utf-8")
    with pytest.raises(awx.JobEventsError, match=r"job\.json: not an AWX job events page"):
        awx.read_job_events(folder)


def test_cli_collects_awx_events(tmp_path, inventory_copy):
    folder = only_job(tmp_path, 4127)
    out = tmp_path / "evidence"
    result = CliRunner().invoke(app, ["evidence", "collect", "--site", "18", "--awx-events", str(folder),
                                      "--out", str(out), "--inventory", str(inventory_copy), "--as-of", "2027-02-03"])
    assert result.exit_code == 0, result.output
    evidence = json.loads((out / "pref-18-fukui.json").read_text(encoding="utf-8"))
    [awx_input] = [i for i in evidence["run"]["inputs"] if i["role"] == "awx_events"]
    assert awx_input["path"] == str(folder.resolve()) and len(awx_input["sha256"]) == 64
    reach = {c["host"]: c for c in evidence["checks"] if c["id"] == "endpoint.reachable"}
    assert reach["P18-NB-004"]["status"] == "error" and "psrp connection failure" in reach["P18-NB-004"]["message"]


def test_cli_refuses_an_incomplete_export_and_writes_nothing(tmp_path, inventory_copy):
    folder = only_job(tmp_path, 4127)
    (folder / "page-3.json").unlink()
    out = tmp_path / "evidence"
    result = CliRunner().invoke(app, ["evidence", "collect", "--site", "18", "--awx-events", str(folder),
                                      "--out", str(out), "--inventory", str(inventory_copy)])
    assert result.exit_code == 2
    assert "job 4127 has count 24" in result.output
    assert not out.exists()
