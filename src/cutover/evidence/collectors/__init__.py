"""Collectors: each reads one kind of real artefact and returns checks (and actions) for a site."""

from __future__ import annotations

from cutover import policy_catalog
from cutover.evidence.model import Check
from cutover.evidence.provenance import now


def could_not_collect(check_id: str, area: str, source: str, what: str, host: str | None = None,
                      title_ja: str = "証跡を収集できませんでした", title_en: str = "Evidence could not be collected",
                      **data) -> Check:
    """An ``error`` check: missing evidence never reads as a pass."""
    return Check(id=check_id, title_ja=title_ja, title_en=title_en, area=area, status="error",
                 message=f"could not collect: {what}", source=source, host=host, data=data, timestamp=now())


def policy_titles(policy_id: str) -> tuple[str, str]:
    info = policy_catalog.BY_ID.get(policy_id)
    return (info.title_ja, info.title_en) if info else (policy_id, policy_id)


__all__ = ["could_not_collect", "now", "policy_titles"]
