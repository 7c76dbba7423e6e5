"""Every .ps1/.psm1 of the repository against the PowerShell rules; known violations only through the allow-list."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.pwsh import psast, rules

ALLOWLIST_FILE = Path(__file__).with_name("allowlist.yml")
ALLOWLIST = yaml.safe_load(ALLOWLIST_FILE.read_text(encoding="utf-8")) or {}
FILES = psast.powershell_files()


def allowed(path: str) -> Counter:
    return Counter((ALLOWLIST.get(path) or {}).get("rules") or {})


def test_there_is_powershell_to_check():
    custom = [p for p in FILES if rules.is_custom_module(p.relative_to(psast.ROOT))]
    assert len(custom) >= 5 and any(p.suffix == ".psm1" for p in FILES)  # #11 removes custom modules


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(psast.ROOT).as_posix())
def test_powershell_follows_the_rules_or_is_allow_listed(path):
    relative = path.relative_to(psast.ROOT).as_posix()
    findings = rules.check_file(path)
    counts = Counter(f.rule for f in findings)
    excess = {rule: n - allowed(relative)[rule] for rule, n in counts.items() if n > allowed(relative)[rule]}
    shown = [str(f) for f in findings if f.rule in excess]
    assert not excess, f"violations not in tests/pwsh/allowlist.yml ({excess}):\n  " + "\n  ".join(shown)


def test_the_allow_list_only_holds_what_is_left():
    """Every entry names its issue, known rules, an existing file and no more than is left (empty: nothing left)."""
    for path, entry in sorted(ALLOWLIST.items()):
        assert str(entry.get("issue", "")).startswith("#"), f"{path}: say which issue the violations belong to"
        assert set(entry["rules"]) <= set(rules.RULES), f"{path}: unknown rule in {sorted(entry['rules'])}"
        file = psast.ROOT / path
        assert file.is_file(), f"{path} no longer exists: delete its allow-list entry"
        counts = Counter(f.rule for f in rules.check_file(file))
        stale = {rule: (n, counts[rule]) for rule, n in entry["rules"].items() if counts[rule] < n}
        assert not stale, f"{path}: fixed violations still allowed (allowed, left) {stale}: lower the counts"


def test_allow_listed_violations_are_reported_for_the_record():
    """The list is real: every listed violation is one the checker finds today."""
    listed = sum(sum(e["rules"].values()) for e in ALLOWLIST.values())
    found = sum(min(n, allowed(p.relative_to(psast.ROOT).as_posix())[r])
                for p in FILES for r, n in Counter(f.rule for f in rules.check_file(p)).items())
    assert found == listed
