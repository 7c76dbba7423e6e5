"""JUnit XML (``cutover verify``, pytest): one check per test case, attributed to a host when its id names one.

A case's ``action_en``/``action_ja`` properties (written by ``cutover verify`` for a finding a person
must act on) become hands-on actions.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from cutover.evidence.collectors import could_not_collect, now
from cutover.evidence.model import ROLE_AREAS, Action, Check
from cutover.inventory import Site

_HOST = re.compile(r"\[(?:ansible|winrm|paramiko|ssh)://([^\]]+)\]")


def _hosts(site: Site) -> set[str]:
    """The site's PCs and the data-center file servers holding its shares (verified for the migration)."""
    servers = {s.legacy_unc.strip("\\").split("\\")[0].upper() for s in site.config.file_shares if s.legacy_unc}
    return {e.hostname for e in site.endpoints} | servers


def collect(site: Site, files: list[Path]) -> list[Check]:
    hosts = _hosts(site)
    checks: list[Check] = []
    for path in files:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as exc:
            checks.append(could_not_collect("testinfra.junit", "endpoint", "testinfra", f"{path}: {exc}"))
            continue
        for case in root.iter("testcase"):
            name = case.get("name", "")
            match = _HOST.search(name)
            host = match.group(1).upper() if match else None
            if host is None or host not in hosts:
                continue
            test = _HOST.sub("", name)
            if case.find("failure") is not None:
                status, message = "fail", (case.find("failure").get("message") or "failed")
            elif case.find("error") is not None:
                status, message = "error", (case.find("error").get("message") or "error")
            elif case.find("skipped") is not None:
                status = "error"  # a skipped verification checked nothing
                message = "not checked: " + (case.find("skipped").get("message") or "skipped")
            else:
                status, message = "pass", "verified"
            area = next((a for a in ROLE_AREAS if a in test), "endpoint")
            checks.append(Check(id=f"testinfra.{test}", title_ja=f"検証: {test}", title_en=f"Verify: {test}",
                                area=area, status=status, message=message[:500], source="testinfra", host=host,
                                timestamp=now(), data={"classname": case.get("classname"), "file": path.name}))
    return checks


def actions(site: Site, files: list[Path]) -> list[Action]:
    """Hands-on actions attached to failing cases (``action_en``/``action_ja`` properties)."""
    hosts = _hosts(site)
    found: list[Action] = []
    for path in files:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError):
            continue  # collect() already reports the file as an error check
        for case in root.iter("testcase"):
            match = _HOST.search(case.get("name", ""))
            host = match.group(1).upper() if match else None
            if host not in hosts or (case.find("failure") is None and case.find("error") is None):
                continue
            props = {p.get("name"): p.get("value") for p in case.iter("property")}
            if props.get("action_en") or props.get("action_ja"):
                found.append(Action(id=f"testinfra.{_HOST.sub('', case.get('name', ''))}", host=host,
                                    source="testinfra", message_en=props.get("action_en") or "",
                                    message_ja=props.get("action_ja") or props.get("action_en") or ""))
    return found
