"""Office area: the installed Office is not past its end of support (cutover.lifecycle)."""

from __future__ import annotations

from cutover import lifecycle
from cutover.verify import requests
from cutover.verify.checks.model import Finding
from cutover.verify.checks.raw import Raw
from cutover.verify.expect import PcExpectation


def check_office(pc: PcExpectation, raw: Raw) -> list[Finding]:
    if not pc.office:
        return []
    c2r = raw.keys(requests.CLICK_TO_RUN).get("")

    def get(name):
        return (c2r or {}).get(name, {}).get("value")

    click_to_run = None if c2r is None else {
        "product_release_ids": get("ProductReleaseIds"), "version_to_report": get("VersionToReport"),
        "cdn_base_url": get("CDNBaseUrl"), "update_channel": get("UpdateChannel")}
    msi = [{"product_code": e["key"], "display_name": e.get("DisplayName")} for e in raw.uninstall()
           if e["key"].endswith("0000000FF1CE}")]
    support = lifecycle.office_support_from_facts(click_to_run, msi, pc.as_of)
    data = {"click_to_run": click_to_run, "msi_products": msi, "product": support.product, "status": support.status,
            "end_of_support": support.end_of_support.isoformat() if support.end_of_support else None,
            "identifiers": [p.identifier for p in support.products]}
    if support.product == "none":
        return [Finding(pc.site, pc.host, "office.supported", "pass", "no Office installed", data=data)]
    described = f"{support.product} ({', '.join(p.identifier for p in support.products)})"
    if support.status == "unsupported":
        return [Finding(pc.site, pc.host, "office.supported", "fail",
                        f"{described}: support ended {support.end_of_support}",
                        action_en=f"Replace {support.product} by {lifecycle.REPLACE}",
                        action_ja=f"{support.product} を Office 2024 または Microsoft 365 に切り替えてください",
                        data=data)]
    if support.status == "unknown":
        return [Finding(pc.site, pc.host, "office.supported", "error",
                        f"could not check: {described} is not in the lifecycle data ({support.action})", data=data)]
    until = support.end_of_support or "modern lifecycle"
    note = " (ending soon)" if support.status == "ending_soon" else ""
    return [Finding(pc.site, pc.host, "office.supported", "pass", f"{described}: supported until {until}{note}",
                    data=data)]
