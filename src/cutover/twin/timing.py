"""How long a real PC takes to answer: the twin's injected latency and the wall-clock estimate of a wave.

Over PSRP every call a task makes (a module, the remote temporary folder, a file transfer, a restart)
is a round trip that costs a PowerShell start on the PC: seconds, not the twin's milliseconds. The
twin connection can wait ``latency`` seconds per counted call, shifted per PC by up to ``jitter``
seconds (a fixed offset drawn from the host name, so a run is repeatable), and ``estimate`` turns the
calls the twin counted into the wall-clock of the same stage against real PCs:

    estimate = overhead + max(longest PC, sum over PCs of calls x latency / forks)

``overhead`` is what the stage cost here without latency (Ansible's own work on the controller, which
the twin measures as it is); the second term is the waiting, spread over ``forks`` workers by
``strategy: free`` (a PC never waits for another PC's task, so the only bound besides the workers is
the slowest PC's own chain of calls). docs/endpoints.md shows how forks, ``serial`` and the strategy
change it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass


def pc_latency(host: str, seconds: float, jitter: float) -> float:
    """The latency of one PC's calls: ``seconds`` shifted by a fixed amount in [-jitter, +jitter]."""
    if not seconds:
        return 0.0
    draw = int(hashlib.sha256(host.upper().encode()).hexdigest()[:8], 16) / 0xFFFFFFFF  # 0..1
    return max(0.0, seconds + jitter * (2 * draw - 1))


@dataclass(frozen=True)
class Estimate:
    """The wall-clock of one stage against real PCs, with its parts."""

    seconds: float
    overhead: float  # measured here, without latency
    waiting: float  # the latency part: max(longest PC, total / forks)
    pcs: int
    calls: int  # counted calls over all PCs
    forks: int

    def describe(self) -> str:
        per_pc = self.calls / self.pcs if self.pcs else 0
        return (f"{self.seconds:.0f} s = {self.overhead:.1f} s measured + {self.waiting:.0f} s waiting "
                f"({self.pcs} PCs x {per_pc:.1f} calls, forks {self.forks})")


def estimate(calls: Mapping[str, int], seconds: float, jitter: float, forks: int, overhead: float) -> Estimate:
    """``calls``: counted calls per PC in the stage; ``overhead``: the stage's time here without latency."""
    waits = [n * pc_latency(host, seconds, jitter) for host, n in calls.items()]
    waiting = max(max(waits, default=0.0), sum(waits) / max(1, forks))
    return Estimate(overhead + waiting, overhead, waiting, len(calls), sum(calls.values()), forks)
