"""Run the real pulumi-policy analyzer over a plan, with the requests the Pulumi engine would send.

``pulumi_policy.policy._PolicyAnalyzerServicer`` is the gRPC servicer that ``PolicyPack`` serves to
the CLI; its methods take protobuf requests and need no server, so they run in-process: ``Configure``
(the ``--policy-pack-config`` file), ``Analyze`` once per resource (its inputs), ``AnalyzeStack`` once
(every resource's outputs, parent, dependencies and property dependencies). Unknown values travel as
the engine's sentinel strings, exactly as in a preview.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

from cutover.cloud import pack, policies

_LEVELS = {proto.ADVISORY: "advisory", proto.MANDATORY: "mandatory", proto.DISABLED: "disabled",
           proto.REMEDIATE: "remediate"}


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    level: str  # mandatory | advisory
    message: str
    urn: str


_WIRE = {"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY, "disabled": proto.DISABLED}


def servicer(config: dict[str, dict[str, Any]]) -> _PolicyAnalyzerServicer:
    """The pack's analyzer, configured as the CLI configures it from a ``--policy-pack-config`` file.

    The CLI sends every policy's effective enforcement level (the file's ``enforcementLevel``, else the
    policy's own) with its properties.
    """
    analyzer = _PolicyAnalyzerServicer(pack.NAME, "0.0.1", pack.build(), EnforcementLevel.MANDATORY)
    request = proto.ConfigureAnalyzerRequest()
    for policy in policies.POLICIES:
        values = dict(config.get(policy.id) or {})
        entry = request.policyConfig[policy.id]
        entry.enforcementLevel = _WIRE[values.pop("enforcementLevel", policy.info.enforcement)]
        if values:
            entry.properties.update(values)
    analyzer.Configure(request, None)
    return analyzer


def _struct(values: Any) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(dict(values))
    return message


def _options(resource: policies.PlannedResource) -> proto.AnalyzerResourceOptions:
    return proto.AnalyzerResourceOptions(protect=resource.protect, parent=resource.parent or "")


def analyze_request(resource: policies.PlannedResource) -> proto.AnalyzeRequest:
    """What the engine sends for one resource: its inputs."""
    return proto.AnalyzeRequest(type=resource.type, properties=_struct(resource.inputs), urn=resource.urn,
                                name=resource.name, options=_options(resource))


def analyze_stack_request(resources: list[policies.PlannedResource]) -> proto.AnalyzeStackRequest:
    """What the engine sends once for the stack: outputs and relations."""
    request = proto.AnalyzeStackRequest()
    for r in resources:
        entry = request.resources.add(type=r.type, properties=_struct(r.outputs), urn=r.urn, name=r.name,
                                      options=_options(r), parent=r.parent or "", dependencies=list(r.dependencies))
        for key, urns in r.property_dependencies.items():
            entry.propertyDependencies[key].urns.extend(urns)
    return request


def run(resources: list[policies.PlannedResource], config: dict[str, dict[str, Any]]) -> list[Diagnostic]:
    """Every diagnostic the pack reports for one stack (violations and "can't run during preview" notes)."""
    analyzer = servicer(config)
    responses = [analyzer.Analyze(analyze_request(r), None) for r in resources]
    responses.append(analyzer.AnalyzeStack(analyze_stack_request(resources), None))
    return [Diagnostic(d.policyName, _LEVELS[d.enforcementLevel], d.message, d.urn)
            for response in responses for d in response.diagnostics]


def violations(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Mandatory violations (what makes `pulumi preview/up --policy-pack` fail)."""
    return [d for d in diagnostics if d.level == "mandatory"]


def skipped(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if "can't run policy" in d.message]
