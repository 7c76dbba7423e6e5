"""The twin's injected latency and the real-wave estimate: a small timed run agrees with the estimate.

The estimate takes what a converge cost here without latency (Ansible's own work) and adds the calls
the twin counted per PC times the latency, spread over the forks (cutover.twin.timing). A real run
lies between max(overhead, waiting) (Ansible's work hidden behind the waiting) and their sum (the
printed estimate). Four PCs at two forks and 0.3 s per call make the waiting a large part. The
formula itself is held exactly by the unit tests; the timed run holds the model against reality with
a margin for a shared machine.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from cutover.inventory import load_inventory
from cutover.runner import Latency, run_playbook
from cutover.twin import fleet, timing

SITE = "pref-18-fukui"
PCS = ("P18-DT-001", "P18-DT-002", "P18-NB-004", "P18-NB-005")
FORKS = 2
LATENCY = 0.3
AS_OF = dt.date(2026, 11, 24)


def _fresh_twin(root: Path) -> Path:
    inventory = load_inventory()
    fleet.build_site(inventory, inventory.sites[SITE], root / "twin", AS_OF, reuse=False)
    fleet.console_uninstall_site(root / "twin" / SITE)
    return root / "twin" / SITE


def _converge(root: Path, latency: Latency | None) -> tuple[float, dict[str, int], dict[str, float]]:
    twin = _fresh_twin(root)
    start = time.perf_counter()
    outcome = run_playbook("endpoints.yml", ",".join(PCS), root / "run", twin_dir=twin, forks=FORKS, latency=latency)
    seconds = time.perf_counter() - start
    assert outcome.status == "successful" and not outcome.failed and not outcome.unreachable
    counters = {p.stem: json.loads(p.read_text(encoding="utf-8"))["module_calls"] for p in twin.glob("*.json")}
    return (seconds, {host: c["total"] for host, c in counters.items() if host in PCS},
            {host: c.get("waited_s", 0.0) for host, c in counters.items() if host in PCS})


def test_pc_latency_is_fixed_per_pc_and_within_the_jitter():
    values = {host: timing.pc_latency(host, 1.5, 0.3) for host in PCS}
    assert values == {host: timing.pc_latency(host.lower(), 1.5, 0.3) for host in PCS}  # same PC, same wait
    assert all(1.2 <= v <= 1.8 for v in values.values()) and len(set(values.values())) == len(PCS)
    assert timing.pc_latency("P18-DT-001", 0, 0) == 0 and timing.pc_latency("P18-DT-001", 2.0, 0) == 2.0
    spread = [timing.pc_latency(f"P13-DT-{n:03d}", 1.5, 0.3) for n in range(200)]
    assert min(spread) < 1.25 and max(spread) > 1.75  # both ways, up to the jitter
    assert abs(sum(spread) / len(spread) - 1.5) < 0.05  # centred on the latency


def test_the_estimate_spreads_the_waiting_over_the_forks():
    calls = {"A": 10, "B": 10, "C": 10, "D": 40}
    est = timing.estimate(calls, 1.0, 0.0, forks=2, overhead=5.0)
    assert (est.waiting, est.seconds, est.lower, est.calls, est.pcs) == (40.0, 45.0, 40.0, 70, 4)  # D alone: 40 s
    est = timing.estimate({"A": 10, "B": 10, "C": 10, "D": 10}, 1.0, 0.0, forks=2, overhead=25.0)
    assert (est.waiting, est.seconds, est.lower) == (20.0, 45.0, 25.0)
    jittered = timing.estimate({"A": 10}, 1.0, 0.5, forks=1, overhead=0.0)
    assert jittered.waiting == pytest.approx(10 * timing.pc_latency("A", 1.0, 0.5))


@pytest.mark.parametrize("bad", [(-1.0, 0.0), (1.0, -0.1), (1.0, 1.5)])
def test_a_latency_that_makes_no_sense_is_refused(bad):
    with pytest.raises(ValueError, match="latency"):
        Latency(*bad)


def test_a_small_timed_run_with_latency_agrees_with_the_estimate(tmp_path):
    overhead, calls, waited = _converge(tmp_path / "plain", None)
    assert not any(waited.values())  # no latency asked, none injected
    assert set(calls) == set(PCS) and min(calls.values()) >= 10
    timed, timed_calls, waited = _converge(tmp_path / "paced", Latency(LATENCY, 0.1))
    assert timed_calls == calls  # the latency changes the time, never what is done
    # every counted call of every PC waited that PC's latency (0.3 s shifted by up to 0.1 s, fixed per PC)
    assert waited == pytest.approx({h: n * timing.pc_latency(h, LATENCY, 0.1) for h, n in calls.items()})
    est = timing.estimate(calls, LATENCY, 0.1, FORKS, overhead)
    print(f"timed {timed:.1f} s, estimate {est.describe()}")
    assert 0.9 * est.lower <= timed <= 1.25 * est.seconds, (timed, est)


def test_serial_batches_are_cut_as_ansible_cuts_them():
    assert timing.batches(1700, (5, "20%", "100%")) == [5, 340, 1355]
    assert timing.batches(12, (5,)) == [5, 5, 2]  # the last size repeats
    assert timing.batches(50, None) == [50] and timing.batches(0, None) == []


def test_the_docs_table_of_forks_serial_and_strategy():
    """docs/endpoints.md: 21 calls per PC at 1.5 s (0.3 s jitter) for 50/200/1,700 PCs."""
    def minutes(**kw):
        return [round(timing.waiting(n, 21, 1.5, **kw) / 60, 1) for n in (50, 200, 1700)]
    assert minutes(forks=50) == [0.5, 2.1, 17.9]
    assert minutes(forks=20) == [1.3, 5.2, 44.6]
    assert minutes(forks=50, serial=(5, "20%", "100%")) == [1.6, 2.7, 18.3]
    assert minutes(forks=50, strategy="linear", jitter=0.3) == [0.6, 2.5, 21.4]
    assert minutes(forks=20, strategy="linear", jitter=0.3) == [1.9, 6.3, 53.5]
    with pytest.raises(ValueError, match="strategy"):
        timing.waiting(10, 21, 1.5, 5, strategy="host_pinned")
