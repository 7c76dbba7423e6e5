"""Helpers for driving the CLI the way people do, and for reading what it printed."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cutover.cli import app
from cutover.cli.common import ExitCode
from cutover.evidence import collect

runner = CliRunner()


def cli(*args: str, env: dict | None = None):
    """Run the CLI; return (result, output with stdout and stderr, whitespace and box lines flattened)."""
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "250", **(env or {})})
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    return result, " ".join(text.replace("│", " ").split())


def assert_bad_input(result, output: str, *expected: str) -> None:
    """Exit 2, no traceback, no unexpected exception, and every expected fragment in the output."""
    assert result.exit_code == ExitCode.BAD_INPUT, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    for fragment in expected:
        assert fragment in output, (fragment, output)


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*") if p.is_file()) if Path(folder).exists() else []


@pytest.fixture
def evidence_dir(tmp_path, sample_inventory) -> Path:
    """Evidence for the pilot site as `cutover evidence collect` writes it (no artefacts: error checks)."""
    out = tmp_path / "evidence"
    site = sample_inventory.sites["pref-18-fukui"]
    collect.write(collect.collect_site(sample_inventory, site, collect.Sources(), dt.date(2026, 11, 24)), out)
    return out


@pytest.fixture
def unwritable_dir(tmp_path) -> Path:
    """A folder this process cannot create files in (chmod does not stop root: use sysfs there)."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
        return folder / "out"
    folder = Path("/sys/kernel/cutover-test-out")
    try:
        folder.mkdir()
    except OSError:
        return folder
    folder.rmdir()
    raise AssertionError("expected /sys/kernel to refuse new folders")
