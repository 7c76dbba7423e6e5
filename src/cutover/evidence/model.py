"""The evidence schema (versioned; JSON Schema published in docs/evidence-schema.json).

Shaped after InSpec's exec JSON: run metadata, then per site a flat list of checks, each with a
status, a message, its source and the data behind it. Anything that could not be collected is an
``error`` check, never a pass.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"
Status = Literal["pass", "fail", "error", "not_applicable", "manual", "waived"]
Source = Literal["pulumi", "ansible", "testinfra", "survey", "inventory"]
Area = Literal["cloud", "ngav", "office", "mail", "fileshare", "migration", "inventory"]
STATUSES: tuple[str, ...] = ("pass", "fail", "error", "not_applicable", "manual", "waived")
AREAS: tuple[str, ...] = ("cloud", "ngav", "office", "mail", "fileshare", "migration", "inventory")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Check(_Model):
    id: str = Field(description="stable id, '<area>.<check>'; with `host` it identifies one PC's check")
    title_ja: str
    title_en: str
    area: Area
    status: Status
    message: str
    source: Source
    host: str | None = Field(None, description="the PC or server the check is about, if any")
    data: dict[str, Any] = Field(default_factory=dict, description="the values behind the verdict")
    timestamp: dt.datetime

    @property
    def key(self) -> str:
        return f"{self.id}@{self.host}" if self.host else self.id


class Action(_Model):
    """Hands-on work for a person (prefecture staff or the IT centre)."""

    id: str
    host: str | None = None
    message_ja: str
    message_en: str
    source: Source


class RunMetadata(_Model):
    generated_at: dt.datetime
    as_of: dt.date = Field(description="the day deadlines and waivers are judged against")
    tool_version: str
    tool_versions: dict[str, str] = Field(default_factory=dict)
    inventory_revision: str
    inputs: dict[str, str | None] = Field(default_factory=dict, description="where each source was read from")


# A canonical site id (cutover.sites); evidence names report files after it, so it must not be a path.
SITE_ID_PATTERN = r"^(hq|pref-(0[1-9]|[1-3][0-9]|4[0-7])-[a-z]+)$"


class SiteInfo(_Model):
    id: str = Field(pattern=SITE_ID_PATTERN, description="hq or pref-NN-romaji")
    name_ja: str
    name_en: str
    wave: int
    wave_start: dt.date | None
    identity_mode: str
    endpoints: int
    addresses: int


class SiteEvidence(_Model):
    schema_version: Literal["1.0"] = SCHEMA_VERSION
    run: RunMetadata
    site: SiteInfo
    checks: list[Check]
    actions: list[Action] = Field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for check in self.checks:
            counts[check.status] += 1
        return counts

    @property
    def blockers(self) -> list[Check]:
        return [c for c in self.checks if c.status in ("fail", "error")]

    @property
    def ready(self) -> bool:
        return not self.blockers


def json_schema() -> dict[str, Any]:
    schema = SiteEvidence.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://cutover.example/schemas/evidence-1.0.json"
    schema["title"] = "cutover site evidence"
    return schema
