"""Where a piece of evidence or a report came from: code revision, CI run, operator, host, inputs, time.

Every evidence file and every report carries this block, so an auditor can tell which code judged
which inputs, on whose behalf and when, and can check the inputs were not changed afterwards
(SHA-256 of every input file; for a folder, one digest over its files' digests and relative paths).
Times are Asia/Tokyo: the organisation works in Japan, and a run at 06:00 JST must not read as the
previous day (it would in UTC).

CI run fields follow GitHub Actions' default environment variables
(https://docs.github.com/en/actions/reference/workflows-and-actions/variables#default-environment-variables).
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import hashlib
import os
import socket
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

from cutover.evidence.model import CiRun, InputDigest

TOKYO = ZoneInfo("Asia/Tokyo")
PROJECT_ROOT = Path(__file__).resolve().parents[3]


def now() -> dt.datetime:
    """The current time in Asia/Tokyo, to the second."""
    return dt.datetime.now(TOKYO).replace(microsecond=0)


def in_tokyo(moment: dt.datetime) -> dt.datetime:
    """An aware time shown in Asia/Tokyo (naive times are taken as UTC, as ansible-runner and Pulumi write them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(TOKYO)


def today() -> dt.date:
    """Today in Tokyo (what "today" means for deadlines and the freshness of evidence)."""
    return now().date()


def _git(*args: str) -> str | None:
    try:
        result = subprocess.run(["git", "-C", str(PROJECT_ROOT), *args], capture_output=True, text=True,
                                timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


@functools.lru_cache(maxsize=1)
def git_state() -> tuple[str | None, bool | None]:
    """(commit, dirty) of the code that runs, or (None, None) outside a git checkout."""
    commit = _git("rev-parse", "HEAD")
    if commit is None:
        return None, None
    status = _git("status", "--porcelain")
    return commit.strip(), (None if status is None else bool(status.strip()))


def ci_run(environ: dict[str, str] | None = None) -> CiRun | None:
    """The CI run this process belongs to, when the CI says so (GitHub Actions)."""
    env = os.environ if environ is None else environ
    if env.get("GITHUB_ACTIONS") != "true" or not env.get("GITHUB_RUN_ID"):
        return None
    url = None
    if env.get("GITHUB_SERVER_URL") and env.get("GITHUB_REPOSITORY"):
        url = f"{env['GITHUB_SERVER_URL']}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
        if env.get("GITHUB_RUN_ATTEMPT"):
            url += f"/attempts/{env['GITHUB_RUN_ATTEMPT']}"
    return CiRun(provider="github-actions", run_id=env["GITHUB_RUN_ID"], run_attempt=env.get("GITHUB_RUN_ATTEMPT"),
                 url=url, workflow=env.get("GITHUB_WORKFLOW"), ref=env.get("GITHUB_REF"), sha=env.get("GITHUB_SHA"))


def operator(environ: dict[str, str] | None = None) -> str:
    """Who ran it: CUTOVER_OPERATOR if set, the GitHub actor in CI, else the login name."""
    env = os.environ if environ is None else environ
    if env.get("CUTOVER_OPERATOR"):
        return env["CUTOVER_OPERATOR"]
    if env.get("GITHUB_ACTIONS") == "true" and env.get("GITHUB_ACTOR"):
        return env["GITHUB_ACTOR"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "unknown"


def hostname() -> str:
    return socket.gethostname()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def digest(role: str, path: Path | None) -> InputDigest:
    """SHA-256 of one input: a file's content, or a folder's files (relative path and content of each)."""
    if path is None:
        return InputDigest(role=role, path=None, sha256=None, files=0, note="not given")
    path = Path(path).resolve()
    if path.is_file():
        return InputDigest(role=role, path=str(path), sha256=_file_sha256(path), files=1)
    if not path.is_dir():
        return InputDigest(role=role, path=str(path), sha256=None, files=0, note="does not exist")
    tree = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        tree.update(f"{_file_sha256(file)}  {file.relative_to(path).as_posix()}\n".encode())
    return InputDigest(role=role, path=str(path), sha256=tree.hexdigest(), files=len(files))
