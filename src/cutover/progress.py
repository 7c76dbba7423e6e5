"""PCs done / failed / unreachable while a converge or verify run goes: ansible-runner's events → progress.

``PcProgress`` is the ``event_handler`` of ``ansible_runner.run`` (cutover.runner.run_playbook and the
verification's gather pass it on). It runs for every event of every PC (a national wave: 1,700 PCs,
hundreds of events each), so it only counts: no disk I/O, no rendering. On a terminal a rich progress
bar shows the counts (rich redraws it on its own clock); when output goes to a pipe or a CI log it prints
a plain line now and then (every tenth of the PCs, or every ``every`` seconds when something changed)
and a last one, never escape codes.

When a PC is finished:
- unreachable (``runner_on_unreachable``): Ansible drops it from the play;
- failed (``runner_on_failed`` not ignored): Ansible drops it from the play;
- done: its last task finished. A play of one task per PC (the verification's one read-only probe,
  ``one_task=True``) finishes a PC with its answer; a converge play of roles finishes a PC with the
  play's final task (``finish_task``: the last role's last task, its fact record in an ``always:``
  section, run or skipped on every PC still in the play — :func:`final_task`); where that cannot be
  told (tags, includes), at ``playbook_on_stats``. The recap also settles every count.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

EventHandler = Callable[[dict[str, Any]], bool]
DONE, FAILED, UNREACHABLE = "done", "failed", "unreachable"
_ANSWERS = ("runner_on_ok", "runner_on_skipped", "runner_on_failed")  # a task's end on one PC
_WATCHED = frozenset({"runner_on_ok", "runner_on_failed", "runner_on_unreachable", "runner_on_skipped",
                      "playbook_on_stats"})


class _PcBar(BarColumn):
    """A bar for a run's PCs; nothing for a shared Progress's other tasks (a stage line)."""

    def render(self, task: Task) -> RenderableType:
        return super().render(task) if "pcs" in task.fields else Text("")


class _PcCount(MofNCompleteColumn):
    def render(self, task: Task) -> RenderableType:
        return super().render(task) if "pcs" in task.fields else Text("")


def pc_columns() -> tuple[ProgressColumn, ...]:
    """The columns that show a PcProgress's run: bar, PCs finished of all, and the counts in words."""
    return _PcBar(), _PcCount(), TextColumn("{task.fields[counts]}", markup=False)


class PcCounts:
    """Each PC's state in one run, from its events (PC names compared case-blind, as the inventory does)."""

    def __init__(self, hosts: Collection[str], *, one_task: bool = False, finish_task: str | None = None) -> None:
        self.hosts = {h.upper() for h in hosts}
        self.one_task = one_task
        self.finish_task = finish_task
        self.state: dict[str, str] = {}

    @property
    def total(self) -> int:
        return len(self.hosts)

    def count(self, state: str) -> int:
        return sum(1 for s in self.state.values() if s == state)

    @property
    def finished(self) -> int:
        return len(self.state)

    def feed(self, event: dict[str, Any]) -> bool:
        """Take one event; True when a PC's state changed."""
        kind = event.get("event")
        if kind not in _WATCHED:
            return False
        data = event.get("event_data") or {}
        if kind == "playbook_on_stats":
            return self._recap(data)
        host = str(data.get("host") or "").upper()
        if host not in self.hosts or self.state.get(host) in (FAILED, UNREACHABLE):
            return False
        if kind == "runner_on_unreachable" and not data.get("ignore_unreachable"):
            new = UNREACHABLE
        elif kind == "runner_on_failed" and not data.get("ignore_errors"):
            new = FAILED
        elif kind in _ANSWERS and (self.one_task or (self.finish_task and data.get("task") == self.finish_task)):
            new = DONE
        else:
            return False
        changed = self.state.get(host) != new
        self.state[host] = new
        return changed

    def _recap(self, stats: dict[str, Any]) -> bool:
        """Ansible's recap: every PC it names is finished, as it counts them (a PC with failures also has ok
        tasks: the later key of the recap wins)."""
        before = dict(self.state)
        for state, key in ((DONE, "ok"), (DONE, "changed"), (DONE, "skipped"), (FAILED, "failures"),
                           (UNREACHABLE, "dark")):
            for host in stats.get(key) or {}:
                if host.upper() in self.hosts:
                    self.state[host.upper()] = state
        return self.state != before

    def line(self, label: str) -> str:
        return (f"{label}: {self.count(DONE)}/{self.total} PCs done, {self.count(FAILED)} failed, "
                f"{self.count(UNREACHABLE)} unreachable")


