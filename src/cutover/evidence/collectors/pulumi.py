"""Pulumi: offline plans and real ``pulumi stack export`` files, read by one reader.

A plan carries its policy results; for a real export the same policy checks run over the exported
resources (their outputs), so both give the same checks. Stack outputs bring the manual steps.

Every check says which it came from (``data.mode``: ``offline-plan`` or ``stack-export``): a plan
declares what a deployment *would* have, so the gate never takes a plan's backups as existing.
Manual steps stay ``manual`` (they count against readiness) until the inventory records them as done
(``confirmations`` in site.yml: who, when and where the proof is).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from cutover.cloud import policies
from cutover.evidence.collectors import could_not_collect, now, policy_titles
from cutover.evidence.model import Check
from cutover.inventory.model import Confirmation

PLAN_MODE = "offline-plan"
EXPORT_MODE = "stack-export"
# The placeholder subscription of offline plans (cutover.cloud.offline.SUBSCRIPTION; a test keeps them equal):
# a file whose resources live there was never deployed, whatever its other fields say.
PLAN_SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000000/"


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


def mode_of(doc: dict[str, Any]) -> str:
    """``offline-plan`` when any sign says the file is a plan, else ``stack-export`` (deployed)."""
    deployment = doc.get("deployment") or {}
    if "cutover" in doc:  # only `cutover plan` writes this section
        return PLAN_MODE
    if (deployment.get("manifest") or {}).get("magic") == PLAN_MODE:
        return PLAN_MODE
    for resource in deployment.get("resources") or []:
        ids = [resource.get("id"), (resource.get("outputs") or {}).get("id")]
        if any(isinstance(i, str) and i.startswith(PLAN_SUBSCRIPTION) for i in ids):
            return PLAN_MODE
    return EXPORT_MODE


def _manual_step(step: dict[str, Any], confirmation: Confirmation | None, as_of: dt.date, mode: str,
                 stamp: dt.datetime) -> Check:
    data = {"why": step["why"], "how": step["how"], "mode": mode}
    if confirmation is not None and confirmation.done_on <= as_of:
        return Check(id=f"cloud.manual.{step['id']}", title_ja=step["title_ja"], title_en=step["title_en"],
                     area="cloud", status="pass", source="inventory", timestamp=stamp,
                     message=f"done by {confirmation.done_by} on {confirmation.done_on} ({confirmation.evidence})",
                     data={**data, "confirmed_by": confirmation.done_by,
                           "confirmed_on": confirmation.done_on.isoformat(), "proof": confirmation.evidence})
    message = step["how"]
    if confirmation is not None:
        message = (f"recorded as done on {confirmation.done_on}, after the as-of day {as_of}: not counted yet. "
                   + message)
    return Check(id=f"cloud.manual.{step['id']}", title_ja=step["title_ja"], title_en=step["title_en"],
                 area="cloud", status="manual", message=message, source="pulumi", timestamp=stamp, data=data)


def collect(site_id: str, directory: Path | None, as_of: dt.date,
            confirmations: tuple[Confirmation, ...] | list[Confirmation] = ()) -> list[Check]:
    path = find_stack_file(directory, site_id)
    if path is None:
        where = f"{directory}/{site_id}.json" if directory else "no --plan directory given"
        return [could_not_collect("cloud.stack", "cloud", "pulumi", f"no plan or stack export ({where})")]
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # ValueError: bad JSON or not UTF-8
        return [could_not_collect("cloud.stack", "cloud", "pulumi", f"{path} is not readable JSON ({exc})")]
    try:
        return _checks(doc, path, site_id, as_of, confirmations)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:  # ValueError: pydantic's ValidationError
        return [could_not_collect("cloud.stack", "cloud", "pulumi",
                                  f"{path} does not have the shape of a plan or stack export ({exc!r:.300})")]


def _checks(doc: dict[str, Any], path: Path, site_id: str, as_of: dt.date,
            confirmations: tuple[Confirmation, ...] | list[Confirmation]) -> list[Check]:
    mode = mode_of(doc)
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
    done = {c.step: c for c in confirmations}
    steps = outputs.get("manual_steps") or []
    for step in steps:
        checks.append(_manual_step(step, done.get(step["id"]), as_of, mode, stamp))
    for unknown in sorted(set(done) - {step["id"] for step in steps}):
        checks.append(Check(
            id=f"inventory.confirmation.{unknown}", title_ja="手作業の完了記録",
            title_en="Manual step recorded as done", area="inventory",
            status="fail", source="inventory", timestamp=stamp,
            message=f"site.yml confirms {unknown!r}, which is no manual step of this site's stack "
                    f"(steps: {', '.join(step['id'] for step in steps) or 'none'})",
            data={"step": unknown}))
    if outputs:
        backed_up = outputs.get("backed_up_shares") or []
        checks.append(Check(
            id="cloud.backup", title_ja="ファイル共有のバックアップ", title_en="File share backup", area="cloud",
            status="pass" if backed_up else "fail",
            message=(("planned backup: " if mode == PLAN_MODE else "backed up: ") + ", ".join(backed_up))
            if backed_up else "no share of this site is backed up", source="pulumi", timestamp=stamp,
            data={"shares": sorted((outputs.get("shares") or {}).keys()), "backed_up_shares": backed_up,
                  "mode": mode, "file": path.name},
        ))
    return checks
