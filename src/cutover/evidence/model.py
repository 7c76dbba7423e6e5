"""The evidence schema (versioned; JSON Schema published in docs/evidence-schema.json).

Shaped after InSpec's exec JSON: run metadata, then per site a flat list of checks, each with a
status, a message, its source and the data behind it. Anything that could not be collected is an
``error`` check, never a pass.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cutover.evidence import wording

SCHEMA_VERSION = "2.1"  # 2.1: every check carries message_ja
# Every status and area is spelled here once; the tuples derive from the Literal types.
Verdict = Literal["pass", "fail", "error", "not_applicable", "manual"]  # what a check can find by itself
Status = Literal[Verdict, "waived"]  # "waived": an approved exception (the inventory's waivers)
Source = Literal["pulumi", "ansible", "testinfra", "survey", "inventory"]
RoleArea = Literal["ngav", "office", "mail", "fileshare", "migration"]  # each published by one role's fact
Area = Literal["cloud", "endpoint", RoleArea, "inventory"]  # endpoint: the PC itself (reachable, tasks)
STATUSES: tuple[str, ...] = get_args(Status)
VERDICTS: tuple[str, ...] = get_args(Verdict)
BLOCKING: tuple[str, ...] = ("fail", "error", "manual")  # manual: a person's step not yet recorded as done
BY_SEVERITY: tuple[str, ...] = (*BLOCKING, "waived", "not_applicable", "pass")  # the order reports list checks in
assert sorted(BY_SEVERITY) == sorted(STATUSES), "BY_SEVERITY must order every status once"
AREAS: tuple[str, ...] = get_args(Area)
ROLE_AREAS: tuple[str, ...] = get_args(RoleArea)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _message_ja_required(schema: dict[str, Any]) -> None:
    """In the published schema every check has its Japanese message (a file made by cutover always has)."""
    schema["required"] = sorted({*schema.get("required", []), "message_ja"})
    schema["properties"]["message_ja"].pop("default", None)
    schema["properties"]["message_ja"]["minLength"] = 1


class Check(_Model):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_message_ja_required)

    id: str = Field(description="stable id, '<area>.<check>'; with `host` it identifies one PC's check")
    title_ja: str
    title_en: str
    area: Area
    status: Status
    message: str
    message_ja: str = Field("", description="the message in Japanese for the ja report (English: `message`); "
                                            "worded from id, status and data (cutover.evidence.wording) when a "
                                            "collector gives none")
    source: Source
    host: str | None = Field(None, description="the PC or server the check is about, if any")
    item: str | None = Field(None, description="the variable part of the check (an address, a share, a user's SID), "
                                               "so that id, item and host identify one check")
    data: dict[str, Any] = Field(default_factory=dict, description="the values behind the verdict")
    timestamp: dt.datetime

    @model_validator(mode="after")
    def _in_japanese(self) -> Check:
        if not self.message_ja:
            self.message_ja = wording.japanese(self)
        return self

    @property
    def key(self) -> str:
        name = f"{self.id}[{self.item}]" if self.item else self.id
        return f"{name}@{self.host}" if self.host else name


class Action(_Model):
    """Hands-on work for a person (prefecture staff or the IT centre)."""

    id: str
    host: str | None = None
    message_ja: str
    message_en: str
    source: Source


class CiRun(_Model):
    """The CI run that produced a file (GitHub Actions' default environment variables)."""

    provider: Literal["github-actions"]
    run_id: str
    run_attempt: str | None = None
    url: str | None = Field(None, description="link to the run's page")
    workflow: str | None = None
    ref: str | None = None
    sha: str | None = None


class InputDigest(_Model):
    """One input read to make a file, with the SHA-256 that proves which content it was."""

    role: str = Field(description="plan, runner, facts, junit, inventory, evidence …")
    path: str | None = Field(description="absolute path as read (None: the input was not given)")
    sha256: str | None = Field(description="of the file, or of a folder: over '<sha256>  <relative path>' lines")
    files: int = Field(0, ge=0)
    note: str | None = None


class Provenance(_Model):
    """Who made a file, from which code and inputs, when (times in Asia/Tokyo)."""

    generated_at: dt.datetime = Field(description="when the file was made, Asia/Tokyo (+09:00)")
    tool_version: str
    tool_versions: dict[str, str] = Field(default_factory=dict)
    git_commit: str | None = Field(None, description="commit of the code that made the file (None: not a checkout)")
    git_dirty: bool | None = Field(None, description="the checkout had uncommitted changes")
    ci: CiRun | None = Field(None, description="set when made in a CI run")
    operator: str = Field(description="CUTOVER_OPERATOR, the CI actor, or the login name")
    host: str = Field(description="the machine that made the file")
    inputs: list[InputDigest] = Field(default_factory=list)


class RunMetadata(Provenance):
    as_of: dt.date = Field(description="the day deadlines and waivers are judged against")
    inventory_revision: str


class ReportProvenance(Provenance):
    """Provenance of a report: who rendered it from which evidence, judged on which day by which rules."""

    judged_on: dt.date = Field(description="the day readiness and the gate were judged (freshness counts from it)")
    max_age_days: int = Field(ge=0, description="oldest evidence the gate accepts, in days before judged_on")
    inventory_revision: str


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
    schema_version: Literal["2.1"] = SCHEMA_VERSION
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
        """Checks that keep the site from being ready: fail, error, and manual steps not yet confirmed."""
        return [c for c in self.checks if c.status in BLOCKING]


def json_schema() -> dict[str, Any]:
    schema = SiteEvidence.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://cutover.example/schemas/evidence-" + SCHEMA_VERSION + ".json"
    schema["title"] = "cutover site evidence"
    return schema
