"""Filters of the office_m365 role: classification through cutover.lifecycle, and the cutover_office fact.

The suite (Office, Microsoft 365 Apps and Office applications) is one check, ``office.support``.
Visio and Project are judged apart (``office.visio``, ``office.project``): a product whose licence
cannot be told from the PC (``VisioProRetail``: Visio Plan 2 or Visio Professional 2016 retail) is
``manual`` with an action to check the licence, never "replace Office". Click-to-Run helper MSI
components are listed in the data as ignored, never counted as Office.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from cutover.evidence.facts import could_not_check, role_fact
from cutover.lifecycle import office_support_from_facts

_STATUS = {"supported": "pass", "ending_soon": "fail", "unsupported": "fail", "unknown": "error"}
_STANDALONE_STATUS = {"supported": "pass", "ending_soon": "fail", "unsupported": "fail", "unknown": "manual"}


def _as_of(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _plain(support) -> dict:
    data = dataclasses.asdict(support)
    for item in [data, *data.get("products", []), *data.get("standalone", [])]:
        if item.get("end_of_support"):
            item["end_of_support"] = item["end_of_support"].isoformat()
    return data


def office_support(result, as_of):
    if not result or result.get("failed") or "msi_products" not in result:
        return {"status": "error", "product": None, "message": (result or {}).get("msg", "discovery did not run")}
    return _plain(office_support_from_facts(result.get("click_to_run"), result.get("msi_products"), _as_of(as_of)))


def _standalone_checks(support):
    checks, actions = [], []
    worst: dict[str, dict] = {}
    for item in support.get("standalone", []):
        family = item["product"].split()[0].lower()  # visio | project
        rank = list(_STANDALONE_STATUS).index(item["status"])
        if family not in worst or rank > list(_STANDALONE_STATUS).index(worst[family]["status"]):
            worst[family] = item
    for family, item in sorted(worst.items()):
        end = item["end_of_support"] or ("unknown" if item["status"] == "unknown" else "modern lifecycle")
        note = "" if item["confirmed"] else " (date unconfirmed)"
        status = _STANDALONE_STATUS[item["status"]]
        checks.append({"id": f"office.{family}", "status": status,
                       "message": f"{item['product']} — {item['status']}, support until {end}{note}"
                                  + (f": {item['action']}" if item["status"] == "unknown" else ""),
                       "data": {k: item[k] for k in ("product", "edition", "end_of_support", "status", "install",
                                                     "identifier", "confirmed", "source")}})
        if item["status"] == "unknown":
            actions.append({"id": f"office.{family}.check_licence",
                            "message_en": f"{item['identifier']}: {item['action']}",
                            "message_ja": f"{item['identifier']}: ライセンスを確認してください"
                                          "（サブスクリプション版なら対応済み、2016 の永続版ならサポート終了です）。"
                                          "アプリの [ファイル] > "
                                          "[アカウント] で確認できます"})
        elif status == "fail":
            actions.append({"id": f"office.{family}.replace", "message_en": item["action"],
                            "message_ja": f"{item['product']} をサポート中の製品（サブスクリプション版など）に"
                                          "切り替えてください"})
    return checks, actions


def _deploy_check(deployed, applied):
    """office.deploy when a deployment was attempted for real (check mode only annotates office.support)."""
    if not deployed or deployed.get("skipped") or not applied:
        return [], []
    if deployed.get("pending"):
        apps = ", ".join(deployed.get("running_apps") or [])
        return ([{"id": "office.deploy", "status": "pending",
                  "message": deployed.get("msg") or f"waits until the Office apps are closed ({apps})",
                  "data": {"running_apps": deployed.get("running_apps") or []}}],
                [{"id": "office.deploy.close_apps",
                  "message_en": f"Close the Office apps ({apps}) or run the deployment outside working hours; "
                                "it starts on the next run",
                  "message_ja": f"Office アプリ（{apps}）を終了するか、業務時間外に実行してください。"
                                "次回の実行で展開します"}])
    if deployed.get("failed"):
        return [{"id": "office.deploy", "status": "error", "message": f"deployment failed: {deployed.get('msg')}",
                 "data": {"rc": deployed.get("rc")}}], []
    return [{"id": "office.deploy", "status": "pass",
             "message": deployed.get("msg") or "Microsoft 365 Apps deployed", "data": {"rc": deployed.get("rc")}}], []


def office_fact(result, as_of, deployed=None, applied=False):
    support = office_support(result, as_of)
    if support["status"] == "error":
        return could_not_check("office", "support", support["message"])
    status = _STATUS[support["status"]]
    end = support["end_of_support"] or "modern lifecycle"
    note = "" if support["confirmed"] else " (date unconfirmed)"
    message = f"{support['product']} {support['edition'] or ''} — {support['status']}, support until {end}{note}"
    if deployed and deployed.get("changed"):
        message += ("; Microsoft 365 Apps deployed" if applied
                    else "; a Microsoft 365 Apps deployment would run (check mode)")
    checks = [{"id": "office.support", "status": status, "message": message.replace("  ", " "),
               "data": {k: support[k] for k in ("product", "edition", "channel", "end_of_support", "status",
                                                "install", "identifier", "confirmed", "source")}
               | {"products": [p["product"] for p in support["products"]],
                  "ignored_msi_components": list(support.get("ignored", []))}}]
    actions = []
    if support["status"] in ("unsupported", "ending_soon"):
        actions.append({"id": "office.replace",
                        "message_en": f"Replace {support['product']} by Office 2024 or Microsoft 365 Apps",
                        "message_ja": f"{support['product']} を Office 2024 または Microsoft 365 に切り替えてください"})
    more_checks, more_actions = _standalone_checks(support)
    deploy_checks, deploy_actions = _deploy_check(deployed, applied)
    return role_fact("office", checks + more_checks + deploy_checks, actions + more_actions + deploy_actions)


class FilterModule:
    def filters(self):
        return {"office_support": office_support, "office_fact": office_fact}
