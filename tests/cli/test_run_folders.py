"""Every command's default folders are the rehearsal's, and a rehearsal's converge and verify show PC counts.

One rehearsal of Akita (11 PCs, one offline for months) with no --out, from an empty working directory;
then `cutover gate 05`, `cutover report`, `cutover evidence collect --site 05`, `cutover twin show` and
`cutover converge --site 05 --twin …` with their defaults read what it wrote. The CLI runner is not a
terminal: progress comes as plain lines, without escape codes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from cutover.cli import app
from cutover.evidence.collect import load_file
from cutover.inventory import load_inventory
from cutover.progress import PcCounts, final_task
from cutover.run_folders import REHEARSAL, RunFolders
from cutover.runner import PLAYBOOKS

AS_OF = "2026-11-24"
SITE, CODE = "pref-05-akita", "05"
ROOT_COMMAND = typer.main.get_command(app)
GATE_EXIT = {"go": 0, "no-go": 1, "go-on-plan": 3}


def command(*path: str):
    found = ROOT_COMMAND
    for name in path:
        found = found.commands[name]
    return found


def default(path: tuple[str, ...], name: str) -> Path:
    return next(p.default for p in command(*path).params if p.name == name)


def every_command(group=ROOT_COMMAND, prefix: tuple[str, ...] = ()):
    for name, sub in group.commands.items():
        if hasattr(sub, "commands"):
            yield from every_command(sub, (*prefix, name))
        else:
            yield (*prefix, name), sub


# Which folder of a rehearsal each command's option reads or adds to (the folders come from cutover.run_folders).
READS_A_REHEARSAL = {
    (("gate",), "evidence"): "evidence", (("report",), "evidence"): "evidence", (("report",), "out"): "report",
    (("evidence", "collect"), "out"): "evidence", (("verify",), "out"): "verify", (("plan",), "out"): "plan",
    (("twin", "build"), "out"): "twin", (("twin", "console-uninstall"), "out"): "twin",
    (("twin", "show"), "out"): "twin",
    (("converge",), "out"): "root", (("migration", "run"), "out"): "root",
}
NOT_RUN_OUTPUT = {(("stacks", "sync"), "directory")}  # the project's Pulumi stack files, not a run's


def test_defaults_are_the_rehearsals_folders():
    rehearsal = RunFolders(default(("rehearse",), "out"))
    assert rehearsal == REHEARSAL
    for (path, name), folder in READS_A_REHEARSAL.items():
        assert default(path, name) == getattr(rehearsal, folder), (path, name)


def test_no_command_defaults_to_a_folder_outside_the_rehearsal():
    """A new command cannot bring back a folder of its own (build/evidence beside build/rehearsal/evidence)."""
    root = default(("rehearse",), "out")
    for path, cmd in every_command():
        for param in cmd.params:
            if isinstance(param.default, Path) and (path, param.name) not in {*NOT_RUN_OUTPUT, (("rehearse",), "out")}:
                assert param.default == root or root in param.default.parents, (path, param.name, param.default)
                assert (path, param.name) in READS_A_REHEARSAL, f"name the folder {path} {param.name} reads"


def run(*args: str):
    result = CliRunner().invoke(app, [*args], env={"COLUMNS": "120"})
    return result, result.output


@pytest.fixture(scope="module")
def rehearsed(tmp_path_factory):
    """A rehearsal and the commands after it, all with their default folders, in an empty directory."""
    workdir = tmp_path_factory.mktemp("workdir")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(workdir)
        done = {"rehearse": run("rehearse", "--site", CODE, "--as-of", AS_OF)}
        folders = RunFolders(workdir / REHEARSAL.root)
        done["evidence"] = json.loads((folders.evidence / f"{SITE}.json").read_text(encoding="utf-8"))
        done["gate"] = run("gate", CODE, "--as-of", AS_OF)
        done["report"] = run("report", "--as-of", AS_OF, "--lang", "en")
        done["collect"] = run("evidence", "collect", "--site", CODE, "--as-of", AS_OF)
        done["show"] = run("twin", "show", "P05-NB-001")
        done["converge"] = run("converge", "--site", CODE, "--twin", str(REHEARSAL.twin))
    return workdir, folders, done


def test_rehearse_then_gate_needs_no_option(rehearsed):
    _, folders, done = rehearsed
    result, output = done["rehearse"]
    assert result.exit_code in (0, 1, 3), output
    for name in ("plan", "twin", "runner", "facts", "verify", "evidence", "report"):
        assert getattr(folders, name).is_dir(), name  # the rehearsal writes every folder of the layout
    verdict = re.search(rf"^verdict {SITE}: readiness \S+, gate (\S+)$", output, re.M).group(1)
    gate, gate_output = done["gate"]
    assert "no evidence" not in gate_output
    assert gate.exit_code == GATE_EXIT[verdict], gate_output


def test_report_collect_and_twin_read_the_rehearsal_by_default(rehearsed):
    _, folders, done = rehearsed
    result, output = done["report"]
    assert result.exit_code == 0, output
    assert f"→ {REHEARSAL.report}/index.html" in output
    assert (folders.report / "index.html").is_file()
    # collecting again with the defaults reads the same plan, runs, facts and verification as the rehearsal
    result, output = done["collect"]
    assert result.exit_code == 0, output
    again = load_file(folders.evidence / f"{SITE}.json")
    before = done["evidence"]
    assert sorted((c["id"], c.get("host") or "", c["status"]) for c in before["checks"]) \
        == sorted((c.id, c.host or "", c.status) for c in again.checks)
    result, output = done["show"]
    assert result.exit_code == 0 and "P05-NB-001" in output, output


def test_converge_and_verify_print_pc_counts_as_plain_lines_when_piped(rehearsed):
    _, _, done = rehearsed
    _, output = done["rehearse"]
    assert "\x1b" not in output  # not a terminal: no escape codes
    assert f"converge {SITE}: 10/11 PCs done, 0 failed, 1 unreachable" in output
    assert f"verify {SITE}: 10/11 PCs done, 0 failed, 1 unreachable" in output
    verify_lines = re.findall(rf"^verify {SITE}: (\d+)/11 PCs done", output, re.M)
    assert len(verify_lines) > 1 and verify_lines == sorted(verify_lines, key=int)  # it counts up as PCs answer
    result, output = done["converge"]  # `cutover converge` on the rehearsal's twin, a second run
    assert result.exit_code == 0, output  # an unreachable PC is listed, never fatal
    assert "\x1b" not in output
    assert f"converge {SITE}: 10/11 PCs done, 0 failed, 1 unreachable" in output, output


def test_the_events_a_rehearsal_recorded_count_the_same(rehearsed):
    """The job_events ansible-runner wrote for the converge and the verification, fed to the handler again."""
    _, folders, _ = rehearsed
    hosts = [e.hostname for e in load_inventory(None).sites[SITE].endpoints]
    runs = {"converge": (folders.runner / "endpoints-site_pref_05_akita", False),
            "verify": (folders.verify / "runner", True)}
    for stage, (private, one_task) in runs.items():
        idents = sorted((private / "artifacts").iterdir(), key=lambda p: p.stat().st_mtime)
        files = sorted((idents[-1] / "job_events").glob("*.json"), key=lambda p: int(p.name.split("-")[0]))
        counts = PcCounts(hosts, one_task=one_task)
        for path in files:
            counts.feed(json.loads(path.read_text(encoding="utf-8")))
        assert counts.line(stage) == f"{stage}: 10/11 PCs done, 0 failed, 1 unreachable", private
    # the converge counts each PC done as it runs the play's final task, before Ansible's recap
    private = runs["converge"][0]
    idents = sorted((private / "artifacts").iterdir(), key=lambda p: p.stat().st_mtime)
    events = [json.loads(p.read_text(encoding="utf-8")) for p in
              sorted((idents[-1] / "job_events").glob("*.json"), key=lambda p: int(p.name.split("-")[0]))]
    counts = PcCounts(hosts, finish_task=final_task(PLAYBOOKS / "endpoints.yml"))
    done_before_recap = []
    for event in events:
        if event["event"] == "playbook_on_stats":
            break
        counts.feed(event)
        done_before_recap.append(counts.count("done"))
    assert done_before_recap[-1] == 10 and done_before_recap.index(10) > 0
    assert final_task(PLAYBOOKS / "endpoints.yml", "ngav") is None  # tags: only the recap can tell
