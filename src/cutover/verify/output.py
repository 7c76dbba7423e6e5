"""Write a site's verification: JUnit XML (the evidence collector's input) and JSON (with the raw values).

JUnit test cases are named ``<check>[ansible://<HOST>]``, the form ``cutover.evidence.collectors.junit``
attributes to a PC; a failure carries the reason and, where a person must act, the hands-on action
(also as ``action_en``/``action_ja`` properties).
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

from cutover import atomic
from cutover.inventory import Site
from cutover.verify.checks import CATALOGUE, Finding

if TYPE_CHECKING:
    from cutover.verify import Verification


def case_name(finding: Finding) -> str:
    return f"{finding.check}[ansible://{finding.host}]"


def detail(finding: Finding) -> str:
    text = finding.message
    if finding.action_en:
        text += f"\nhands-on: {finding.action_en}"
    return text


def junit(findings: list[Finding], site: Site, seconds: float) -> str:
    failures = sum(f.status == "fail" for f in findings)
    errors = sum(f.status == "error" for f in findings)
    suites = ET.Element("testsuites")
    suite = ET.SubElement(suites, "testsuite", {
        "name": f"cutover verify {site.id}", "tests": str(len(findings)), "failures": str(failures),
        "errors": str(errors), "skipped": "0", "time": f"{seconds:.3f}",
        "timestamp": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()})
    for finding in findings:
        case = ET.SubElement(suite, "testcase", {"classname": f"cutover.verify.{finding.area}",
                                                 "name": case_name(finding), "time": "0"})
        if finding.action_en or finding.action_ja:
            properties = ET.SubElement(case, "properties")
            for name in ("action_en", "action_ja"):
                value = getattr(finding, name)
                if value:
                    ET.SubElement(properties, "property", {"name": name, "value": value})
        if finding.status in ("fail", "error"):
            element = ET.SubElement(case, "failure" if finding.status == "fail" else "error",
                                    {"message": finding.message[:2000]})
            element.text = detail(finding)
        ET.SubElement(case, "system-out").text = json.dumps(finding.data, ensure_ascii=False, default=str)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def document(result: Verification, site: Site) -> dict:
    findings = result.for_site(site.id)
    return {
        "site": site.id, "as_of": result.as_of.isoformat(),
        "generated_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "hosts": result.hosts.get(site.id, []),
        "summary": {status: sum(f.status == status for f in findings) for status in ("pass", "fail", "error")},
        "findings": [{"host": f.host, "check": f.check, "area": f.area, "title_en": CATALOGUE[f.check].title_en,
                      "title_ja": CATALOGUE[f.check].title_ja, "status": f.status, "message": f.message,
                      "action_en": f.action_en, "action_ja": f.action_ja, "data": f.data} for f in findings],
    }


def write_site(result: Verification, site: Site, out: Path) -> list[Path]:
    xml_path, json_path = Path(out) / f"{site.id}.xml", Path(out) / f"{site.id}.json"
    atomic.write_text(xml_path, junit(result.for_site(site.id), site, result.seconds))
    atomic.write_text(json_path, json.dumps(document(result, site), ensure_ascii=False, indent=1, default=str))
    return [xml_path, json_path]
