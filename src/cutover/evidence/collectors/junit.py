"""pytest / testinfra JUnit XML: one check per test case, attributed to a PC when its id names one."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from cutover.evidence.collectors import could_not_collect, now
from cutover.evidence.model import Check
from cutover.inventory import Site

_HOST = re.compile(r"\[(?:ansible|winrm|paramiko|ssh)://([^\]]+)\]")


def collect(site: Site, files: list[Path]) -> list[Check]:
    hosts = {e.hostname for e in site.endpoints}
    checks: list[Check] = []
    for path in files:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as exc:
            checks.append(could_not_collect("testinfra.junit", "ngav", "testinfra", f"{path}: {exc}"))
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
            area = next((a for a in ("ngav", "office", "mail", "fileshare", "migration") if a in test), "ngav")
            checks.append(Check(id=f"testinfra.{test}", title_ja=f"検証: {test}", title_en=f"Verify: {test}",
                                area=area, status=status, message=message[:500], source="testinfra", host=host,
                                timestamp=now(), data={"classname": case.get("classname"), "file": path.name}))
    return checks
