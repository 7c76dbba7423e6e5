"""The role-fact contract: one builder, one model, one published schema, one reboot decision."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cutover import docgen
from cutover.evidence import facts

AT = dt.datetime(2026, 11, 24, 10, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=9)))


def test_the_builder_makes_the_fact_the_collector_reads():
    fact = facts.role_fact("mail", [facts.check("mail.outlook", "pending", "Outlook open", {"address": "a@x.example"},
                                                item="a@x.example"),
                                    facts.check("mail.thunderbird", "pass", "set")],
                           [facts.action("mail.outlook.close_client", "close it", "閉じてください")],
                           reboot_required=True, state={"n": 1}, now=AT)
    assert fact == {
        "schema": 2, "area": "mail", "collected_at": "2026-11-24T01:30:15Z", "reboot_required": True,
        "checks": [{"id": "mail.outlook", "status": "pending", "message": "Outlook open", "item": "a@x.example",
                    "data": {"address": "a@x.example"}},
                   {"id": "mail.thunderbird", "status": "pass", "message": "set", "data": {}}],
        "actions": [{"id": "mail.outlook.close_client", "message_en": "close it", "message_ja": "閉じてください"}],
        "state": {"n": 1}}
    assert facts.RoleFact.model_validate(json.loads(json.dumps(fact))).checks[0].item == "a@x.example"


@pytest.mark.parametrize(("checks", "needle"), [
    ([facts.check("mail.outlook.a@x.example", "pass", "x")], "checks.0.id: String should match pattern"),
    ([facts.check("office.support", "pass", "x")], "'office.support' is not of area 'mail'"),
    ([facts.check("mail.outlook", "ok", "x")], "checks.0.status: Input should be"),
    ([facts.check("mail.outlook", "waived", "x")], "checks.0.status: Input should be"),
    ([facts.check("mail.outlook", "pass", "")], "checks.0.message: String should have at least 1 character"),
    ([facts.check("mail.outlook", "pass", "x", item="a"), facts.check("mail.outlook", "fail", "y", item="a")],
     "checks.1: mail.outlook item 'a' appears twice"),
])
def test_the_builder_refuses_what_the_collector_would(checks, needle):
    with pytest.raises(ValueError, match="cutover_mail would not be a valid fact") as caught:
        facts.role_fact("mail", checks)
    assert needle in str(caught.value)


def test_the_same_check_of_two_sites_is_two_checks():
    fact = facts.role_fact("migration", [facts.check("migration.scan", "pass", "ok", {"site": "hq"}, item="docs"),
                                         facts.check("migration.scan", "pass", "ok", {"site": "pref-18-fukui"},
                                                     item="docs")])
    assert len(fact["checks"]) == 2


def test_could_not_check_is_one_error():
    fact = facts.could_not_check("ngav", "discovered", "WinRM timed out", now=AT)
    assert fact["checks"] == [{"id": "ngav.discovered", "status": "error",
                               "message": "could not check: WinRM timed out", "data": {}}]
    assert fact["actions"] == [] and fact["reboot_required"] is False


@pytest.mark.parametrize(("registered", "pending"), [
    ((), False),
    (({"changed": True, "rc": 3010, "reboot_required": True},), True),
    (({"results": [{"reboot_required": False}, {"reboot_required": True, "rc": 3010}]},), True),
    (({"reboot_required": True}, {"changed": True, "rebooted": True}), False),  # restarted after: answered
    (({"changed": True, "rebooted": True}, {"reboot_required": True}), True),  # asked again after the restart
    (({"reboot_required": True, "failed": True},), False),
    (({"skipped": True, "reboot_required": True},), False),
    (({"results": [{"skipped": True, "reboot_required": True}]}, {}, None, "text"), False),
])
def test_restart_pending_is_the_one_reboot_decision(registered, pending):
    assert facts.restart_pending(*registered) is pending


def test_published_role_fact_schema_matches_the_model(project_root):
    published = (project_root / "docs" / "role-fact-schema.json").read_text(encoding="utf-8")
    assert published == docgen.schemas()["docs/role-fact-schema.json"]
    schema = json.loads(published)
    assert schema["properties"]["schema"]["const"] == facts.FACT_SCHEMA
    assert schema["$defs"]["FactCheck"]["properties"]["status"]["enum"] == list(facts.FACT_STATUSES)


class _Wrapped(dict):
    """Stands for ansible-core's own containers (lazy templating dicts): a dict subclass with state."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.value = dict(self)


class _TaggedInt(int):
    pass


def test_what_ansible_hands_a_filter_is_published_as_plain_json():
    data = _Wrapped({"findings": [_Wrapped({"kind": "trailing_dot_or_space"})], "entries": _TaggedInt(2),
                     "pair": ("a", 1.5), "other": dt.date(2026, 11, 24)})
    fact = facts.role_fact("migration", [facts.check("migration.scan", "fail", "1 name", data, item="shared")])
    assert fact["checks"][0]["data"] == {"findings": [{"kind": "trailing_dot_or_space"}], "entries": 2,
                                         "pair": ["a", 1.5], "other": "2026-11-24"}
    assert type(fact["checks"][0]["data"]["entries"]) is int
    assert json.loads(json.dumps(fact)) == fact
