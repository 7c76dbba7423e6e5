"""Pulumi: offline plans and real ``pulumi stack export`` files, read by one reader.

A plan carries its policy results; for a real export the same policy checks run over the exported
resources (their outputs), so both give the same checks. Stack outputs bring the manual steps.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from cutover.cloud import policies
from cutover.evidence.collectors import could_not_collect, now, policy_titles
from cutover.evidence.model import Check


def find_stack_file(directory: Path | None, stack: str) -> Path | None:
    if directory is None:
        return None
    path = Path(directory) / f"{stack}.json"
    return path if path.is_file() else None


def _root_outputs(doc: dict[str, Any]) -> dict[str, Any]:
    for resource in doc.get("deployment", {}).get("resources", []):
        if resource.get("type") == "pulumi:pulumi:Stack":
            return resource.get("outputs") or {}
    return {}


def _policy_results(doc: dict[str, Any], as_of: dt.date, config_path: Path) -> list[dict[str, Any]]:
    if "cutover" in doc:
        return doc["cutover"]["policy_results"]
    # A real export: resource checks on inputs, stack checks on outputs and relations, with the pack
    # configuration deploy-wave.yml saved beside it (<stack>.policy-config.json; none: checks needing it fail).
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = {}
    return [r.as_json() for r in policies.evaluate(policies.resources_from_export(doc), as_of, config)]


def collect(site_id: str, directory: Path | None, as_of: dt.date) -> list[Check]:
    path = find_stack_file(directory, site_id)
    if path is None:
        where = f"{directory}/{site_id}.json" if directory else "no --plan directory given"
        return [could_not_collect("cloud.stack", "cloud", "pulumi", f"no plan or stack export ({where})")]
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return [could_not_collect("cloud.stack", "cloud", "pulumi", f"{path} is not readable JSON ({exc})")]
    mode = doc.get("cutover", {}).get("mode", "stack-export")
    stamp = now()
    checks = []
    for result in _policy_results(doc, as_of, path.with_name(f"{site_id}.policy-config.json")):
        title_ja, title_en = policy_titles(result["policy"])
        messages = [f["message"] for f in result.get("findings", [])]
        status = result["status"]
        message = "; ".join(messages) if messages else {
            "pass": "compliant", "not_applicable": "no resource of this kind in the stack"}.get(status, status)
        checks.append(Check(
            id=f"cloud.{result['policy']}", title_ja=title_ja, title_en=title_en, area="cloud", status=status,
            message=message, source="pulumi", timestamp=stamp,
            data={"enforcement": result.get("enforcement"), "mode": mode, "file": path.name,
                  "findings": result.get("findings", [])},
        ))
    outputs = doc.get("cutover", {}).get("outputs") or _root_outputs(doc)
    for step in outputs.get("manual_steps") or []:
        checks.append(Check(
            id=f"cloud.manual.{step['id']}", title_ja=step["title_ja"], title_en=step["title_en"], area="cloud",
            status="manual", message=step["how"], source="pulumi", timestamp=stamp, data={"why": step["why"]},
        ))
    if outputs:
        checks.append(Check(
            id="cloud.backup", title_ja="ファイル共有のバックアップ", title_en="File share backup", area="cloud",
            status="pass" if outputs.get("backed_up_shares") else "fail",
            message=("backed up: " + ", ".join(outputs["backed_up_shares"])) if outputs.get("backed_up_shares")
            else "no share of this site is backed up", source="pulumi", timestamp=stamp,
            data={"shares": sorted((outputs.get("shares") or {}).keys()),
                  "backed_up_shares": outputs.get("backed_up_shares") or []},
        ))
    return checks
