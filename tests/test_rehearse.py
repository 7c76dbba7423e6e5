"""The main job end to end: every stage runs from any working directory, and its answers agree.

One rehearsal of three small prefectures (Okayama and Yamagata of wave 1: every PC answers; Akita of
wave 3: one PC has been offline for months) is started from another directory with a relative --out;
a second run of Okayama changes nothing on the twin and reports drift against the first. For every
site the rehearsal's own verdict line, the report and `cutover gate` give the same answer. The two
sites of wave 1 share one converge run and one run per migration pass, and each site's evidence
still holds its own PCs only.

How the runs are scheduled (the stages replaced): the PCs' converge and the file servers' migration at the
same time, up to ``converge_runs`` waves' converge runs at once (largest first), and one failure or Ctrl-C
cancelling every other run.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cutover import gate
from cutover.cli import app
from cutover.evidence.collect import load_named
from cutover.evidence.collectors.ansible import read_runner_artifacts
from cutover.inventory import load_inventory
from cutover.rehearse import Rehearsal
from cutover.runner import PROJECT_ROOT, run_playbook

AS_OF = "2026-11-24"
SITES = ("pref-33-okayama", "pref-05-akita", "pref-06-yamagata")
GATE_EXIT = {"go": 0, "no-go": 1, "go-on-plan": 3}


def module_calls(out: Path) -> dict[str, int]:
    return {p.name: json.loads(p.read_text())["module_calls"]["total"] for p in (out / "twin").rglob("*.json")}


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    relative = "runs/rehearsal"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(elsewhere)
        first = CliRunner().invoke(app, ["rehearse", "--site", "33", "--site", "05", "--site", "06",
                                         "--out", relative, "--as-of", AS_OF, "--latency", "1.5",
                                         "--jitter", "0.3"])
        out = elsewhere / relative
        calls = module_calls(out)
        report = json.loads((out / "report" / "report.json").read_text(encoding="utf-8"))
        second = CliRunner().invoke(app, ["rehearse", "--site", "33", "--out", relative, "--as-of", AS_OF])
    return {"out": out, "relative": relative, "first": first, "second": second, "calls": calls,
            "first_report": report}


def test_runs_from_another_directory_with_a_relative_out(rehearsal):
    out, first = rehearsal["out"], rehearsal["first"]
    assert first.exit_code in (0, 1, 3), first.output
    for site in SITES:
        assert (out / "plan" / f"{site}.json").exists() and (out / "evidence" / f"{site}.json").exists()
        assert (out / "verify" / f"{site}.xml").exists() and (out / "report" / f"{site}.html").exists()
    assert not (PROJECT_ROOT / rehearsal["relative"].split("/")[0]).exists()  # nothing written beside the code
    evidence = load_named(out / "evidence")
    assert {"pulumi", "ansible", "testinfra", "survey", "inventory"} <= {c.source for c in evidence[SITES[0]].checks}
    assert any(c.source == "testinfra" and c.status == "pass" for c in evidence[SITES[1]].checks)


def test_cli_report_and_gate_agree_on_every_site(rehearsal):
    out, first = rehearsal["out"], rehearsal["first"]
    printed = {site: (readiness, verdict) for site, readiness, verdict
               in re.findall(r"^verdict (\S+): readiness (\S+), gate (\S+)$", first.stdout, re.M)}
    assert set(printed) == set(SITES), first.stdout
    report = {s["summary"]["site"]: s["summary"] for s in rehearsal["first_report"]["sites"]}
    assert set(report) == set(SITES)
    for site in SITES:
        readiness, verdict = printed[site]
        assert (report[site]["readiness"], report[site]["gate"]["verdict"]) == (readiness, verdict)
        # the second run (Okayama only) moved Okayama's first evidence to evidence-previous
        folder = out / ("evidence-previous" if site == SITES[0] else "evidence")
        result = CliRunner().invoke(app, ["gate", site, "--evidence", str(folder), "--as-of", AS_OF])
        assert result.exit_code == GATE_EXIT[verdict], result.output
        assert f"site readiness: {readiness} " in result.stdout
    worst = {r for r, _ in printed.values()}
    expected = 1 if "not-ready" in worst else 3 if "ready-on-plan" in worst else 0
    assert first.exit_code == expected


def test_a_rehearsal_is_never_a_plain_go(rehearsal):
    """Nothing is deployed in a rehearsal: backups exist only in the plan."""
    for summary in (s["summary"] for s in rehearsal["first_report"]["sites"]):
        assert summary["gate"]["verdict"] != "go" and summary["readiness"] != "ready"
        backups = next(c for c in summary["gate"]["conditions"] if c["id"] == "backups-exist")
        assert backups["result"] == "on_plan" and "deploy" in backups["why"]


def test_the_offline_pc_blocks_its_site_and_is_hands_on_work(rehearsal):
    report = {s["summary"]["site"]: s for s in rehearsal["first_report"]["sites"]}
    akita = report["pref-05-akita"]
    reach = [c for c in akita["checks"] if c["id"] == "endpoint.reachable"]
    assert [c["host"] for c in reach] == ["P05-NB-005"] and reach[0]["status"] == "error"
    action = next(a for a in akita["actions"] if a["host"] == "P05-NB-005")
    assert reach[0]["data"]["last_seen"] in action["message_ja"]
    pcs = next(c for c in akita["summary"]["gate"]["conditions"] if c["id"] == "pcs-ready")
    assert pcs["result"] == "fail" and "P05-NB-005" in pcs["why"]
    assert akita["summary"]["readiness"] == "not-ready"


def test_rerun_changes_nothing_and_reports_drift_against_the_last_run(rehearsal):
    out, first, second = rehearsal["out"], rehearsal["first"], rehearsal["second"]
    assert "0 changed" in second.stdout, second.output
    assert (out / "evidence-previous" / "pref-33-okayama.json").exists()
    assert not (out / "evidence-previous" / "pref-05-akita.json").exists()  # not rehearsed again
    again = module_calls(out)
    assert set(again) == set(rehearsal["calls"]) and all(again[k] >= rehearsal["calls"][k] for k in again)
    report = json.loads((out / "report" / "report.json").read_text(encoding="utf-8"))
    [okayama] = report["sites"]
    assert okayama["drift"] is not None and set(okayama["drift"]) == {"missing_now", "new_now", "changed"}
    assert all("title_ja" in row for bucket in okayama["drift"].values() for row in bucket)
    first_verdict = re.search(r"^verdict pref-33-okayama: (.*)$", first.stdout, re.M).group(1)
    assert re.search(r"^verdict pref-33-okayama: (.*)$", second.stdout, re.M).group(1) == first_verdict
    previous = load_named(out / "evidence-previous")["pref-33-okayama"]
    current = load_named(out / "evidence")["pref-33-okayama"]
    assert current.run.generated_at >= previous.run.generated_at
    assert gate.Readiness(okayama["summary"]["readiness"]) is not gate.Readiness.READY


def _runs(out: Path, prefix: str) -> dict[str, set[str]]:
    """Runner folders whose name starts with ``prefix``: the hosts each one's runs touched."""
    found: dict[str, set[str]] = {}
    for run in read_runner_artifacts(out / "runner").runs:
        folder = run.path.parent.parent.name  # <out>/runner/<name>/artifacts/<ident>
        if folder.startswith(prefix):
            found.setdefault(folder, set()).update(run.hosts)
    return found


