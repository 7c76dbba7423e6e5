"""Offline plan: run the real programs against the Azure double (:mod:`cutover.cloud.azure_model`).

No CLI and no cloud: the Pulumi SDK's mock monitor stands in for the engine, and the double answers
as azure-native and Azure would. Two phases:

- ``up``: the stack after ``pulumi up`` (Azure's outputs, ids and names; backup discovery done).
- ``preview``: the first preview of a new stack (Azure-assigned values unknown, as the engine has them).

Every registration is recorded as the engine keeps it: inputs as sent (camelCase wire format,
unknown sentinels), the provider's outputs, parent, dependencies and property dependencies. The
policies run over that, with the pack configuration generated from the inventory, and the result is
written in the shape of ``pulumi stack export`` plus a ``cutover`` section (see docs/cloud.md), so
the evidence collector reads plans and real exports with one reader.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.metadata
import json
import multiprocessing
import multiprocessing.pool
import signal
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from cutover import atomic, naming
from cutover.cloud import azure_model, pack_config, policies, programs
from cutover.inventory import Inventory

Phase = Literal["preview", "up"]
PROJECT = naming.PROJECT
SUBSCRIPTION = azure_model.SUBSCRIPTION
TENANT = azure_model.TENANT
_PULUMI_VERSION = importlib.metadata.version("pulumi")


class PlanError(RuntimeError):
    """The program could not be planned (an exception, a refusal by the Azure double, an unresolved output)."""


@dataclass
class StackPlan:
    stack: str
    site: str | None
    phase: Phase
    resources: list[policies.PlannedResource]
    components: list[policies.PlannedResource]
    outputs: dict[str, Any]
    policy_config: dict[str, dict[str, Any]]
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
        resources: list[dict[str, Any]] = [
            {"urn": root_urn, "custom": False, "type": "pulumi:pulumi:Stack", "outputs": self.outputs}]
        for r in [*self.components, *self.resources]:
            entry: dict[str, Any] = {
                "urn": r.urn, "custom": r in self.resources, "type": r.type, "parent": r.parent or root_urn,
                "protect": r.protect, "inputs": dict(r.inputs), "outputs": dict(r.outputs),
                "dependencies": list(r.dependencies),
                "propertyDependencies": {k: list(v) for k, v in r.property_dependencies.items()}}
            if r.id:
                entry["id"] = r.id
            resources.append(entry)
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
                "phase": self.phase,
                "generated_at": self.generated_at,
                "as_of": self.as_of.isoformat(),
                "outputs": self.outputs,
                "policy_config": self.policy_config,
                "policy_results": [r.as_json() for r in self.policy_results],
            },
        }


def _plain(value: Any) -> Any:
    """Mock inputs with the SDK's Unknown objects turned back into the engine's unknown sentinel."""
    if type(value).__name__ == "Unknown":
        return azure_model.UNKNOWN
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class AzureMocks(pulumi.runtime.Mocks):
    """The provider side of the engine: answers registrations and invokes as Azure would."""

    def __init__(self, core_outputs: dict[str, Any], preview: bool, synced_groups: set[str]):
        self.core_outputs = core_outputs
        self.preview = preview
        self.synced_groups = synced_groups  # AD groups synced to Entra (the directory double)
        self.world = azure_model.World()
        self.storage_apps: set[str] = set()

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        if args.typ == "pulumi:pulumi:StackReference":
            return args.name, {"name": args.name, "outputs": self.core_outputs, "secretOutputNames": []}
        if not args.custom:
            return "", {}  # a component: its children are the resources
        inputs = _plain(dict(args.inputs))
        resource_id, outputs = azure_model.respond(args.typ, args.name, inputs, self.preview, self.world)
        auth = inputs.get("azureFilesIdentityBasedAuthentication") or {}
        if args.typ == policies.SA and auth.get("directoryServiceOptions") == "AADKERB":
            # Enabling Entra Kerberos makes the storage resource provider create the account's app.
            self.storage_apps.add(naming.storage_app(inputs["accountName"]))
        return resource_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs):
        given = dict(args.args)
        if args.token == "azure-native:authorization:getClientConfig":
            return {"subscriptionId": SUBSCRIPTION, "tenantId": TENANT, "clientId": "cutover-plan",
                    "objectId": "cutover-plan"}
        if args.token == "azuread:index/getGroup:getGroup":
            name = given.get("displayName")
            if name not in self.synced_groups:
                raise azure_model.AzureRefusal(f"Entra ID has no group {name!r} (not synced from AD?)")
            object_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"group/{name}"))
            return {"id": object_id, "objectId": object_id, "displayName": name, "securityEnabled": True,
                    "onpremisesSyncEnabled": True, "mailEnabled": False}
        if args.token == "azuread:index/getServicePrincipal:getServicePrincipal":
            name = given.get("displayName")
            if name not in self.storage_apps:
                raise azure_model.AzureRefusal(f"Entra ID has no service principal {name!r}")
            return {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sp/{name}")), "displayName": name,
                    "objectId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sp/{name}")),
                    "clientId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"app/{name}"))}
        raise azure_model.AzureRefusal(f"the Azure double does not model the invoke {args.token}")


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    """Keeps what the engine would keep of every registration."""

    def __init__(self, mocks: pulumi.runtime.Mocks):
        super().__init__(mocks)
        self.registrations: list[dict[str, Any]] = []

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.registrations.append({
                "urn": response.urn, "type": request.type, "name": request.name, "parent": request.parent or None,
                "protect": bool(request.protect), "custom": bool(request.custom), "id": response.id or None,
                "dependencies": tuple(request.dependencies),
                "property_dependencies": {k: tuple(v.urns) for k, v in request.propertyDependencies.items()},
                "inputs": json_format.MessageToDict(request.object),
                "outputs": json_format.MessageToDict(response.object),
            })
        return response


def synced_groups(inventory: Inventory) -> set[str]:
    """The AD groups the inventory names (the only groups the directory double knows as synced)."""
    names = {g.ad_group for s in inventory.sites.values() for g in s.config.groups if g.ad_group}
    dc = inventory.organisation.datacenter
    return names | ({dc.copy_group} if dc and dc.copy_group else set())


def discovered_container(_subscription: str, _vault_rg: str, _vault: str, account_id: str) -> str:
    return azure_model.discovered_container(account_id)


@dataclass
class ProgramRun:
    """What the engine recorded of one program run against the Azure double."""

    resources: list[policies.PlannedResource]
    components: list[policies.PlannedResource]
    outputs: dict[str, Any]


def run_program(program, stack: str, phase: Phase = "up", core_outputs: dict[str, Any] | None = None,
                groups: set[str] = frozenset()) -> ProgramRun:
    """Run ``program()`` (declares resources, returns stack outputs) against the double in a fresh loop."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    mocks = AzureMocks(core_outputs or {}, phase == "preview", set(groups))
    monitor = _RecordingMonitor(mocks)
    pulumi_settings.ROOT.set(None)  # a fresh root stack resource for every stack planned in this process
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=phase == "preview", monitor=monitor,
                             organization="organization")
    pulumi_settings.SETTINGS.rpc_manager.clear()  # nothing left over from a run that failed (as runtime.test does)
    pulumi_settings.SETTINGS.outputs.clear()
    holder: dict[str, Any] = {}

    async def body() -> None:
        outputs = program() or {}
        resolved = {}
        for key, value in outputs.items():
            resolved[key] = _plain(await pulumi.Output.from_input(value).future(with_unknowns=True))
        holder["outputs"] = resolved

    try:
        _sync_await(run_pulumi_func(body))
    except Exception as exc:
        raise PlanError(f"stack {stack} ({phase}): {exc}") from exc
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    outputs = holder.get("outputs")
    if outputs is None:
        raise PlanError(f"stack {stack} ({phase}): outputs never resolved")
    unresolved = [k for k, v in outputs.items() if phase == "up" and v == azure_model.UNKNOWN]
    if unresolved:
        raise PlanError(f"stack {stack} ({phase}): outputs never resolved: {', '.join(unresolved)}")
    resources, components = [], []
    for reg in monitor.registrations:
        planned = policies.PlannedResource(
            urn=reg["urn"], type=reg["type"], name=reg["name"], inputs=reg["inputs"],
            outputs=reg["outputs"] if reg["custom"] else {}, protect=reg["protect"], parent=reg["parent"],
            dependencies=reg["dependencies"], property_dependencies=reg["property_dependencies"], id=reg["id"])
        (resources if reg["custom"] else components).append(planned)
    return ProgramRun(resources, components, outputs)


