"""Office and Windows support status: one place, used by the roles (filter plugin) and the reports.

Edition comes from Click-to-Run ProductReleaseIds, never from the version number (retail 2016,
2019, 2021, 2024 and Microsoft 365 share builds); the channel from the CDN GUID; MSI Office from its
product codes, where only suite and application product IDs count (Click-to-Run registers hidden
helper MSIs with Office-looking codes on every PC: they are ignored). Visio and Project are judged
apart from the suite: ``VisioProRetail`` is both Visio Plan 2 (subscription) and Visio Professional
2016 retail, so it is "unknown: check the licence", never "replace Office". Dates and their
sources live in data/lifecycle.yml.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal

import yaml

Status = Literal["supported", "ending_soon", "unsupported", "unknown"]
ENDING_SOON_DAYS = 180
REPLACE = "Office 2024 or Microsoft 365"
_RANK = {"unsupported": 0, "unknown": 1, "ending_soon": 2, "supported": 3}
# {BRMMmmmm-PPPP-LLLL-p000-D000000FF1CE}: MM = major version (16 = 2016), PPPP = product
_MSI = re.compile(r"^\{(?P<release>[0-9A-F]{2})(?P<major>\d\d)[0-9A-F]{4}-(?P<product>[0-9A-F]{4})-[0-9A-F]{4}-"
                  r"[0-9A-F]{4}-[0-9A-F]000000FF1CE\}$", re.IGNORECASE)
# Visio/Project Click-to-Run IDs: VisioProRetail, VisioStdRetail, VisioProXVolume, VisioPro2021Volume ...
_STANDALONE = re.compile(r"^(?P<family>Visio|Project)(?P<edition>Pro|Std)(?P<year>2019|2021|2024)?(?P<x>X)?"
                         r"(?P<kind>Retail|Volume)$")
_EDITIONS = {"Pro": "Professional", "Std": "Standard"}
_SUBSCRIPTION = {"visio": "Visio Plan 2", "project": "Project Online Desktop Client"}
_CDN = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", re.IGNORECASE)


@functools.cache
def data() -> dict:
    text = resources.files("cutover").joinpath("data/lifecycle.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@dataclass(frozen=True)
class OfficeProduct:
    product: str  # Office 2016 | ... | Microsoft 365 Apps | Visio Professional 2016 | unknown | none
    edition: str | None
    channel: str | None
    end_of_support: dt.date | None
    status: Status
    action: str | None
    source: str
    confirmed: bool
    install: str  # click-to-run | msi
    identifier: str  # the ProductReleaseId or MSI product code it came from


@dataclass(frozen=True)
class OfficeSupport(OfficeProduct):
    """The suite's verdict (worst suite or app product), with Visio/Project and ignored MSI codes beside it."""

    products: tuple[OfficeProduct, ...] = field(default=())
    standalone: tuple[OfficeProduct, ...] = field(default=())
    ignored: tuple[str, ...] = field(default=())


def _status(end: dt.date | None, as_of: dt.date) -> Status:
    if end is None:
        return "supported"
    if end < as_of:
        return "unsupported"
    return "ending_soon" if (end - as_of).days <= ENDING_SOON_DAYS else "supported"


def _family(release_id: str) -> tuple[str | None, str | None]:
    """(lifecycle key, edition) from a Click-to-Run ProductReleaseId of the Office suite."""
    rid = release_id.strip()
    if rid.startswith("O365"):
        edition = ("Apps for enterprise" if "ProPlus" in rid else "Apps for business" if "Business" in rid
                   else "Family/Personal" if "HomePrem" in rid else rid)
        return "microsoft_365_apps", edition
    match = re.match(r"^(?P<edition>[A-Za-z]+?)(?P<year>2019|2021|2024)?(?P<kind>Retail|Volume)$", rid)
    if not match:
        return None, None
    edition, year, kind = match.group("edition"), match.group("year"), match.group("kind")
    if year is None:
        return "office_2016", edition
    if year in ("2021", "2024") and kind == "Volume":
        return f"office_ltsc_{year}", edition
    return f"office_{year}", edition


