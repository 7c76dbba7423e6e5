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
# Folders no pass copies and no scan or verification counts (robocopy /XD matches these names at any
# depth). The role's default file_migration_exclude_dirs must equal this (a test holds them together).
EXCLUDED_DIRS = ("System Volume Information", "$RECYCLE.BIN", "DfsrPrivate")
# Arguments quoted for CreateProcess (the C runtime's rules): whitespace and double quotes. Also quoted
# so that the same line pasted into cmd.exe keeps them literal: & | < > ^ ( ) and !.
_NEEDS_QUOTES = re.compile(r'[ \t\n\v"]')
_CMD_SPECIAL = re.compile(r"[&|<>^()!%]")

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
        """The exact command line the module starts robocopy with, and logs; it runs the same pasted into cmd.exe."""
        return windows_command_line(self.argv())


def quote_argument(argument: str) -> str:
    """One argument quoted by the rules CommandLineToArgvW and the C runtime parse with.

    Same algorithm as ``Escape-Argument`` in ansible-core's Ansible.ModuleUtils.ArgvParser (which the
    PowerShell module uses), forcing quotes also for cmd.exe's special characters. Rules:
    https://learn.microsoft.com/cpp/cpp/main-function-command-line-args#parsing-c-command-line-arguments
    """
    if argument and not _NEEDS_QUOTES.search(argument) and not _CMD_SPECIAL.search(argument):
        return argument
    quoted, backslashes = ['"'], 0
    for char in argument:
        if char == "\\":
            backslashes += 1
            continue
        if char == '"':
            quoted.append("\\" * (backslashes * 2 + 1) + '"')
        else:
            quoted.append("\\" * backslashes + char)
        backslashes = 0
    quoted.append("\\" * (backslashes * 2) + '"')
    return "".join(quoted)


def windows_command_line(argv: list[str]) -> str:
    return " ".join(quote_argument(a) for a in argv)


def split_command_line(line: str) -> list[str]:
    """CommandLineToArgvW's parsing (2008+ rules), to prove that a logged line gives back its arguments."""
    args: list[str] = []
    current: list[str] = []
    in_quotes = False
    started = False
    i = 0
    while i < len(line):
        char = line[i]
        if char == "\\":
            run = 0
            while i < len(line) and line[i] == "\\":
                run += 1
                i += 1
            if i < len(line) and line[i] == '"':
                current.append("\\" * (run // 2))
                if run % 2:
                    current.append('"')
                    i += 1
            else:
                current.append("\\" * run)
            started = True
            continue
        if char == '"':
            if in_quotes and i + 1 < len(line) and line[i + 1] == '"':
                current.append('"')
                i += 2
                continue
            in_quotes = not in_quotes
            started = True
        elif char in " \t" and not in_quotes:
            if started:
                args.append("".join(current))
                current, started = [], False
        else:
            current.append(char)
            started = True
        i += 1
    if started:
        args.append("".join(current))
    return args


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
