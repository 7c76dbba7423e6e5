"""Robocopy command lines for each migration pass, and what robocopy's exit code means.

Flags follow Microsoft's Azure Files RoboCopy migration guide
(https://learn.microsoft.com/azure/storage/files/storage-files-migration-robocopy) with the changes
this project needs; each flag's reason is in ``FLAG_REASONS`` so the runbook and the evidence can
show it. Source and target are never swapped: ``/MIR`` only ever points at the Azure file share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Pass = Literal["seed", "delta", "final"]
PASSES: tuple[Pass, ...] = ("seed", "delta", "final")
AZURE_FILES_UNC = re.compile(r"^\\\\[a-z0-9]{3,24}\.file\.core\.windows\.net\\[a-z0-9-]{3,63}(\\.*)?$")
EXCLUDED_DIRS = ("System Volume Information", "$RECYCLE.BIN", "DfsrPrivate")

FLAG_REASONS = {
    "/MIR": "mirror the tree to the target (copies new and changed files, removes files deleted at the source "
            "since the last pass) — the target is always the Azure file share",
    "/COPY:DATSO": "file data, attributes, timestamps, NTFS ACLs and owner (hybrid identity: AD SIDs stay valid)",
    "/COPY:DAT": "file data, attributes and timestamps only (cloud-only identity: on-premises SIDs mean nothing "
                 "in Azure; folder ACLs come from the directory-ACL plan)",
    "/DCOPY:DAT": "directories' data, attributes and timestamps",
    "/ZB": "restartable mode; falls back to backup mode (SeBackupPrivilege) when access is denied",
    "/IT": "include 'tweaked' files whose attributes changed although size and time did not",
    "/MT": "multithreaded copy",
    "/R": "bounded retries for locked or failing files (robocopy's default is one million)",
    "/W": "bounded wait between retries (default 30 s)",
    "/XJ": "skip junctions and symbolic links (they would loop or point outside the share)",
    "/XD": "skip system folders that must not be migrated",
    "/NP": "no per-file percentage in the log",
    "/UNILOG": "Unicode log per pass (Japanese file names stay readable)",
    "/L": "list only: a dry run that changes nothing",
}


@dataclass(frozen=True)
class RobocopyPlan:
    source: str  # the data-center share, e.g. \\dc-fs01\tokyo$\shared
    target: str  # \\<account>.file.core.windows.net\<share>
    pass_name: Pass
    copy_security: bool  # hybrid identity mode
    log_path: str
    dry_run: bool = True
    threads: int = 16
    retries: int = 2
    wait_seconds: int = 5
    excluded_dirs: tuple[str, ...] = field(default=EXCLUDED_DIRS)

    def __post_init__(self) -> None:
        if not AZURE_FILES_UNC.match(self.target):
            raise ValueError(f"robocopy target must be an Azure file share UNC path, got {self.target!r}")
        if AZURE_FILES_UNC.match(self.source):
            raise ValueError("robocopy source is an Azure file share: source and target look swapped")
        if self.target.lower().startswith(self.source.lower().rstrip("\\") + "\\"):
            raise ValueError("the target lies inside the source")
        if self.pass_name not in PASSES:
            raise ValueError(f"unknown pass {self.pass_name!r}; expected one of {', '.join(PASSES)}")
        if not 1 <= self.threads <= 128:
            raise ValueError("threads must be between 1 and 128")

    def flags(self) -> list[str]:
        flags = [
            "/MIR",
            "/COPY:DATSO" if self.copy_security else "/COPY:DAT",
            "/DCOPY:DAT",
            "/ZB",
            "/IT",
            f"/MT:{self.threads}",
            f"/R:{self.retries}",
            f"/W:{self.wait_seconds}",
            "/XJ",
            "/NP",
            f"/UNILOG:{self.log_path}",
            "/XD", *self.excluded_dirs,
        ]
        if self.dry_run:
            flags.append("/L")
        return flags

    def argv(self) -> list[str]:
        return ["robocopy.exe", self.source, self.target, *self.flags()]

    def command_line(self) -> str:
        """The command as a person would type it (quoted where needed), kept as evidence."""
        return " ".join(f'"{a}"' if (" " in a or "$" in a) and not a.startswith("/") else a for a in self.argv())


@dataclass(frozen=True)
class ExitMeaning:
    code: int
    success: bool
    meanings: tuple[str, ...]

    @property
    def summary(self) -> str:
        return "; ".join(self.meanings)


_BITS = (
    (1, "one or more files were copied"),
    (2, "extra files or directories exist at the target (removed by /MIR unless listing)"),
    (4, "mismatched files or directories were detected"),
    (8, "some files or directories could not be copied (retry limit exceeded)"),
    (16, "fatal error: robocopy did not copy anything (bad path, access denied to the share, or bad usage)"),
)


def interpret_exit_code(code: int) -> ExitMeaning:
    """Robocopy's exit code is a bit field: 0–7 are success, 8 and above mean at least one failure."""
    if code < 0 or code > 31:
        return ExitMeaning(code, False, (f"unexpected exit code {code}: robocopy did not finish normally",))
    if code == 0:
        return ExitMeaning(0, True, ("no change: source and target were already in sync",))
    meanings = tuple(text for bit, text in _BITS if code & bit)
    return ExitMeaning(code, code < 8, meanings)