def _product(key: str | None, edition: str | None, channel: str | None, install: str, identifier: str,
             as_of: dt.date, channel_supported: bool = True) -> OfficeProduct:
    if key is None:
        return OfficeProduct("unknown", None, channel, None, "unknown", f"identify the product ({identifier})",
                             "no lifecycle entry", False, install, identifier)
    entry = data()["office"][key]
    end = entry["end"]
    status = _status(end, as_of) if channel_supported else "unknown"
    action = REPLACE if status in ("unsupported", "ending_soon") else None
    if not channel_supported:
        action = f"move off the {channel} channel: it is not supported for production"
    return OfficeProduct(entry["name"], edition, channel, end, status, action, entry["source"],
                         bool(entry["confirmed"]), install, identifier)


def _standalone(family: str, edition: str, year: str, install: str, identifier: str, channel: str | None,
                as_of: dt.date) -> OfficeProduct:
    """Visio or Project of a known year, judged on its own lifecycle entry."""
    entry = data()["standalone"][f"{family}_{year}"]
    name = f"{family.capitalize()} {edition} {year}"
    status = _status(entry["end"], as_of)
    action = (f"Replace {name} by {_SUBSCRIPTION[family]} or a supported {family.capitalize()}"
              if status in ("unsupported", "ending_soon") else None)
    return OfficeProduct(name, edition, channel, entry["end"], status, action, entry["source"],
                         bool(entry["confirmed"]), install, identifier)


def _standalone_c2r(match: re.Match, identifier: str, channel: str | None, as_of: dt.date) -> OfficeProduct:
    family, edition = match.group("family").lower(), _EDITIONS[match.group("edition")]
    if match.group("year"):
        return _standalone(family, edition, match.group("year"), "click-to-run", identifier, channel, as_of)
    if match.group("x") or match.group("edition") == "Std":
        # VisioProXVolume: volume 2016 installed with Click-to-Run. VisioStdRetail: Standard 2016 retail (no
        # subscription installs it; inference from the product-ID list, checked-facts-2 section 7).
        return _standalone(family, edition, "2016", "click-to-run", identifier, channel, as_of)
    subscription = _SUBSCRIPTION[family]
    retail = f"{family.capitalize()} Professional 2016"
    end = data()["standalone"][f"{family}_2016"]["end"]
    return OfficeProduct(
        f"{family.capitalize()} ({subscription.removeprefix(family.capitalize() + ' ')} or Professional 2016)",
        edition, channel, None, "unknown",
        f"check the licence: {identifier} is {subscription} (subscription, supported) or {retail} retail "
        f"(support ended {end}); see File > Account in {family.capitalize()} or vnextdiag.ps1 -action list",
        "Microsoft's ODT product-ID list names the same ID for the subscription; no 2016-specific retail ID exists",
        False, "click-to-run", identifier)


def office_support(product_release_ids: str | None, version: str | None, msi_product_codes: list[str],
                   as_of: dt.date, cdn_base_url: str | None = None) -> OfficeSupport:
    """Support status of the Office installed on a PC; with several suite products, the worst one wins.

    ``version`` is recorded by callers for evidence but never decides the edition; the channel comes
    from the CDN GUID in ``cdn_base_url`` (CDNBaseUrl or UpdateChannel).
    """
    del version  # deliberately unused: builds are shared between editions
    name, ok = channel_of(cdn_base_url)
    return _combine(product_release_ids, msi_product_codes, as_of, name, ok)


