"""`cutover plan` with worker processes ends quietly: the pool's workers stop without a traceback."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from cutover.cli.app import _terminate as cli_sigterm_handler
from cutover.cloud import offline


def test_workers_leave_termination_to_the_pool():
    # the CLI's SIGTERM handler (Ctrl-C-like clean-up) is inherited by fork; in a worker it would turn the
    # pool's own terminate() into a KeyboardInterrupt traceback on stderr
    previous = signal.signal(signal.SIGTERM, cli_sigterm_handler)
    try:
        with offline.worker_pool(1) as pool:
            term, interrupt = pool.apply(_dispositions)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert term == signal.SIG_DFL and interrupt == signal.SIG_IGN


def _dispositions():
    return signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)


def test_plan_with_workers_prints_no_traceback(tmp_path):
    # wave 1 = core + several site stacks over two forked workers, which the pool then terminates
    run = subprocess.run([str(Path(sys.executable).parent / "cutover"), "plan", "--wave", "1", "--jobs", "2",
                          "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1), run.stderr  # 1 = a mandatory policy failed: still a clean exit
    assert "Traceback" not in run.stderr and "KeyboardInterrupt" not in run.stderr, run.stderr
    assert len(list(tmp_path.glob("pref-*.policy-config.json"))) > 2
