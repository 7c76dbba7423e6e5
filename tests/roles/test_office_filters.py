"""The office_m365 role's filters, called directly: the cutover_office fact built from a discovery result.

Classification comes from cutover.lifecycle (tested in tests/test_lifecycle.py); these tests pin what the
fact makes of it: statuses, messages, data, actions, Visio/Project apart, and the deployment outcome.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest

from cutover import lifecycle

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "roles/office_m365/filter_plugins/office.py"
spec = importlib.util.spec_from_file_location("office_filters", PLUGIN)
filters = importlib.util.module_from_spec(spec)
spec.loader.exec_module(filters)

TODAY = dt.date(2026, 11, 24)
CURRENT = "http://officecdn.microsoft.com/pr/492350f6-3a01-4f97-b9c0-c7c6ddf67d60"
HELPER = "{90160000-008C-0000-1000-0000000FF1CE}"  # Click-to-Run extensibility component: not Office


def discovered(release_ids="O365BusinessRetail", msi=(), cdn=CURRENT):
    c2r = {"product_release_ids": release_ids, "version_to_report": "16.0.17928.20156", "cdn_base_url": cdn} \
        if release_ids else None
    return {"changed": False, "click_to_run": c2r, "msi_products": [{"product_code": c} for c in msi]}


def by_id(fact):
    return {c["id"]: c for c in fact["checks"]}


def expected(release_ids, msi=()):
    return lifecycle.office_support_from_facts(discovered(release_ids, msi)["click_to_run"],
                                               discovered(release_ids, msi)["msi_products"], TODAY)


def test_microsoft_365_apps_pass_with_the_classification_as_data():
    fact = filters.office_fact(discovered(msi=(HELPER,)), TODAY)
    assert fact["schema"] == 2 and fact["actions"] == [] and fact["collected_at"].endswith("Z")
    [check] = fact["checks"]
    support = expected("O365BusinessRetail", (HELPER,))
    assert (check["id"], check["status"]) == ("office.support", "pass")
    end = support.end_of_support.isoformat() if support.end_of_support else "modern lifecycle"
    note = "" if support.confirmed else " (date unconfirmed)"
    assert check["message"] == f"Microsoft 365 Apps Apps for business — supported, support until {end}{note}"
    assert check["data"] == {
        "product": support.product, "edition": support.edition, "channel": support.channel,
        "end_of_support": support.end_of_support.isoformat() if support.end_of_support else None,
        "status": support.status, "install": support.install, "identifier": support.identifier,
        "confirmed": support.confirmed, "source": support.source,
        "products": [p.product for p in support.products], "ignored_msi_components": list(support.ignored)}
    assert HELPER.upper() in [c.upper() for c in check["data"]["ignored_msi_components"]]


@pytest.mark.parametrize("release_ids", ["HomeBusiness2019Retail", "ProPlus2021Volume"])
def test_an_unsupported_suite_fails_and_asks_for_a_replacement(release_ids):
    fact = filters.office_fact(discovered(release_ids), TODAY.isoformat())  # as_of may come as text
    support = expected(release_ids)
    check = by_id(fact)["office.support"]
    assert check["status"] == "fail" and f"— {support.status}, support until " in check["message"]
    assert check["message"].startswith(f"{support.product} {support.edition} — ")
    ja = f"{support.product} を Office 2024 または Microsoft 365 に切り替えてください"
    assert fact["actions"] == [{"id": "office.replace", "message_ja": ja,
                                "message_en": f"Replace {support.product} by Office 2024 or Microsoft 365 Apps"}]


def test_as_of_is_read_from_a_date_or_a_timestamp():
    assert filters._as_of(TODAY) is TODAY
    assert filters._as_of("2026-11-24T09:30:00+09:00") == TODAY
    assert filters._as_of(dt.datetime(2026, 11, 24, 9, 30)) == dt.datetime(2026, 11, 24, 9, 30)


@pytest.mark.parametrize("result", [None, {}, {"failed": True, "msg": "WMI timeout"}, {"click_to_run": None}])
def test_a_discovery_that_did_not_run_is_an_error(result):
    fact = filters.office_fact(result, TODAY)
    expected_msg = (result or {}).get("msg", "discovery did not run")
    assert fact["checks"] == [{"id": "office.support", "status": "error", "message": f"could not check: {expected_msg}",
                               "data": {}}]
    assert fact["actions"] == [] and fact["schema"] == 2 and set(fact) == {
        "schema", "area", "collected_at", "reboot_required", "checks", "actions", "state"}
    assert filters.office_support(result, TODAY) == {"status": "error", "product": None, "message": expected_msg}


def test_visio_of_unknown_licence_is_manual_with_a_licence_check():
    fact = filters.office_fact(discovered("O365ProPlusRetail,VisioProRetail"), TODAY)
    visio = by_id(fact)["office.visio"]
    item = next(s for s in expected("O365ProPlusRetail,VisioProRetail").standalone if s.product.startswith("Visio"))
    assert visio["status"] == "manual" and visio["message"] == (
        f"{item.product} — unknown, support until unknown{'' if item.confirmed else ' (date unconfirmed)'}: "
        f"{item.action}")
    assert visio["data"]["identifier"] == item.identifier and visio["data"]["status"] == "unknown"
    assert set(visio["data"]) == {"product", "edition", "end_of_support", "status", "install", "identifier",
                                  "confirmed", "source"}
    [action] = [a for a in fact["actions"] if a["id"] == "office.visio.check_licence"]
    assert action["message_en"] == f"{item.identifier}: {item.action}"
    assert action["message_ja"].startswith(f"{item.identifier}: ライセンスを確認してください")
    assert by_id(fact)["office.support"]["status"] == "pass"  # Visio never makes the suite fail


def test_the_worst_visio_or_project_is_the_one_reported():
    fact = filters.office_fact(discovered("O365ProPlusRetail,VisioProRetail,VisioPro2019Retail"), TODAY)
    visio = by_id(fact)["office.visio"]
    assert visio["status"] == "manual"  # unknown ranks after unsupported: the licence question stays open
    project = filters.office_fact(discovered("O365ProPlusRetail,ProjectPro2019Retail"), TODAY)
    check = by_id(project)["office.project"]
    assert check["status"] == "fail" and ", support until " in check["message"]
    [action] = [a for a in project["actions"] if a["id"] == "office.project.replace"]
    assert action["message_ja"].endswith("をサポート中の製品（サブスクリプション版など）に切り替えてください")


@pytest.mark.parametrize(("deployed", "applied", "check", "action"), [
    (None, True, None, None),
    ({"skipped": True}, True, None, None),
    ({"changed": True}, False, None, None),  # check mode: office.support says what would run
    ({"changed": True, "msg": "installed", "rc": 0}, True, ("pass", "installed", {"rc": 0}), None),
    ({"failed": True, "msg": "setup.exe exit 17002", "rc": 17002}, True,
     ("error", "deployment failed: setup.exe exit 17002", {"rc": 17002}), None),
    ({"pending": True, "msg": "Outlook is open", "running_apps": ["OUTLOOK", "EXCEL"]}, True,
     ("pending", "Outlook is open", {"running_apps": ["OUTLOOK", "EXCEL"]}), "office.deploy.close_apps"),
])
def test_the_deployment_outcome(deployed, applied, check, action):
    fact = filters.office_fact(discovered("HomeBusiness2019Retail"), TODAY, deployed, applied)
    found = by_id(fact).get("office.deploy")
    assert (None if found is None else (found["status"], found["message"], found["data"])) == check
    ids = [a["id"] for a in fact["actions"]]
    assert ("office.deploy.close_apps" in ids) == (action is not None)
    if action:
        close = next(a for a in fact["actions"] if a["id"] == action)
        assert close["message_en"] == ("Close the Office apps (OUTLOOK, EXCEL) or run the deployment outside "
                                       "working hours; it starts on the next run")
        assert close["message_ja"].startswith("Office アプリ（OUTLOOK, EXCEL）を終了するか")


def test_the_suite_message_says_what_the_deployment_did():
    done = by_id(filters.office_fact(discovered("HomeBusiness2019Retail"), TODAY, {"changed": True}, True))
    assert done["office.support"]["message"].endswith("; Microsoft 365 Apps deployed")
    would = by_id(filters.office_fact(discovered("HomeBusiness2019Retail"), TODAY, {"changed": True}, False))
    assert would["office.support"]["message"].endswith("; a Microsoft 365 Apps deployment would run (check mode)")
    quiet = by_id(filters.office_fact(discovered("HomeBusiness2019Retail"), TODAY, {"changed": False}, True))
    assert "deploy" not in quiet["office.support"]["message"] and "  " not in quiet["office.support"]["message"]
    assert filters.FilterModule().filters() == {"office_support": filters.office_support,
                                                "office_fact": filters.office_fact}
