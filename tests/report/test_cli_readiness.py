"""The rehearsal's readiness as a terminal shows it: one block per site, every line within 80 columns."""

from __future__ import annotations

import datetime as dt
import io

from rich.cells import cell_len
from rich.console import Console

from cutover import gate
from cutover.cli.readiness_view import SHOWN_HANDS_ON, readiness_blocks
from cutover.evidence.model import Check
from cutover.rehearse import SiteOutcome
from cutover.runner import RunOutcome
from tests.report.conftest import SITE


def _check(check_id: str, status: str = "fail") -> Check:
    return Check(id=check_id, title_ja="t", title_en="t", area="office", status=status, message="m",
                 source="ansible", host="P18-DT-001", timestamp=dt.datetime(2026, 11, 24, tzinfo=dt.UTC))


def render(outcomes, width: int = 80) -> list[str]:
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(readiness_blocks(outcomes))
    return console.export_text().splitlines()


def test_readiness_reads_at_80_columns_in_words(sample_inventory):
    site = sample_inventory.sites[SITE]
    conditions = [gate.Condition(cid, "fail", "x") for cid in gate.CONDITIONS]
    assessment = gate.Assessment(SITE, conditions, [_check("office.support"), _check("office.support"),
                                                    _check("mail.survey.answered")])
    hands_on = [f"P18-DT-{n:03d}: Office 2019 を Microsoft 365 に切り替えてください。" + "とても長い説明" * 10
                for n in range(17)]
    converge = RunOutcome("successful", 0, changed={"P18-DT-002": 3}, unreachable={"P18-DT-001"})
    lines = render([SiteOutcome(site, converge=converge, assessment=assessment, hands_on=hands_on)])
    assert lines and all(cell_len(line) <= 80 for line in lines), [line for line in lines if cell_len(line) > 80]
    text = "\n".join(lines)
    assert lines[0].startswith(f"{SITE} {site.config.name_ja}") and "not ready" in lines[0] and "no-go" in lines[0]
    assert "3 (critical 2, medium 1)" in text  # blockers weighed by impact
    assert "Backups of the new shares exist" in text and "backups-exist" not in text  # words, not ids
    assert not any(cid in text for cid in gate.CONDITIONS)
    assert f"+{17 - SHOWN_HANDS_ON} more" in text
    assert "1 changed, 0 failed, 1 unreachable" in text


def test_markup_in_names_is_shown_not_parsed(sample_inventory):
    site = sample_inventory.sites[SITE]
    outcome = SiteOutcome(site, hands_on=["[red]cutover:cloud:SiteFileShare[/]"])
    text = "\n".join(render([outcome]))
    assert "[red]cutover:cloud:SiteFileShare[/]" in text and "not judged" in text
