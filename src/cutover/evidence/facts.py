"""The fact every Windows role publishes, ``cutover_<area>``: one typed contract for the roles and the collector.

A role's filter plugin builds its fact with :func:`role_fact` (the one builder; it validates what it
builds, so a role cannot publish a malformed fact), Ansible caches it (``set_fact`` with
``cacheable: true``), and the Ansible collector validates every cached fact against :class:`RoleFact`
before it believes a single check: a mismatch is an ``error`` check naming the host and the field.
The JSON Schema is published in docs/role-fact-schema.json (``cutover schema`` style: see
:func:`json_schema`; a test keeps the file equal to the model).

Check ids are ``<area>.<check>`` (lower case, digits, ``_``; the area is the fact's own). What varies
from PC to PC — an address, a share, a user's SID — is the check's ``item`` (and in its ``data``),
never a part of its id, so that reports and the gate can count a check across PCs.

The filter plugins run on the Ansible controller (and in the execution environment), where the
``cutover`` package is installed (execution-environment.yml), so they import this module as
``from cutover.evidence.facts import role_fact``; it needs nothing but pydantic.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from cutover.evidence.model import RoleArea, Verdict

FACT_SCHEMA = 2
FACT_PREFIX = "cutover_"
# pending: the role did its part and waits for something outside it (a restart, a user closing an app).
FactStatus = Literal[Verdict, "pending"]
FACT_STATUSES: tuple[str, ...] = get_args(FactStatus)
CHECK_ID = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"
# The role that publishes each area's fact.
ROLES: dict[str, str] = {"ngav": "ngav", "office": "office_m365", "mail": "mail_client",
                         "fileshare": "fileshare_client", "migration": "file_migration"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class FactCheck(_Model):
    id: str = Field(pattern=CHECK_ID, description="'<area>.<check>'; no variable part (that is `item`)")
    status: FactStatus = Field(description="pending: the role did its part and waits for a restart or a person")
    message: str = Field(min_length=1, description="one line a person can act on")
    item: str | None = Field(None, min_length=1,
                             description="what varies from PC to PC (an address, a share, a user's SID)")
    data: dict[str, Any] = Field(default_factory=dict, description="the values behind the verdict")


class FactAction(_Model):
    id: str = Field(pattern=CHECK_ID, description="'<area>.<action>'")
    message_en: str = Field(min_length=1)
    message_ja: str = Field(min_length=1)


class RoleFact(_Model):
    schema_version: Literal[2] = Field(FACT_SCHEMA, alias="schema", description="version of this contract")
    area: RoleArea
    collected_at: AwareDatetime = Field(description="when the role built the fact (UTC)")
    reboot_required: bool = Field(False, description="a change of this run takes effect only after a restart")
    checks: list[FactCheck]
    actions: list[FactAction] = Field(default_factory=list)
    state: dict[str, Any] = Field(default_factory=dict, description="the role's own bookkeeping (not evidence)")

    @model_validator(mode="after")
    def _ids_of_its_area(self) -> RoleFact:
        prefix = self.area + "."
        for kind, entries in (("checks", self.checks), ("actions", self.actions)):
            for index, entry in enumerate(entries):
                if not entry.id.startswith(prefix):
                    raise ValueError(f"{kind}.{index}.id: {entry.id!r} is not of area {self.area!r}")
        seen: set[tuple[str, str | None, Any]] = set()
        for index, check in enumerate(self.checks):
            key = (check.id, check.item, check.data.get("site"))
            if key in seen:
                raise ValueError(f"checks.{index}: {check.id} item {check.item!r} appears twice")
            seen.add(key)
        return self


def check(check_id: str, status: str, message: str, data: dict | None = None, item: str | None = None) -> dict:
    """One check of a fact, as a plain dict (validated when the fact is built)."""
    out: dict[str, Any] = {"id": check_id, "status": status, "message": message, "data": dict(data or {})}
    if item is not None:
        out["item"] = item
    return out


def action(action_id: str, message_en: str, message_ja: str) -> dict:
    return {"id": action_id, "message_en": message_en, "message_ja": message_ja}


def role_fact(area: str, checks: list[dict], actions: list[dict] | None = None, *, reboot_required: bool = False,
              state: dict | None = None, now: dt.datetime | None = None) -> dict:
    """The ``cutover_<area>`` fact, validated against :class:`RoleFact`, as the JSON Ansible caches.

    Raises ``ValueError`` (Ansible shows it as the filter's error) when the role built something the
    collector would refuse: better a failed task than evidence nobody can read.
    """
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    try:
        fact = RoleFact(area=area, collected_at=moment, checks=plain(checks), actions=plain(actions or []),
                        reboot_required=reboot_required, state=plain(state or {}))
    except ValidationError as exc:
        raise ValueError(f"{FACT_PREFIX}{area} would not be a valid fact: {problems(exc)[0]}") from exc
    out = fact.model_dump(mode="json", by_alias=True)
    for entry in out["checks"]:
        if entry["item"] is None:
            del entry["item"]  # only checks with a variable part carry one
    return out


def plain(value: Any) -> Any:
    """Plain JSON values from what a filter plugin receives.

    ansible-core 2.19 hands filters its own containers and scalars (lazy templating dicts and lists,
    tagged str/int); left to pydantic, some of them serialise as ``{"value": ...}``. Every dict, list,
    string and number is rebuilt as the plain Python type first.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def could_not_check(area: str, check_name: str, why: str, now: dt.datetime | None = None) -> dict:
    """The fact of a role whose discovery failed: one ``error`` check, never a pass."""
    return role_fact(area, [check(f"{area}.{check_name}", "error", f"could not check: {why}")], now=now)


def restart_pending(*registered: Any) -> bool:
    """The one reboot decision from what the role's tasks registered, in the order they ran.

    A module that reports ``reboot_required`` (``ansible.windows.win_package`` on exit 3010,
    ``win_feature``, ``win_updates``) asks for a restart; a later ``ansible.windows.win_reboot`` that
    restarted the PC (``rebooted``) answers it. Loop results count one by one; failed results ask nothing.
    """
    wanted = False
    for result in registered:
        if not isinstance(result, dict):
            continue
        for one in result.get("results") if isinstance(result.get("results"), list) else [result]:
            if not isinstance(one, dict) or one.get("skipped"):
                continue
            if one.get("rebooted"):
                wanted = False
            elif one.get("reboot_required") and not one.get("failed"):
                wanted = True
    return wanted


def problems(exc: ValidationError) -> list[str]:
    """``field: what is wrong`` for each error (the field as a dotted path: ``checks.2.status``)."""
    out = []
    for error in exc.errors():
        where = "".join(f"{part}: " if i == len(error["loc"]) - 1 else f"{part}."
                        for i, part in enumerate(error["loc"]))
        got = "" if error["type"] == "missing" or not error["loc"] or isinstance(error.get("input"), dict | list) \
            else f" (got {error.get('input')!r:.60})"
        out.append(f"{where}{error['msg'].removeprefix('Value error, ')}{got}")
    return out


def json_schema() -> dict[str, Any]:
    schema = RoleFact.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://cutover.example/schemas/role-fact-{FACT_SCHEMA}.json"
    schema["title"] = "cutover role fact (cutover_<area>)"
    return schema
