"""Every check has an impact from one table; the report's order and headline weigh failures by it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cutover import impact, policy_catalog
from cutover.verify.checks.model import CATALOGUE

# Check ids written as literals where checks are made: collectors, role filter plugins, verification.
_ID = re.compile(r"""(?:"id":\s*|\bid=|could_not_collect\()f?"("""
                 r"""(?:cloud|ngav|office|mail|fileshare|migration|inventory|endpoint)\.[a-z0-9_.{}-]+)\"""")
_ACTION_FILES = ("actions.append", "Action(")  # action ids are not checks


def _literal_check_ids(root: Path) -> set[str]:
    ids = set()
    for folder in ("src/cutover/evidence", "roles", "src/cutover/verify"):
        for path in (root / folder).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if any(marker in line for marker in _ACTION_FILES) or "message_ja" in line:
                    continue
                for found in _ID.findall(line):
                    ids.add(re.sub(r"\{[^}]*\}", "x", found))  # an f-string's name stands for any name
    return ids


def test_every_check_made_in_the_code_has_an_impact(project_root):
    ids = _literal_check_ids(project_root)
    assert len(ids) > 20, ids  # the scan found the checks (a broken pattern would make this test vacuous)
    actions = {"mail.survey.answer", "mail.survey.pc_missing", "office.replace", "office.deploy.close_apps",
               "fileshare.port445", "endpoint.by_hand", "mail.hive_left_loaded", "office.x.replace",
               "office.x.check_licence", "mail.x.not_reachable", "mail.x.not_found", "mail.x.close_client"}
    families = {"office.x": ("office.visio", "office.project"),  # office.{family}: Visio and Project
                "mail.x": ("mail.outlook", "mail.thunderbird")}  # mail.{client}, the address in the item
    missing = []
    for check_id in sorted(i for found in ids - actions for i in families.get(found, (found,))):
        try:
            impact.impact_of(check_id)
        except impact.UnknownCheck:
            missing.append(check_id)
    assert missing == []


def test_every_policy_and_every_verification_has_an_impact():
    for policy in policy_catalog.POLICIES:
        assert impact.impact_of(f"cloud.{policy.id}") in impact.IMPACTS
    for check_id in CATALOGUE:
        assert impact.impact_of(f"testinfra.{check_id}") == impact.impact_of(check_id)


def test_most_specific_family_wins_and_unknown_ids_are_refused():
    assert impact.impact_of("migration.final_pass") == "critical"  # the share is the check's item
    assert impact.impact_of("migration.final_dry_run") == "low"
    assert impact.impact_of("mail.outlook") == impact.impact_of("mail.outlook.k.watanabe@fukui.union.example")
    assert impact.impact_of("mail.outlook.not_reachable") == "medium"
    assert impact.impact_of("cloud.manual.entra-kerberos-admin-consent") == "high"
    assert impact.impact_of("testinfra.office.supported") == "critical"
    with pytest.raises(impact.UnknownCheck, match=r"no-such\.check"):
        impact.impact_of("no-such.check")


def test_unsupported_office_outweighs_an_unanswered_survey():
    assert impact.WEIGHT[impact.impact_of("office.support")] > impact.WEIGHT[impact.impact_of("mail.survey.answered")]
    assert [impact.SCORE[name] for name in impact.IMPACTS] == sorted(impact.SCORE.values(), reverse=True)
