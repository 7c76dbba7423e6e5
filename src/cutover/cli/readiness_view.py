"""The readiness of rehearsed sites as a terminal shows it: one block per site, readable at 80 columns.

No wide table: a block per site with the verdict first, blockers by impact, the gate's unmet conditions in
words (no internal ids), the converge counts and the first hands-on items with "+N more" for the rest
(the report lists everything). Every value is plain text: a ``[`` in a site name is shown, never parsed.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group
from rich.table import Table
from rich.text import Text

from cutover import gate as gating
from cutover import impact
from cutover.rehearse import SiteOutcome

SHOWN_HANDS_ON = 3
_READINESS = {gating.Readiness.READY: ("ready", "green"), gating.Readiness.READY_ON_PLAN: ("ready on plan", "yellow"),
              gating.Readiness.NOT_READY: ("not ready", "red")}
_VERDICT = {gating.Verdict.GO: ("go", "green"), gating.Verdict.GO_ON_PLAN: ("go on plan", "yellow"),
            gating.Verdict.NO_GO: ("no-go", "red")}


def _blockers(outcome: SiteOutcome) -> str:
    if not outcome.assessment or not outcome.assessment.blockers:
        return "none"
    counts = dict.fromkeys(impact.IMPACTS, 0)
    for check in outcome.assessment.blockers:
        counts[impact.impact_of(check.id)] += 1
    return f"{outcome.blockers} (" + ", ".join(f"{name} {n}" for name, n in counts.items() if n) + ")"


def _gate(outcome: SiteOutcome) -> str:
    if not outcome.assessment:
        return "not judged (no evidence)"
    unmet = outcome.assessment.unmet
    if not unmet:
        return "every condition holds"
    return "not met: " + "; ".join(c.title_en + (" (on plan only)" if c.result == "on_plan" else "") for c in unmet)


def _converge(outcome: SiteOutcome) -> str:
    c = outcome.converge
    if c is None:
        return "did not run"
    return f"{len(c.changed)} changed, {len(c.failed)} failed, {len(c.unreachable)} unreachable"


def site_block(outcome: SiteOutcome) -> Group:
    readiness, colour = _READINESS[outcome.readiness]
    verdict, verdict_colour = _VERDICT[outcome.assessment.verdict if outcome.assessment else gating.Verdict.NO_GO]
    title = Text()
    title.append(outcome.site.id, style="bold")
    title.append(f" {outcome.site.config.name_ja}  ")
    title.append(readiness, style=f"bold {colour}")
    title.append(", gate ")
    title.append(verdict, style=f"bold {verdict_colour}")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=10, no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("  blockers", Text(_blockers(outcome)))
    grid.add_row("  gate", Text(_gate(outcome)))
    grid.add_row("  converge", Text(_converge(outcome)))
    items = outcome.hands_on
    grid.add_row("  hands-on", Text(f"{len(items)} item(s)" if items else "none"))
    for item in items[:SHOWN_HANDS_ON]:
        grid.add_row("", Text(item, no_wrap=True, overflow="ellipsis"))
    if len(items) > SHOWN_HANDS_ON:
        grid.add_row("", Text(f"+{len(items) - SHOWN_HANDS_ON} more (see the report)", style="dim"))
    return Group(title, grid)


def readiness_blocks(outcomes: Iterable[SiteOutcome]) -> Group:
    blocks = []
    for outcome in outcomes:
        blocks += [site_block(outcome), Text("")]
    return Group(*blocks)
