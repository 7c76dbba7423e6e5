"""How long a real PC takes to answer: the twin's injected latency and the wall-clock estimate of a wave.

Over PSRP every call a task makes (a module, the remote temporary folder, a file transfer, a restart)
is a round trip that costs a PowerShell start on the PC: seconds, not the twin's milliseconds. The
twin connection can wait ``latency`` seconds per counted call, shifted per PC by up to ``jitter``
seconds (a fixed offset drawn from the host name, so a run is repeatable), and ``estimate`` turns the
calls the twin counted into the wall-clock of the same stage against real PCs:

    waiting  = max(longest PC, sum over PCs of calls x latency / forks)
    estimate = overhead + waiting            (the figure printed: no overlap assumed)
    lower    = max(overhead, waiting)        (if Ansible's work hid entirely behind the waiting)

``overhead`` is what the stage cost here without latency (Ansible's own work on the controller, which
the twin measures as it is); ``waiting`` is the latency, spread over ``forks`` workers by
``strategy: free`` (a PC never waits for another PC's task, so the only bound besides the workers is
the slowest PC's own chain of calls). A real run lies between ``lower`` and ``estimate``: the
controller keeps working while workers wait. docs/endpoints.md shows how forks, ``serial`` and the
strategy change it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Latency:
    """What the twin waits per call over the connection: ``seconds`` ± up to ``jitter`` (fixed per PC)."""

    seconds: float = 0.0
    jitter: float = 0.0

    def __post_init__(self) -> None:
        if self.seconds < 0 or self.jitter < 0 or self.jitter > self.seconds:
            raise ValueError(f"latency {self.seconds} s with jitter {self.jitter} s: both must be >= 0 and the "
                             "jitter at most the latency")


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
    lower: float  # max(overhead, waiting): Ansible's work entirely behind the waiting
    pcs: int
    calls: int  # counted calls over all PCs
    forks: int

    def describe(self) -> str:
        per_pc = self.calls / self.pcs if self.pcs else 0
        return (f"{self.seconds:.0f} s = {self.overhead:.1f} s measured + {self.waiting:.0f} s waiting "
                f"({self.pcs} PCs x {per_pc:.1f} calls, forks {self.forks}; at least {self.lower:.0f} s)")


def estimate(calls: Mapping[str, int], seconds: float, jitter: float, forks: int, overhead: float) -> Estimate:
    """``calls``: counted calls per PC in the stage; ``overhead``: the stage's time here without latency."""
    waits = [n * pc_latency(host, seconds, jitter) for host, n in calls.items()]
    waiting = max(max(waits, default=0.0), sum(waits) / max(1, forks))
    return Estimate(overhead + waiting, overhead, waiting, max(overhead, waiting), len(calls), sum(calls.values()),
                    forks)


def batches(pcs: int, serial: tuple[int | str, ...] | None) -> list[int]:
    """The batch sizes of a play with ``serial`` (numbers or "NN%", the last one repeating), as Ansible cuts them."""
    if not serial:
        return [pcs] if pcs else []
    sizes, left, index = [], pcs, 0
    while left > 0:
        step = serial[min(index, len(serial) - 1)]
        size = max(1, int(pcs * int(step[:-1]) / 100)) if isinstance(step, str) else int(step)
        sizes.append(min(size, left))
        left -= sizes[-1]
        index += 1
    return sizes


def waiting(pcs: int, calls: int, seconds: float, forks: int, serial: tuple[int | str, ...] | None = None,
            strategy: str = "free", jitter: float = 0.0) -> float:
    """The latency part of a wave of ``pcs`` alike PCs making ``calls`` calls each (docs/endpoints.md table).

    ``free``: every batch takes max(one PC's chain, batch x calls x latency / forks). ``linear``: every task
    waits for the batch's slowest PC, in rounds of ``forks`` PCs: calls x rounds x (latency + jitter).
    """
    total = 0.0
    for size in batches(pcs, serial):
        if strategy == "free":
            total += max(calls * seconds, size * calls * seconds / forks)
        elif strategy == "linear":
            total += calls * -(-size // forks) * (seconds + jitter)
        else:
            raise ValueError(f"strategy {strategy!r}: free or linear")
    return total
