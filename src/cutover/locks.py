"""One run at a time per folder: an exclusive lock on output, twin and inventory folders.

Two ``cutover rehearse`` on the same ``--out`` used to interleave their twin states and evidence and
both report a wrong no-go. Every command that writes a folder now holds ``<folder>/.cutover.lock``
while it works. The lock is an advisory ``flock`` (POSIX; https://man7.org/linux/man-pages/man2/flock.2.html)
on that file, so the kernel releases it when the process dies: a lock left by a killed run (a dead pid)
is taken over, not obeyed. The file records who holds it, for the message
``another run holds <folder> since <time> (pid N)``.

While a folder is held nobody else writes into it, so temporary files that atomic writes left behind
(a run killed mid-write) are removed on taking the lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cutover import atomic

LOCK_NAME = ".cutover.lock"


class FolderError(Exception):
    """A folder cannot be used: it is a file, cannot be created or written, or another run holds it."""


class FolderHeld(FolderError):
    def __init__(self, folder: Path, holder: Holder | None):
        self.folder, self.holder = folder, holder
        if holder is None:
            super().__init__(f"another run holds {folder} (its lock file is being written; try again)")
        else:
            where = "" if holder.host == socket.gethostname() else f" on {holder.host}"
            super().__init__(f"another run holds {folder} since {holder.since} (pid {holder.pid}{where}: "
                             f"{holder.command}); wait for it to finish or use another folder")


@dataclass(frozen=True)
class Holder:
    pid: int
    host: str
    since: str
    command: str

    @classmethod
    def me(cls) -> Holder:
        since = dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
        command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:200]
        return cls(os.getpid(), socket.gethostname(), since, command)

    @classmethod
    def parse(cls, text: str) -> Holder | None:
        try:
            data = json.loads(text)
            return cls(int(data["pid"]), str(data["host"]), str(data["since"]), str(data.get("command", "")))
        except (ValueError, KeyError, TypeError):
            return None

    def alive(self) -> bool:
        if self.host != socket.gethostname():
            return True  # cannot tell: assume it runs
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


@dataclass
class Lock:
    folder: Path
    stale: Holder | None = None  # the record of a dead run whose lock was taken over
    swept: int = 0  # leftover temporary files removed on taking the lock


def prepare(folder: Path) -> Path:
    """Create ``folder`` if needed; a file in its place or an unwritable folder is a FolderError."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocking = next((p for p in [folder, *folder.parents] if p.exists() and not p.is_dir()), folder)
        if blocking == folder:
            raise FolderError(f"{folder} is a file, not a folder; give a folder") from None
        raise FolderError(f"cannot create {folder}: {blocking} is a file, not a folder") from None
    except OSError as exc:
        raise FolderError(f"cannot create {folder}: {exc.strerror}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FolderError(f"cannot write in {folder} (permission denied)")
    return folder


def _read(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 4096).decode("utf-8", "replace")


@contextlib.contextmanager
def hold(folder: Path, *, wait: float = 0.0) -> Iterator[Lock]:
    """Hold ``folder`` exclusively; wait up to ``wait`` seconds for another run, then raise FolderHeld."""
    folder = prepare(folder)
    path = folder / LOCK_NAME
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise FolderError(f"cannot write in {folder}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = Holder.parse(_read(fd))
            os.close(fd)
            if time.monotonic() >= deadline:
                raise FolderHeld(folder, holder) from None
            time.sleep(0.05)
            continue
        # The previous holder may have removed the file between our open and our lock: lock the file
        # that is at the path now, not an orphaned one.
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    lock = Lock(folder)
    try:
        previous = Holder.parse(_read(fd))
        if previous is not None and not previous.alive():
            lock.stale = previous
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(Holder.me().__dict__, ensure_ascii=False).encode("utf-8"))
        lock.swept = sweep_temporaries(folder)
        yield lock
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        os.close(fd)


def sweep_temporaries(folder: Path) -> int:
    """Remove temporary files of interrupted atomic writes under ``folder`` (call only while holding it)."""
    removed = 0
    for path in Path(folder).rglob(".*.tmp"):
        if atomic.is_temporary(path) and path.is_file():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed
