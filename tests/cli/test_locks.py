"""One run at a time per folder: a second run is refused at once with who holds it; a killed run's lock
and temporary files do not block or litter the next run; interruptions release everything."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cutover import locks
from cutover.inventory import load_inventory
from cutover.survey import export
from tests.cli.conftest import assert_bad_input, cli, files_under

HOLD = """
import sys, time
from cutover import locks
with locks.hold(sys.argv[1]):
    print("held", flush=True)
    time.sleep(120)
"""
HELD_MESSAGE = re.compile(r"another run holds (?P<folder>\S+) since (?P<since>\S+) \(pid (?P<pid>\d+)")


@pytest.fixture
def holder():
    """Hold a folder from another process, as a second `cutover` run would."""
    started: list[subprocess.Popen] = []

    def hold(folder: Path) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE, text=True)
        assert process.stdout.readline().strip() == "held"
        started.append(process)
        return process

    yield hold
    for process in started:
        process.kill()
        process.wait()


def test_a_held_folder_names_its_holder(tmp_path):
    with locks.hold(tmp_path / "out"), pytest.raises(locks.FolderHeld) as caught, locks.hold(tmp_path / "out"):
        pass
    match = HELD_MESSAGE.search(str(caught.value))
    assert match and match["folder"] == str(tmp_path / "out") and int(match["pid"]) == os.getpid()
    assert (tmp_path / "out" / locks.LOCK_NAME).exists() is False  # released on leaving
    with locks.hold(tmp_path / "out"):
        pass


def commands(tmp_path: Path, evidence_dir: Path, folder: Path) -> dict[str, list]:
    twin = tmp_path / "twin"
    (twin / "pref-18-fukui" / "fileservers").mkdir(parents=True, exist_ok=True)
    return {
        "rehearse": ["rehearse", "--site", "18", "--out", folder],
        "twin build": ["twin", "build", "--site", "18", "--out", folder],
        "converge (out)": ["converge", "--site", "18", "--twin", twin, "--out", folder],
        "converge (twin)": ["converge", "--site", "18", "--twin", folder, "--out", tmp_path / "live"],
        "migration run": ["migration", "run", "--site", "18", "--twin", twin, "--out", folder],
        "evidence collect": ["evidence", "collect", "--site", "18", "--out", folder],
        "report": ["report", "--evidence", evidence_dir, "--out", folder],
    }


@pytest.mark.parametrize("name", ["rehearse", "twin build", "converge (out)", "converge (twin)", "migration run",
                                  "evidence collect", "report"])
def test_a_second_run_on_a_held_folder_stops_at_once(name, tmp_path, evidence_dir, holder):
    folder = tmp_path / "held"
    if name == "converge (twin)":
        (folder / "pref-18-fukui").mkdir(parents=True)
    process = holder(folder)
    before = files_under(folder)
    start = time.perf_counter()
    result, output = cli(*commands(tmp_path, evidence_dir, folder)[name])
    assert time.perf_counter() - start < 30
    assert_bad_input(result, output, f"another run holds {folder} since", f"(pid {process.pid}")
    assert files_under(folder) == before


def test_survey_import_waits_for_the_inventory_then_gives_up_naming_the_holder(inventory_copy, tmp_path, holder):
    inventory = load_inventory(inventory_copy)
    xlsx = export.export_site(inventory.sites["pref-18-fukui"], inventory, tmp_path)[0]
    process = holder(inventory_copy)
    start = time.perf_counter()
    result, output = cli("survey", "import", xlsx, "--inventory", inventory_copy, "--wait", "1")
    assert time.perf_counter() - start >= 1
    assert_bad_input(result, output, f"another run holds {inventory_copy} since", f"(pid {process.pid}")


def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path, holder):
    folder = tmp_path / "evidence"
    process = holder(folder)
    process.send_signal(signal.SIGKILL)
    process.wait()
    record = json.loads((folder / locks.LOCK_NAME).read_text(encoding="utf-8"))
    assert record["pid"] == process.pid  # the killed run's lock file is still there
    result, output = cli("evidence", "collect", "--site", "18", "--out", folder)
    assert result.exit_code == 0, output
    assert f"locked by pid {process.pid}" in output and "no longer running; taken over" in output
    assert not (folder / locks.LOCK_NAME).exists()


KILLED_MID_WRITE = """
import os, sys, time
from cutover import atomic
os.replace = lambda *args: (print("written", flush=True), time.sleep(120))
atomic.write_text(sys.argv[1], "{}")
"""


def test_temporary_files_of_a_killed_write_are_removed_by_the_next_run(tmp_path):
    fleet = tmp_path / "twin"
    target = fleet / "pref-18-fukui" / "P18-DT-001.json"
    process = subprocess.Popen([sys.executable, "-c", KILLED_MID_WRITE, str(target)], stdout=subprocess.PIPE,
                               text=True)
    assert process.stdout.readline().strip() == "written"
    process.send_signal(signal.SIGKILL)
    process.wait()
    [leftover] = [p for p in (fleet / "pref-18-fukui").iterdir() if p.name.endswith(".tmp")]
    result, output = cli("twin", "build", "--site", "18", "--out", fleet)
    assert result.exit_code == 0, output
    assert not leftover.exists()
    assert "removed 1 temporary file(s) an interrupted run left" in output


def test_an_interrupted_command_releases_its_folder(tmp_path, monkeypatch):
    from cutover.evidence import collect

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(collect, "collect_site", interrupted)
    result, _ = cli("evidence", "collect", "--site", "18", "--out", tmp_path / "evidence")
    assert result.exit_code == 130
    assert not (tmp_path / "evidence" / locks.LOCK_NAME).exists()


def test_a_cancelled_converge_exits_130_and_leaves_nothing_behind(tmp_path):
    fleet, live = tmp_path / "twin", tmp_path / "live"
    assert cli("twin", "build", "--site", "18", "--out", fleet)[0].exit_code == 0
    process = subprocess.Popen([str(Path(sys.executable).with_name("cutover")), "converge", "--site", "18",
                                "--twin", str(fleet), "--out", str(live)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60  # interrupt once ansible-runner has started the playbook
    while time.monotonic() < deadline and not list((live / "runner").glob("*/artifacts/*")):
        time.sleep(0.1)
    time.sleep(2)
    process.send_signal(signal.SIGTERM)  # what a cancelled CI job sends
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert [p for p in [*fleet.rglob(".*"), *live.glob(".*")] if p.is_file()] == []
