"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

# mkstemp's names: ".<target name>.<8 random characters>.tmp" beside the target.
_TEMPORARY = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")


def is_temporary(path: Path | str) -> bool:
    """A temporary file of an interrupted write (see cutover.locks.sweep_temporaries)."""
    return bool(_TEMPORARY.match(Path(path).name))


def write_bytes(path: Path, data: bytes, durable: bool = True) -> None:
    """``durable=False`` skips the fsync: still all-or-nothing for readers, but a power cut may lose the
    write (for the endpoint twin's documents, rewritten on every module call; never for evidence)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str, encoding: str = "utf-8", durable: bool = True) -> None:
    write_bytes(path, text.encode(encoding), durable)
