"""Filters of the office_m365 role: classification through cutover.lifecycle, and the cutover_office fact."""

from __future__ import annotations

import dataclasses
import datetime as dt

from cutover.lifecycle import office_support_from_facts


def _as_of(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _plain(support) -> dict:
    data = dataclasses.asdict(support)
    for item in [data, *data.get("products", [])]:
        if item.get("end_of_support"):
            item["end_of_support"] = item["end_of_support"].isoformat()
    return data


def office_support(result, as_of):
    if not result or result.get("failed") or "msi_products" not in result:
        return {"status": "error", "product": None, "message": (result or {}).get("msg", "discovery did not run")}
    return _plain(office_support_from_facts(result.get("click_to_run"), result.get("msi_products"), _as_of(as_of)))


def office_fact(result, as_of, deployed=None, applied=False):
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    support = office_support(result, as_of)
    if support["status"] == "error":
        checks = [{"id": "office.support", "status": "error", "message": f"could not check: {support['message']}",
                   "data": {}}]
        return {"schema": 1, "collected_at": now, "checks": checks, "actions": []}
    status = {"supported": "pass", "ending_soon": "fail", "unsupported": "fail", "unknown": "error"}[support["status"]]
    end = support["end_of_support"] or "modern lifecycle"
    note = "" if support["confirmed"] else " (date unconfirmed)"
    message = f"{support['product']} {support['edition'] or ''} — {support['status']}, support until {end}{note}"
    if deployed and deployed.get("changed"):
        message += ("; Microsoft 365 Apps deployed" if applied
                    else "; a Microsoft 365 Apps deployment would run (check mode)")
    checks = [{"id": "office.support", "status": status, "message": message.replace("  ", " "),
               "data": {k: support[k] for k in ("product", "edition", "channel", "end_of_support", "status",
                                                "install", "identifier", "confirmed", "source")}
               | {"products": [p["product"] for p in support["products"]]}}]
    actions = []
    if support["status"] in ("unsupported", "ending_soon"):
        actions.append({"id": "office.replace",
                        "message_en": f"Replace {support['product']} by Office 2024 or Microsoft 365 Apps",
                        "message_ja": f"{support['product']} を Office 2024 または Microsoft 365 に切り替えてください"})
    return {"schema": 1, "collected_at": now, "checks": checks, "actions": actions}


class FilterModule:
    def filters(self):
        return {"office_support": office_support, "office_fact": office_fact}