def run_stack(inventory: Inventory, stack: str, as_of: dt.date, core_outputs: dict[str, Any] | None = None,
              phase: Phase = "up") -> StackPlan:
    """Run one stack's program against the Azure double and evaluate the policies."""
    settings = programs.StackSettings(stack, as_of, discovered_container)
    done = run_program(lambda: programs.run(inventory, settings), stack, phase, core_outputs,
                       synced_groups(inventory))
    config = pack_config.for_stack(inventory, stack, core_outputs or {})
    results = policies.evaluate(done.resources, as_of, config)
    site = None if stack == programs.CORE_STACK else stack
    return StackPlan(stack, site, phase, done.resources, done.components, done.outputs, config, results, as_of)


_WORK: dict[str, Any] = {}  # set before forking workers: they inherit it (and every imported module)


def _plan_in_worker(stack: str) -> StackPlan:
    return run_stack(_WORK["inventory"], stack, _WORK["as_of"], _WORK["core"], _WORK["phase"])


def plan_stacks(inventory: Inventory, stacks: list[str], as_of: dt.date | None = None, progress=None,
                phase: Phase = "up", jobs: int = 1) -> list[StackPlan]:
    """Plan ``core`` first (site stacks read its outputs after its ``up``), then each requested stack.

    With ``jobs`` > 1 the site stacks run in forked worker processes that share the already imported SDKs.
    """
    as_of = as_of or dt.date.today()
    org = inventory.organisation
    naming.check_unique({s: naming.storage_account(s, org.azure_location, org.mail_domain) for s in inventory.sites})
    core = run_stack(inventory, programs.CORE_STACK, as_of, phase="up")
    plans = []
    if programs.CORE_STACK in stacks:
        plans.append(core if phase == "up" else run_stack(inventory, programs.CORE_STACK, as_of, phase=phase))
        if progress:
            progress(programs.CORE_STACK)
    sites = [s for s in stacks if s != programs.CORE_STACK]
    if jobs > 1 and len(sites) > 1 and "fork" in multiprocessing.get_all_start_methods():
        _WORK.update(inventory=inventory, as_of=as_of, core=core.outputs, phase=phase)
        try:
            with worker_pool(min(jobs, len(sites))) as pool:
                for plan in pool.imap(_plan_in_worker, sites):
                    plans.append(plan)
                    if progress:
                        progress(plan.stack)
        finally:
            _WORK.clear()
        return plans
    for stack in sites:
        plans.append(run_stack(inventory, stack, as_of, core.outputs, phase))
        if progress:
            progress(stack)
    return plans


def worker_pool(processes: int) -> multiprocessing.pool.Pool:
    """Forked workers sharing the imported SDKs, which stop quietly when the pool ends them."""
    return multiprocessing.get_context("fork").Pool(processes, _quiet_worker)


def _quiet_worker() -> None:
    # The parent owns Ctrl-C and `kill`: the pool ends its workers with SIGTERM when done or cancelled, and
    # a worker must then just stop (the CLI's SIGTERM handler, inherited by fork, would print a traceback).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def write_plan(plan: StackPlan, out: Path) -> Path:
    """``<stack>.json`` and, beside it, ``<stack>.policy-config.json`` (as deploy-wave.yml keeps real exports)."""
    path = Path(out) / f"{plan.stack}.json"
    atomic.write_text(path, json.dumps(plan.export(), ensure_ascii=False, indent=2, sort_keys=True, default=str))
    write_policy_config(plan, out)
    return path


def write_policy_config(plan: StackPlan, out: Path) -> Path:
    """The ``--policy-pack-config`` file for this stack, beside its plan."""
    path = Path(out) / f"{plan.stack}.policy-config.json"
    atomic.write_text(path, json.dumps(plan.policy_config, ensure_ascii=False, indent=2, sort_keys=True))
    return path
