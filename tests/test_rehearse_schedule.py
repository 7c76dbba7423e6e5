"""How `cutover rehearse` schedules its runs: the PCs' converge and the file servers' migration at the same
time, up to ``converge_runs`` waves' converge runs at once (largest first), and one failure or Ctrl-C
cancelling every other run. The stages themselves are replaced here; tests/test_rehearse.py runs them."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from cutover.inventory import load_inventory
from cutover.rehearse import Rehearsal
from cutover.runner import run_playbook

WAVE_SITES = ("pref-18-fukui", "pref-33-okayama", "pref-06-yamagata", "pref-05-akita")  # waves 0, 1, 1, 3


@pytest.fixture(scope="module")
def inventory():
    return load_inventory()


def rehearsal(inventory, tmp_path, **kwargs) -> Rehearsal:
    sites = [inventory.sites[s] for s in WAVE_SITES]
    r = Rehearsal(inventory, sites, tmp_path, dt.date(2026, 11, 24), **kwargs)
    for stage in ("plan", "twin", "verify", "evidence", "report"):
        setattr(r, stage, lambda: None)
    return r


def test_converge_and_migration_run_at_the_same_time(inventory, tmp_path):
    r = rehearsal(inventory, tmp_path)
    both = threading.Barrier(2, timeout=10)  # broken (an error) unless both stages are running at once
    r.converge = lambda: both.wait()
    r.migrate = lambda: both.wait()
    r.run()
    assert list(r.timings) == ["plan", "twin", "converge", "migrate", "verify", "evidence", "report"]


def test_waves_converge_two_at_a_time_largest_first(inventory, tmp_path):
    r = rehearsal(inventory, tmp_path, converge_runs=2)
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


def test_one_failed_run_cancels_the_others_and_is_raised(inventory, tmp_path):
    r = rehearsal(inventory, tmp_path)
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