class PcProgress:
    """An ansible-runner event handler showing a run's PC counts: a bar on a terminal, plain lines otherwise.

    Use it as a context manager around the run (the bar, or the last line, is settled on the way out).
    ``progress``: an already running rich Progress to add the bar to (a live display cannot hold another),
    with ``fields`` for its other columns; its columns include ``pc_columns()``.
    """

    def __init__(self, label: str, hosts: Collection[str], console: Console, *, one_task: bool = False,
                 finish_task: str | None = None, progress: Progress | None = None,
                 fields: dict[str, Any] | None = None, every: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.label = label
        self.counts = PcCounts(hosts, one_task=one_task, finish_task=finish_task)
        self.console = console
        self.live = console.is_terminal
        self.every = every
        self.clock = clock
        self.step = max(1, self.counts.total // 10)
        self._progress = progress
        self._fields = fields or {}  # more fields the shared Progress's columns read
        self._own = progress is None and self.live
        self._task: TaskID | None = None
        self._printed: tuple[int, int, int] | None = None
        self._printed_at = clock()
        self._printed_finished = 0

    def __enter__(self) -> PcProgress:
        if self.live:
            if self._progress is None:
                self._progress = Progress(TextColumn("{task.description}", markup=False), *pc_columns(),
                                          TimeElapsedColumn(), console=self.console, transient=False)
                self._progress.start()
            self._task = self._progress.add_task(self.label, total=self.counts.total, counts=self._counts_text(),
                                                 pcs=True, **self._fields)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live and self._progress is not None and self._task is not None:
            self._update()
            if self._own:
                self._progress.stop()
            else:
                self._progress.remove_task(self._task)
                self.console.print(self.counts.line(self.label), markup=False, highlight=False)
        elif not self.live:
            self._print_line()

    def __call__(self, event: dict[str, Any]) -> bool:
        if self.counts.feed(event):
            if self.live:
                self._update()
            elif self._due():
                self._print_line()
        return True  # keep the event: the evidence collector reads the run's job_events

    def _counts_text(self) -> str:
        c = self.counts
        return f"{c.count(DONE)} done, {c.count(FAILED)} failed, {c.count(UNREACHABLE)} unreachable"

    def _update(self) -> None:
        assert self._progress is not None and self._task is not None
        self._progress.update(self._task, completed=self.counts.finished, counts=self._counts_text())

    def _due(self) -> bool:
        return (self.counts.finished - self._printed_finished >= self.step
                or self.clock() - self._printed_at >= self.every)

    def _print_line(self) -> None:
        now = (self.counts.count(DONE), self.counts.count(FAILED), self.counts.count(UNREACHABLE))
        if now == self._printed:
            return
        self.console.print(self.counts.line(self.label), markup=False, highlight=False, soft_wrap=True)
        self._printed, self._printed_at, self._printed_finished = now, self.clock(), self.counts.finished


def final_task(playbook: Path, tags: str | None = None) -> str | None:
    """The name of the task a PC runs last in ``playbook`` (one play of roles), or None when it cannot be told.

    The last role's ``tasks/main.yml``: its last entry, or, for a block, the last task of its ``always:``
    (else of the block), which every PC still in the play runs or skips. ``tags`` (a run limited to some
    roles or checks) and includes make it unknowable from the files: None, and PCs are done at the recap.
    """
    if tags:
        return None
    try:
        plays = yaml.safe_load(Path(playbook).read_text(encoding="utf-8"))
        if not isinstance(plays, list) or len(plays) != 1 or set(plays[0]) & {"tasks", "post_tasks", "handlers"}:
            return None
        roles = plays[0].get("roles") or []
        last = roles[-1]
        name = last.get("role") if isinstance(last, dict) else last
        tasks = yaml.safe_load((Path(playbook).parents[2] / "roles" / str(name) / "tasks" / "main.yml")
                               .read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, IndexError, AttributeError):
        return None
    entry = tasks[-1] if isinstance(tasks, list) and tasks else None
    while isinstance(entry, dict) and ("always" in entry or "block" in entry):
        section = entry.get("always") or entry.get("block") or []
        entry = section[-1] if section else None
    if not isinstance(entry, dict) or any(k.split(".")[-1].startswith(("include_", "import_")) for k in entry):
        return None
    return entry.get("name")


@contextlib.contextmanager
def silent(label: str, hosts: Collection[str], *, one_task: bool = False,
           finish_task: str | None = None) -> Iterator[EventHandler | None]:
    """No progress (library use, tests): the runs get no event handler."""
    yield None