def _combine(product_release_ids, msi_product_codes, as_of, channel_name, channel_ok) -> OfficeSupport:
    found: list[OfficeProduct] = []
    standalone: list[OfficeProduct] = []
    ignored: list[str] = []
    for rid in [r.strip() for r in (product_release_ids or "").split(",") if r.strip()]:
        match = _STANDALONE.match(rid)
        if match:
            standalone.append(_standalone_c2r(match, rid, channel_name, as_of))
            continue
        key, edition = _family(rid)
        found.append(_product(key, edition, channel_name, "click-to-run", rid, as_of, channel_ok))
    msi = data()["msi"]
    for code in [c.strip().upper() for c in msi_product_codes or []]:
        match = _MSI.match(code)
        product_id = match.group("product") if match else None
        version = msi["versions"].get(match.group("major")) if match else None
        if product_id in msi["suites"] or product_id in msi["apps"]:
            edition = msi["suites"].get(product_id) or msi["apps"][product_id]
            found.append(_product(version, edition, None, "msi", code, as_of))
        elif product_id in msi["standalone"]:
            family, edition = msi["standalone"][product_id]
            if match.group("major") == "16":
                standalone.append(_standalone(family, edition, "2016", "msi", code, None, as_of))
            else:
                standalone.append(OfficeProduct(f"{family.capitalize()} {edition}", edition, None, None, "unknown",
                                                f"identify the product ({code})", "no lifecycle entry", False,
                                                "msi", code))
        else:
            ignored.append(code)  # Click-to-Run helper components and anything not an Office product
    if not found:
        none = OfficeProduct("none", None, None, None, "unknown", "no Office found on this PC", "", False, "none", "")
        return OfficeSupport(**none.__dict__, products=(), standalone=tuple(standalone), ignored=tuple(ignored))
    worst = min(found, key=lambda p: (_RANK[p.status], p.end_of_support or dt.date.max))
    return OfficeSupport(**worst.__dict__, products=tuple(found), standalone=tuple(standalone),
                         ignored=tuple(ignored))


def channel_of(url: str | None) -> tuple[str | None, bool]:
    """(channel name, supported) from a CDNBaseUrl/UpdateChannel URL or GUID."""
    match = _CDN.search(url or "")
    if not match:
        return None, True
    entry = data()["channels"].get(match.group(1).lower())
    return (entry["name"], bool(entry["supported"])) if entry else (f"unknown channel {match.group(1)}", True)


def office_support_from_facts(click_to_run: dict | None, msi_products: list[dict], as_of: dt.date) -> OfficeSupport:
    """The same classification from the ``cutover_office_facts`` module's result."""
    c2r = click_to_run or {}
    return office_support(c2r.get("product_release_ids"), c2r.get("version_to_report"),
                          [p["product_code"] for p in msi_products or []], as_of,
                          c2r.get("cdn_base_url") or c2r.get("update_channel"))


@dataclass(frozen=True)
class WindowsSupport:
    version: str
    edition_family: Literal["home_pro", "enterprise"]
    end_of_support: dt.date | None
    status: Status
    action: str | None
    source: str
    confirmed: bool


def windows_support(edition: str, build: int | str, as_of: dt.date, esu_enrolled: bool = False) -> WindowsSupport:
    family = "enterprise" if any(w in edition for w in ("Enterprise", "Education")) else "home_pro"
    number = str(build).split(".")[0]
    entry = data()["windows"].get(number)
    if entry is None:
        return WindowsSupport(f"build {number}", family, None, "unknown", "identify the Windows version",
                              "no lifecycle entry", False)
    end = entry["enterprise_end" if family == "enterprise" else "home_pro_end"]
    source, confirmed = entry["source"], bool(entry["confirmed"])
    if number == "19045" and esu_enrolled:
        esu = data()["windows_10_esu"]
        end, source, confirmed = esu["end"], esu["source"], bool(esu["confirmed"])
    status = _status(end, as_of)
    action = None
    if status in ("unsupported", "ending_soon"):
        action = ("upgrade to Windows 11 (or enrol in Windows 10 ESU)" if number == "19045"
                  else "update to a supported Windows 11 version")
    return WindowsSupport(entry["version"], family, end, status, action, source, confirmed)