def test_one_converge_run_per_wave_over_all_its_sites(rehearsal):
    inventory = load_inventory()
    pcs = {s: {e.hostname for e in inventory.sites[s].endpoints} for s in SITES}
    converge = _runs(rehearsal["out"], "endpoints-")
    # first run: wave 1 (Okayama, Yamagata) in one run over both sites' PCs, wave 3 (Akita alone) in the
    # site's run; the second run (Okayama alone) in Okayama's
    [wave_1] = [name for name in converge if name.startswith("endpoints-wave_1-")]
    assert set(converge) == {wave_1, "endpoints-site_pref_05_akita", "endpoints-site_pref_33_okayama"}
    assert converge[wave_1] == pcs["pref-33-okayama"] | pcs["pref-06-yamagata"]
    assert converge["endpoints-site_pref_05_akita"] == pcs["pref-05-akita"]
    migration = _runs(rehearsal["out"], "file-migration-")
    assert sorted(name.rsplit("-", 1)[1] for name in migration if "wave_1" in name) == [
        "delta", "final", "scan", "seed"]  # one run per pass for the wave, not per site
    assert all(hosts == {"DC-FS01"} for hosts in migration.values())


def test_each_site_evidence_holds_its_own_pcs_and_migration(rehearsal):
    inventory = load_inventory()
    evidence = load_named(rehearsal["out"] / "evidence")
    for site in SITES:
        pcs = {e.hostname for e in inventory.sites[site].endpoints}
        hosts = {c.host for c in evidence[site].checks if c.source == "ansible" and c.host}
        assert hosts == pcs | {"DC-FS01"}, site
        migration = [c for c in evidence[site].checks if c.source == "ansible" and c.area == "migration"]
        # the wave's one run per pass migrated both wave-1 sites on DC-FS01: each sees only its own share passes
        assert {c.id for c in migration} >= {"migration.scan", "migration.final_pass"}, site
        assert all(c.data.get("site") == site for c in migration), site
        assert {a.host for a in evidence[site].actions} <= pcs | {"DC-FS01", None}, site


