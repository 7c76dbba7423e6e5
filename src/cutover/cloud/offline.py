"""Offline plan: run the real programs under the Pulumi SDK's mocks, with no CLI and no cloud.

Every resource the program registers is recorded (type, logical name, parent, protect, inputs as the
engine would receive them, camelCase), the policies run over them, and the result is written in the
shape of ``pulumi stack export`` plus a ``cutover`` section (see docs/cloud.md), so the evidence
collector reads plans and real exports with one reader.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.metadata
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from cutover import atomic
from cutover.cloud import naming, policies, programs
from cutover.inventory import Inventory

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"  # placeholder ids: a plan has no real ones
TENANT = "11111111-1111-1111-1111-111111111111"
PROJECT = "cutover"
_PULUMI_VERSION = importlib.metadata.version("pulumi")
_RG = "/subscriptions/{sub}/resourceGroups/{rg}"
_ID_TEMPLATES = {
    "azure-native:resources:ResourceGroup": _RG,
    "azure-native:storage:StorageAccount": _RG + "/providers/Microsoft.Storage/storageAccounts/{accountName}",
    "azure-native:storage:FileServiceProperties":
        _RG + "/providers/Microsoft.Storage/storageAccounts/{accountName}/fileServices/default",
    "azure-native:storage:FileShare":
        _RG + "/providers/Microsoft.Storage/storageAccounts/{accountName}/fileServices/default/shares/{shareName}",
    "azure-native:operationalinsights:Workspace":
        _RG + "/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}",
    "azure-native:recoveryservices:Vault": _RG + "/providers/Microsoft.RecoveryServices/vaults/{vaultName}",
    "azure-native:recoveryservices:ProtectionPolicy":
        _RG + "/providers/Microsoft.RecoveryServices/vaults/{vaultName}/backupPolicies/{policyName}",
    "azure-native:recoveryservices:ProtectionContainer":
        _RG + "/providers/Microsoft.RecoveryServices/vaults/{vaultName}/backupFabrics/{fabricName}"
              "/protectionContainers/{containerName}",
    "azure-native:recoveryservices:ProtectedItem":
        _RG + "/providers/Microsoft.RecoveryServices/vaults/{vaultName}/backupFabrics/{fabricName}"
              "/protectionContainers/{containerName}/protectedItems/{protectedItemName}",
    "azure-native:authorization:RoleAssignment": "{scope}/providers/Microsoft.Authorization/roleAssignments/"
                                                 "{roleAssignmentName}",
    "azure-native:authorization:ManagementLockByScope": "{scope}/providers/Microsoft.Authorization/locks/{lockName}",
    "azure-native:monitor:DiagnosticSetting": "{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}",
    "azure-native:security:DefenderForStorage":
        "{resourceId}/providers/Microsoft.Security/defenderForStorageSettings/{settingName}",
}
_NAME_INPUTS = ("accountName", "shareName", "resourceGroupName", "workspaceName", "vaultName", "policyName",
                "containerName", "protectedItemName", "lockName", "roleAssignmentName", "settingName", "name",
                "displayName")


class PlanError(RuntimeError):
    """The program could not be planned (an exception, or an output that never resolved)."""


@dataclass
class StackPlan:
    stack: str
    site: str | None
    resources: list[policies.PlannedResource]
    outputs: dict[str, Any]
    policy_results: list[policies.PolicyResult]
    as_of: dt.date
    generated_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))

    @property
    def mandatory_failures(self) -> list[policies.PolicyResult]:
        return [r for r in self.policy_results if r.status == "fail" and r.enforcement == "mandatory"]

    def by_type(self, type_token: str) -> list[policies.PlannedResource]:
        return [r for r in self.resources if r.type == type_token]

    def export(self) -> dict[str, Any]:
        """``pulumi stack export`` shape (version 3) plus the ``cutover`` section."""
        root_urn = f"urn:pulumi:{self.stack}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{self.stack}"
        resources = [{"urn": root_urn, "custom": False, "type": "pulumi:pulumi:Stack", "outputs": self.outputs}]
        for r in self.resources:
            resources.append({
                "urn": r.urn, "custom": r.type.startswith(("azure-native:", "azuread:")), "type": r.type,
                "id": r.props.get("id"), "parent": r.parent or root_urn, "protect": r.protect,
                "inputs": {k: v for k, v in r.props.items() if k != "id"}, "outputs": r.props,
            })
        return {
            "version": 3,
            "deployment": {
                "manifest": {"time": self.generated_at, "magic": "offline-plan", "version": _PULUMI_VERSION},
                "resources": resources,
            },
            "cutover": {
                "stack": self.stack,
                "site": self.site,
                "mode": "offline-plan",
                "generated_at": self.generated_at,
                "as_of": self.as_of.isoformat(),
                "outputs": self.outputs,
                "policy_results": [r.as_json() for r in self.policy_results],
            },
        }


class _PlanMocks(pulumi.runtime.Mocks):
    def __init__(self, core_outputs: dict[str, Any]):
        self.core_outputs = core_outputs

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        inputs = dict(args.inputs)
        if args.typ == "pulumi:pulumi:StackReference":
            return args.name, {"name": args.name, "outputs": self.core_outputs, "secretOutputNames": []}
        outputs = dict(inputs)
        if "name" not in outputs:  # azure-native exposes the physical name as `name`
            outputs["name"] = next((inputs[k] for k in _NAME_INPUTS if inputs.get(k)), args.name)
        if args.typ.startswith("azuread:"):
            object_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"azuread/{args.typ}/{args.name}"))
            outputs["objectId"] = object_id
            return object_id, outputs
        template = _ID_TEMPLATES.get(args.typ)
        values = {"sub": SUBSCRIPTION, "rg": inputs.get("resourceGroupName", ""), **inputs}
        resource_id = template.format_map(_Default(values)) if template else f"/mock/{args.typ}/{args.name}"
        outputs["id"] = resource_id
        return resource_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs):
        if args.token == "azure-native:authorization:getClientConfig":
            return {"subscriptionId": SUBSCRIPTION, "tenantId": TENANT, "clientId": "cutover-plan",
                    "objectId": "cutover-plan"}
        return {}


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return f"<{key}>"


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    """Keeps what the engine would see: parent, protect and inputs of every registration."""

    def __init__(self, mocks: pulumi.runtime.Mocks):
        super().__init__(mocks)
        self.registrations: list[dict[str, Any]] = []

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            urn = self.make_urn(request.parent, request.type, request.name)
            self.registrations.append({
                "urn": urn, "type": request.type, "name": request.name, "parent": request.parent or None,
                "protect": bool(request.protect), "custom": bool(request.custom),
            })
        return response


def _resolve(value: Any) -> Any:
    return _sync_await(pulumi.Output.from_input(value).future())


def run_stack(inventory: Inventory, settings: programs.StackSettings,
              core_outputs: dict[str, Any] | None = None) -> StackPlan:
    """Run one stack's program under mocks in a fresh event loop and evaluate the policies."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    mocks = _PlanMocks(core_outputs or {})
    monitor = _RecordingMonitor(mocks)
    pulumi_settings.ROOT.set(None)  # a fresh root stack resource for every stack planned in this process
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=settings.stack, preview=False, monitor=monitor,
                             organization="organization")
    holder: dict[str, Any] = {}

    async def body() -> None:
        outputs = programs.run(inventory, settings)
        resolved = {}
        for key, value in outputs.items():
            resolved[key] = await pulumi.Output.from_input(value).future()
        holder["outputs"] = resolved

    try:
        _sync_await(run_pulumi_func(body))
    except Exception as exc:
        raise PlanError(f"stack {settings.stack}: the program failed: {exc}") from exc
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    outputs = holder.get("outputs")
    if outputs is None:
        raise PlanError(f"stack {settings.stack}: outputs never resolved")
    unresolved = [k for k, v in outputs.items() if v is None]
    if unresolved:
        raise PlanError(f"stack {settings.stack}: outputs never resolved: {', '.join(unresolved)}")
    states = monitor.get_registered_resources()
    resources = []
    for reg in monitor.registrations:
        if not reg["custom"]:
            continue  # components: their children carry the properties
        state = states.get(reg["urn"])
        if state is None:
            raise PlanError(f"stack {settings.stack}: {reg['urn']} registered but never resolved")
        resources.append(policies.PlannedResource(reg["urn"], reg["type"], reg["name"], dict(state.state),
                                                  reg["protect"], reg["parent"]))
    components = [policies.PlannedResource(r["urn"], r["type"], r["name"], {}, r["protect"], r["parent"])
                  for r in monitor.registrations if not r["custom"]]
    site = None if settings.stack == programs.CORE_STACK else settings.stack
    results = policies.evaluate(resources, settings.as_of)
    return StackPlan(settings.stack, site, components + resources, outputs, results, settings.as_of)


def plan_stacks(inventory: Inventory, stacks: list[str], as_of: dt.date | None = None,
                progress=None) -> list[StackPlan]:
    """Plan ``core`` first (site stacks read its outputs), then each requested stack."""
    as_of = as_of or dt.date.today()
    names = {s: naming.storage_account(s, inventory.organisation.azure_location, inventory.organisation.mail_domain)
             for s in inventory.sites}
    naming.check_unique(names)
    core = run_stack(inventory, programs.StackSettings(programs.CORE_STACK, as_of))
    if progress and programs.CORE_STACK in stacks:
        progress(programs.CORE_STACK)
    plans = [core] if programs.CORE_STACK in stacks else []
    for stack in stacks:
        if stack == programs.CORE_STACK:
            continue
        plans.append(run_stack(inventory, programs.StackSettings(stack, as_of), core.outputs))
        if progress:
            progress(stack)
    return plans


def write_plan(plan: StackPlan, out: Path) -> Path:
    path = Path(out) / f"{plan.stack}.json"
    atomic.write_text(path, json.dumps(plan.export(), ensure_ascii=False, indent=2, sort_keys=True, default=str))
    return path
