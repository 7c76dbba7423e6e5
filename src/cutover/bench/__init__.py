"""Benchmarks printed by ``scripts/bench``: each area adds a module here defining ``BENCHES``.

A benchmark is a target (what the issue asks for) and a function that does the work once and
returns the measured figure(s). The runner repeats it, takes the median, prints machine facts and a
table. Benchmarks are never part of the test command.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Measurement:
    """What one run of a benchmark reports besides its wall time."""

    figures: dict[str, float] = field(default_factory=dict)  # e.g. {"module calls per PC": 3}


@dataclass(frozen=True)
class Bench:
    name: str
    target: str  # human-readable target, e.g. "<= 2 s"
    run: Callable[[], Measurement | None]
    limit_seconds: float | None = None  # wall-time target for the median, if the target is a time
    repeat: int = 3
    setup: Callable[[], None] | None = None
    explicit: bool = False  # long: runs only when a selected word is in its name, never with no selection


def discover() -> list[Bench]:
    benches: list[Bench] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        benches.extend(getattr(module, "BENCHES", []))
    return benches


def machine_facts() -> str:
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def run_all(selected: list[str] | None = None, out=sys.stdout) -> int:
    """Run benchmarks (all, or those whose name contains a selected word); return 1 if a time target is missed."""
    benches = [b for b in discover() if any(s in b.name for s in selected)] if selected else [
        b for b in discover() if not b.explicit]
    print(f"machine: {machine_facts()}", file=out)
    rows = []
    missed = 0
    for bench in benches:
        if bench.setup:
            bench.setup()
        times: list[float] = []
        figures: dict[str, list[float]] = {}
        for _ in range(int(os.environ.get("CUTOVER_BENCH_REPEAT", 0)) or bench.repeat):
            start = time.perf_counter()
            result = bench.run()
            times.append(time.perf_counter() - start)
            for key, value in (result.figures if result else {}).items():
                figures.setdefault(key, []).append(value)
        median = statistics.median(times)
        verdict = ""
        if bench.limit_seconds is not None:
            ok = median <= bench.limit_seconds
            missed += not ok
            verdict = "met" if ok else "MISSED"
        extra = "; ".join(f"{k}: {statistics.median(v):g}" for k, v in figures.items())
        rows.append((bench.name, bench.target, f"{median:.2f} s", verdict, extra, len(times)))
        print(f"  done: {bench.name}", file=sys.stderr)
    widths = [max(len(str(r[i])) for r in [("benchmark", "target", "median", "result", "figures", "runs"), *rows])
              for i in range(6)]
    header = ("benchmark", "target", "median", "result", "figures", "runs")
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)), file=out)
    return 1 if missed else 0
