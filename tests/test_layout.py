"""Tests are laid out like the code: ``tests/<package>/`` for ``src/cutover/<package>/``, ``tests/test_<module>.py``
for ``src/cutover/<module>.py``; the few folders that test something else say what."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "cutover"
# Test folders for what is not a package of src/cutover, and why.
OTHER = {
    "roles": "the Ansible roles' filter plugins, modules' docs and tasks (roles/)",
    "awx": "the AWX/AAP job templates and the execution environment (awx/, execution-environment.yml)",
    "fuzz": "hostile input across every reader",
    "vectors": "JSON vectors shared by the twin and Pester",
    "pester": "Pester tests of the PowerShell modules (run on Windows)",
    "pwsh": "PowerShell static rules",
    "lab": "the Azure lab scenario (molecule/azure-lab)",
}
# Top-level tests of no single module.
CROSS_CUTTING = {"test_names_once.py", "test_layout.py"}


def test_every_test_folder_mirrors_a_package_or_says_what_it_tests():
    folders = {p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and not p.name.startswith(("_", "."))}
    packages = {p.parent.name for p in SOURCE.glob("*/__init__.py")}
    assert sorted(folders - packages - set(OTHER)) == []
    assert sorted(set(OTHER) - folders) == []  # no stale entry


def test_every_top_level_test_file_is_named_after_a_module():
    modules = {p.stem for p in SOURCE.glob("*.py")}
    stray = [p.name for p in (ROOT / "tests").glob("test_*.py")
             if p.name not in CROSS_CUTTING and p.stem.removeprefix("test_") not in modules]
    assert stray == []
