"""Waivers travel from the inventory into the plan: as a tag on the storage account and as outputs.

The tag (``cutover-waivers``) lets the policy pack see a waiver without reading the inventory:
``policy[/scope]:YYYY-MM-DD`` entries separated by ``;``. Reasons are too long for a tag (256
characters) and travel in the ``waivers`` stack output instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cutover.inventory.model import Waiver

TAG = "cutover-waivers"


@dataclass(frozen=True)
class TaggedWaiver:
    policy: str
    scope: str | None
    expires: dt.date

    def active(self, as_of: dt.date) -> bool:
        return self.expires >= as_of


def to_tag(waivers: list[Waiver]) -> str:
    parts = []
    for waiver in sorted(waivers, key=lambda w: (w.policy, w.scope or "")):
        key = waiver.policy if not waiver.scope else f"{waiver.policy}/{waiver.scope}"
        parts.append(f"{key}:{waiver.expires.isoformat()}")
    return ";".join(parts)


def from_tag(value: str | None) -> list[TaggedWaiver]:
    found = []
    for part in (value or "").split(";"):
        part = part.strip()
        if not part or ":" not in part:
            continue
        key, _, date = part.rpartition(":")
        policy, _, scope = key.partition("/")
        try:
            found.append(TaggedWaiver(policy, scope or None, dt.date.fromisoformat(date)))
        except ValueError:
            continue
    return found


def find(tagged: list[TaggedWaiver], policy: str, scope: str | None = None) -> TaggedWaiver | None:
    for waiver in tagged:
        if waiver.policy == policy and (waiver.scope is None or scope is None or waiver.scope == scope):
            return waiver
    return None
