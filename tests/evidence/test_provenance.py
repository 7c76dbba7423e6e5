"""Every evidence file and report says which code made it from which inputs, for whom, where and when (Tokyo)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import socket
import subprocess

import pytest

from cutover.evidence import provenance
from cutover.evidence.collect import Sources, collect_site
from tests.report.conftest import AS_OF, SITE

GITHUB = {"GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": "1234567", "GITHUB_RUN_ATTEMPT": "2",
          "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "union-example/cutover",
          "GITHUB_WORKFLOW": "nightly", "GITHUB_REF": "refs/heads/main", "GITHUB_SHA": "a" * 40,
          "GITHUB_ACTOR": "prefecture-bot"}


@pytest.fixture
def no_ci(monkeypatch):
    for name in [*GITHUB, "CUTOVER_OPERATOR"]:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def evidence(sample_inventory, plan_dir, endpoint_artefacts, tmp_path, no_ci):
    junit = tmp_path / "verify.xml"
    junit.write_text('<?xml version="1.0"?><testsuites/>', encoding="utf-8")
    sources = Sources(plan_dir, endpoint_artefacts["runner"], endpoint_artefacts["facts"], (junit,))
    return collect_site(sample_inventory, sample_inventory.sites[SITE], sources, AS_OF), sources


def test_evidence_carries_commit_operator_host_and_tokyo_times(evidence, project_root):
    doc, _ = evidence
    run = doc.run
    head = subprocess.run(["git", "-C", str(project_root), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert run.git_commit == head and isinstance(run.git_dirty, bool)
    assert run.host == socket.gethostname() and run.operator
    assert run.ci is None and run.as_of == AS_OF
    assert run.generated_at.utcoffset() == dt.timedelta(hours=9)
    assert {c.timestamp.utcoffset() for c in doc.checks} == {dt.timedelta(hours=9)}
    assert doc.model_dump(mode="json")["run"]["generated_at"].endswith("+09:00")


def test_every_input_is_named_with_its_sha256(evidence, sample_inventory):
    doc, sources = evidence
    inputs = {i.role: i for i in doc.run.inputs}
    assert set(inputs) == {"inventory", "plan", "runner", "facts", "junit"}
    junit = sources.junit[0]
    assert inputs["junit"].sha256 == hashlib.sha256(junit.read_bytes()).hexdigest()
    assert inputs["junit"].path == str(junit.resolve())
    assert inputs["plan"].files == len(list(sources.plan_dir.glob("*.json"))) and len(inputs["plan"].sha256) == 64
    assert inputs["inventory"].path == str(sample_inventory.root)


def test_a_folder_digest_changes_with_any_file(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.json").write_text("1", encoding="utf-8")
    before = provenance.digest("facts", tmp_path)
    (tmp_path / "a" / "one.json").write_text("2", encoding="utf-8")
    changed = provenance.digest("facts", tmp_path)
    (tmp_path / "a" / "one.json").rename(tmp_path / "a" / "two.json")
    renamed = provenance.digest("facts", tmp_path)
    assert len({before.sha256, changed.sha256, renamed.sha256}) == 3 and before.files == 1
    assert provenance.digest("plan", None).note == "not given"
    assert provenance.digest("plan", tmp_path / "missing").sha256 is None


def test_ci_run_and_operator_from_github_actions():
    ci = provenance.ci_run(GITHUB)
    assert ci.run_id == "1234567" and ci.workflow == "nightly"
    assert ci.url == "https://github.com/union-example/cutover/actions/runs/1234567/attempts/2"
    assert provenance.operator(GITHUB) == "prefecture-bot"
    assert provenance.operator({**GITHUB, "CUTOVER_OPERATOR": "木村 恵"}) == "木村 恵"
    assert provenance.ci_run({"GITHUB_RUN_ID": "1"}) is None  # not in GitHub Actions


def test_ci_run_reaches_the_evidence(sample_inventory, plan_dir, monkeypatch):
    for key, value in GITHUB.items():
        monkeypatch.setenv(key, value)
    doc = collect_site(sample_inventory, sample_inventory.sites[SITE], Sources(plan_dir), AS_OF)
    assert doc.run.ci.run_id == "1234567" and doc.run.operator == "prefecture-bot"


def test_an_early_morning_run_is_today_in_tokyo():
    utc = dt.datetime(2026, 11, 23, 22, 30, tzinfo=dt.UTC)
    assert provenance.in_tokyo(utc).date() == dt.date(2026, 11, 24)
    assert provenance.in_tokyo(dt.datetime(2026, 11, 23, 22, 30)).hour == 7  # naive times are UTC


def test_published_schema_names_the_provenance_fields(project_root):
    schema = json.loads((project_root / "docs" / "evidence-schema.json").read_text(encoding="utf-8"))
    fields = set(schema["$defs"]["RunMetadata"]["properties"])
    assert {"git_commit", "git_dirty", "ci", "operator", "host", "as_of", "inputs", "generated_at"} <= fields
    assert schema["properties"]["schema_version"]["const"] == "2.1"


def test_git_answers_from_the_project_checkout(project_root):
    head = subprocess.run(["git", "-C", str(project_root), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout
    assert provenance._git("rev-parse", "HEAD") == head  # text, exactly as git prints it
    assert provenance._git("rev-parse", "--verify", "no-such-ref-anywhere") is None  # git failed: no answer


def test_outside_a_git_checkout_commit_and_dirty_are_unknown(tmp_path, monkeypatch):
    monkeypatch.setattr(provenance, "PROJECT_ROOT", tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    provenance.git_state.cache_clear()
    try:
        assert provenance.git_state() == (None, None)
    finally:
        provenance.git_state.cache_clear()


def test_dirty_follows_git_status(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "a.txt").write_text("1", encoding="utf-8")
    subprocess.run(["git", "-C", str(repo), "add", "a.txt"], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", "one"], check=True)
    monkeypatch.setattr(provenance, "PROJECT_ROOT", repo)
    provenance.git_state.cache_clear()
    try:
        commit, dirty = provenance.git_state()
        assert len(commit) == 40 and dirty is False
        (repo / "a.txt").write_text("2", encoding="utf-8")
        provenance.git_state.cache_clear()
        assert provenance.git_state() == (commit, True)
    finally:
        provenance.git_state.cache_clear()


def test_aware_times_keep_their_instant_and_naive_times_are_utc_whatever_the_local_zone(monkeypatch):
    import time

    tokyo = dt.datetime(2026, 11, 24, 9, 30, tzinfo=provenance.TOKYO)
    assert provenance.in_tokyo(tokyo) == tokyo and provenance.in_tokyo(tokyo).hour == 9
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert provenance.in_tokyo(dt.datetime(2026, 11, 23, 22, 30)).isoformat() == "2026-11-24T07:30:00+09:00"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_now_and_today_are_in_tokyo():
    moment = provenance.now()
    assert moment.utcoffset() == dt.timedelta(hours=9) and moment.microsecond == 0
    assert provenance.today() in (moment.date(), provenance.now().date())


def test_operator_falls_back_to_the_login_name(monkeypatch):
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "kimura")
    assert provenance.operator({}) == "kimura"
    assert provenance.operator({"GITHUB_ACTIONS": "true"}) == "kimura"  # no actor named

    def no_user():
        raise KeyError("no passwd entry")

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert provenance.operator({}) == "unknown"
    assert provenance.hostname() == socket.gethostname()


def test_ci_url_needs_the_server_and_the_repository():
    without = {k: v for k, v in GITHUB.items() if k != "GITHUB_REPOSITORY"}
    assert provenance.ci_run(without).url is None and provenance.ci_run(without).run_id == "1234567"
    first = {k: v for k, v in GITHUB.items() if k != "GITHUB_RUN_ATTEMPT"}
    assert provenance.ci_run(first).url == "https://github.com/union-example/cutover/actions/runs/1234567"
    assert provenance.ci_run({**GITHUB, "GITHUB_ACTIONS": "false"}) is None
    assert provenance.ci_run({**GITHUB, "GITHUB_RUN_ID": ""}) is None
    ci = provenance.ci_run(GITHUB)
    assert (ci.provider, ci.run_attempt, ci.ref, ci.sha) == ("github-actions", "2", "refs/heads/main", "a" * 40)
