"""The mail_client role's filters: which addresses it touches and the fact it publishes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "roles/mail_client/filter_plugins/mail_client.py"
spec = importlib.util.spec_from_file_location("mail_client_filters", PLUGIN)
filters = importlib.util.module_from_spec(spec)
spec.loader.exec_module(filters)

ACCOUNTS = [
    {"address": "A.Sato@fukui.union.example", "kind": "personal", "client": "outlook"},
    {"address": "b.ito@fukui.union.example", "kind": "personal", "client": "garoon+thunderbird"},
    {"address": "c.mori@fukui.union.example", "kind": "personal", "client": "garoon+outlook"},
    {"address": "info@fukui.union.example", "kind": "shared", "client": "outlook"},
    {"address": "d.kato@fukui.union.example", "kind": "personal", "client": "garoon"},
]


def test_only_personal_addresses_of_that_client_are_targets():
    assert filters.mail_client_targets(ACCOUNTS, "outlook") == ["a.sato@fukui.union.example",
                                                                "c.mori@fukui.union.example"]
    assert filters.mail_client_targets(ACCOUNTS, "thunderbird") == ["b.ito@fukui.union.example"]


def test_unknown_client_is_refused():
    with pytest.raises(ValueError):
        filters.mail_client_targets(ACCOUNTS, "gmail")


def outlook_result(*records, users=()):
    return {"changed": any(r["status"] == "changed" for r in records), "accounts": list(records),
            "users": list(users)}


def test_fact_reports_each_address_with_before_and_after():
    result = outlook_result(
        {"address": "a.sato@fukui.union.example", "status": "changed", "before": 0x000E0003, "after": 0x000F0003},
        {"address": "c.mori@fukui.union.example", "status": "pending", "before": 1, "after": 1,
         "reason": "Outlook is running for this user; applied on the next run"},
        {"address": "info@fukui.union.example", "status": "not_targeted", "before": 1, "after": 1},
    )
    fact = filters.mail_client_fact(ACCOUNTS, result, {"skipped": True}, 15)
    by_id = {c["id"]: c for c in fact["checks"]}
    sato = by_id["mail.outlook.a.sato@fukui.union.example"]
    assert sato["status"] == "pass" and sato["data"]["after"] == 0x000F0003
    assert by_id["mail.outlook.c.mori@fukui.union.example"]["status"] == "pending"
    assert "mail.outlook.info@fukui.union.example" not in by_id  # shared: never a target
    assert by_id["mail.thunderbird.b.ito@fukui.union.example"]["status"] == "not_applicable"


def test_check_mode_change_is_not_compliant_yet():
    result = outlook_result({"address": "a.sato@fukui.union.example", "status": "changed", "before": 1,
                             "after": 0x000F0003})
    fact = filters.mail_client_fact(ACCOUNTS[:1], result, {}, 15, check_mode=True)
    assert fact["checks"][0]["status"] == "fail"
    assert "would be set" in fact["checks"][0]["message"]


def test_address_missing_from_the_pc_is_a_failure_with_an_action():
    fact = filters.mail_client_fact(ACCOUNTS[:1], outlook_result(), {}, 15)
    assert fact["checks"][0]["status"] == "fail"
    assert fact["actions"][0]["id"] == "mail.outlook.not_found"


def test_unreadable_profile_makes_a_missing_address_an_error_not_a_failure():
    result = outlook_result(users=[{"sid": "S-1-5-21-1", "status": "error", "reason": "could not load NTUSER.DAT"}])
    fact = filters.mail_client_fact(ACCOUNTS[:1], result, {}, 15)
    assert fact["checks"][0]["status"] == "error"
    assert "could not load" in fact["checks"][0]["message"]


def test_failed_module_is_an_error_for_every_target():
    fact = filters.mail_client_fact(ACCOUNTS, {"failed": True, "msg": "boom"}, {}, 15)
    outlook = [c for c in fact["checks"] if c["id"].startswith("mail.outlook.")]
    assert {c["status"] for c in outlook} == {"error"} and len(outlook) == 2
