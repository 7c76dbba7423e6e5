"""The checks of :mod:`cutover.cloud.policies` as pulumi-policy policies (``pulumi/policy/__main__.py``).

The adapters read exactly what pulumi-policy hands over and nothing more: a resource policy gets
``args.props`` (the inputs, behind pulumi-policy's unknown-checking proxy, read lazily so one unknown
property skips only the checks that read it) and ``args.opts.protect``; a stack policy gets each
``PolicyResource``'s outputs, parent, dependencies and property dependencies. Configuration (waivers,
expected values) comes from ``args.get_config()``.

Findings: ``fail`` becomes a violation; ``waived`` passes; ``unknown`` is raised after the violations
as pulumi-policy's ``UnknownValueError``, which the analyzer reports as an advisory "can't run during
preview" diagnostic.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from cutover.cloud import pack_config, policies

LEVEL = {"mandatory": EnforcementLevel.MANDATORY, "advisory": EnforcementLevel.ADVISORY}
NAME = "cutover"


def _context(policy: policies.Policy, config: Any) -> policies.Context:
    values = dict(config or {})
    as_of = dt.date.fromisoformat(values["asOf"]) if values.get("asOf") else dt.date.today()
    return policies.Context(as_of, {policy.id: values})


def _report(findings: list[policies.Finding], report_violation) -> None:
    for finding in findings:
        if finding.status == "fail":
            report_violation(finding.message, finding.urn)
    unknown = [f.message for f in findings if f.status == "unknown"]
    if unknown:
        raise UnknownValueError(UNKNOWN_STRING_VALUE, ["; ".join(unknown)])


def _schema(policy: policies.Policy) -> PolicyConfigSchema:
    properties = {**pack_config.SCHEMAS.get(policy.id, {}), "asOf": {"type": "string"}}
    return PolicyConfigSchema(properties=properties)


def resource_policy(policy: policies.Policy) -> ResourceValidationPolicy:
    def validate(args, report_violation):
        if args.resource_type not in policy.resource_types:
            return
        resource = policies.PlannedResource(
            urn=args.urn, type=args.resource_type, name=args.name, inputs=args.props,
            protect=bool(args.opts.protect), parent=args.opts.parent)
        _report(policies.run_resource_check(policy, resource, _context(policy, args.get_config())),
                report_violation)

    return ResourceValidationPolicy(name=policy.id, description=policy.info.title_en, validate=validate,
                                    enforcement_level=LEVEL[policy.info.enforcement], config_schema=_schema(policy))


def stack_policy(policy: policies.Policy) -> StackValidationPolicy:
    def validate(args, report_violation):
        stack = [policies.PlannedResource(
            urn=r.urn, type=r.resource_type, name=r.name, outputs=r.props, protect=bool(r.opts.protect),
            parent=r.parent.urn if r.parent else None,
            dependencies=tuple(d.urn for d in r.dependencies),
            property_dependencies={k: tuple(d.urn for d in v) for k, v in r.property_dependencies.items()})
            for r in args.resources]
        if not any(r.type in policy.stack_types for r in stack):
            return
        _report(policies.run_stack_check(policy, stack, _context(policy, args.get_config())), report_violation)

    return StackValidationPolicy(name=policy.id, description=policy.info.title_en, validate=validate,
                                 enforcement_level=LEVEL[policy.info.enforcement], config_schema=_schema(policy))


def build() -> list:
    """Every check as a pulumi-policy policy, in catalogue order."""
    return [stack_policy(p) if p.stack_level else resource_policy(p) for p in policies.POLICIES]