def test_the_real_wave_estimate_is_printed_from_the_counted_calls(rehearsal):
    first = rehearsal["first"]
    line = re.search(r"^estimate converge: rehearsed in ([\d.]+) s; real PCs at 1.5 ± 0.3 s per call: (\d+) s = "
                     r"([\d.]+) s measured \+ (\d+) s waiting \((\d+) PCs x ([\d.]+) calls, forks 20; "
                     r"at least (\d+) s\)$", first.stdout, re.M)
    assert line, first.stdout
    rehearsed, total, measured, waiting, pcs, per_pc, lower = map(float, line.groups())
    answering = {name for name, calls in rehearsal["calls"].items() if calls and not name.startswith("DC-")}
    assert pcs == len(answering) >= 30  # every PC that answers (not Akita's offline one) made calls
    assert rehearsed == measured and abs(total - (measured + waiting)) <= 1
    assert abs(lower - max(measured, waiting)) <= 1
    expected = max(1.5 * per_pc, 1.5 * per_pc * pcs / 20)  # one PC's chain, or the calls over 20 forks
    assert 0.8 * expected <= waiting <= 1.3 * expected, (waiting, expected)
    assert re.search(r"^estimate verify: .* \(\d+ PCs x 1.0 calls", first.stdout, re.M)  # one probe per PC


@pytest.mark.parametrize(("args", "message"), [
    (["--jitter", "0.3"], "need --latency"),
    (["--inject-latency"], "need --latency"),
    (["--latency", "1", "--jitter", "2"], "jitter at most the latency"),
])
def test_latency_options_that_make_no_sense_are_refused_before_anything_runs(tmp_path, args, message):
    result = CliRunner().invoke(app, ["rehearse", "--site", "33", "--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "out").exists()


# --- the schedule --------------------------------------------------------------------------------

WAVE_SITES = ("pref-18-fukui", "pref-33-okayama", "pref-06-yamagata", "pref-05-akita")  # waves 0, 1, 1, 3


def stubbed(inventory, tmp_path, **kwargs) -> Rehearsal:
    sites = [inventory.sites[s] for s in WAVE_SITES]
    r = Rehearsal(inventory, sites, tmp_path, dt.date(2026, 11, 24), **kwargs)
    for stage in ("plan", "twin", "verify", "evidence", "report"):
        setattr(r, stage, lambda: None)
    return r


def test_converge_and_migration_run_at_the_same_time(sample_inventory, tmp_path):
    r = stubbed(sample_inventory, tmp_path)
    both = threading.Barrier(2, timeout=10)  # broken (an error) unless both stages are running at once
    r.converge = lambda: both.wait()
    r.migrate = lambda: both.wait()
    r.run()
    assert list(r.timings) == ["plan", "twin", "converge", "migrate", "verify", "evidence", "report"]


def test_waves_converge_two_at_a_time_largest_first(sample_inventory, tmp_path):
    r = stubbed(sample_inventory, tmp_path, converge_runs=2)
    started, running, most = [], [0], [0]
    lock = threading.Lock()

    def wave_run(wave, sites):
        with lock:
            started.append(wave)
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.3)
        with lock:
            running[0] -= 1

    r._converge_wave = wave_run
    r.converge()
    sizes = {w: sum(len(s.endpoints) for s in sites) for w, sites in r.waves().items()}
    assert sorted(started) == sorted(sizes) and most[0] == 2
    assert started[0] == max(sizes, key=sizes.get)


def test_one_failed_run_cancels_the_others_and_is_raised(sample_inventory, tmp_path):
    r = stubbed(sample_inventory, tmp_path)
    seen = {}

    def failing():
        raise RuntimeError("ansible-runner did not run the playbook")

    def long_run():
        seen["cancelled"] = r._cancel.wait(timeout=10)

    with pytest.raises(RuntimeError, match="did not run"):
        r._concurrently([long_run, failing], at_once=2)
    assert seen["cancelled"] is True


def test_a_cancelled_run_ends_as_an_interruption(tmp_path):
    # what a run in a rehearsal thread does when the main thread got Ctrl-C (ansible-runner: status canceled)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(KeyboardInterrupt):
        run_playbook("endpoints.yml", "site_pref_18_fukui", tmp_path, twin_dir=tmp_path / "twin",
                     sites=["pref-18-fukui"], cancel=cancel)
