"""Policy pack: `pulumi preview --policy-pack pulumi/policy`.

The checks are the plain functions in cutover.cloud.policies; this file only adapts them to
pulumi-policy (the offline plan runs the same functions over the mock-captured resources).
Waived findings (an unexpired waiver in the inventory, carried on the storage account's tag) pass.
"""

import datetime as dt

from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy, StackValidationPolicy

from cutover.cloud.policies import POLICIES, PlannedResource

LEVEL = {"mandatory": EnforcementLevel.MANDATORY, "advisory": EnforcementLevel.ADVISORY}


def _planned(resource_type, props, urn, name, protect):
    return PlannedResource(urn=urn, type=resource_type, name=name, props=dict(props or {}), protect=bool(protect))


def _report(findings, report_violation):
    for finding in findings:
        if finding.status == "fail":
            report_violation(finding.message, finding.urn)


def _resource_policy(policy):
    def validate(args, report_violation):
        if args.resource_type not in policy.resource_types:
            return
        resource = _planned(args.resource_type, args.props, args.urn, args.name,
                            getattr(args.opts, "protect", False))
        _report(policy.check(resource, [resource], dt.date.today()), report_violation)

    return ResourceValidationPolicy(name=policy.id, description=policy.info.title_en,
                                    enforcement_level=LEVEL[policy.info.enforcement], validate=validate)


def _stack_policy(policy):
    def validate(args, report_violation):
        stack = [_planned(r.resource_type, r.props, r.urn, r.name, getattr(r.opts, "protect", False))
                 for r in args.resources]
        if any(r.type.endswith(":StorageAccount") for r in stack):
            _report(policy.check(None, stack, dt.date.today()), report_violation)

    return StackValidationPolicy(name=policy.id, description=policy.info.title_en,
                                 enforcement_level=LEVEL[policy.info.enforcement], validate=validate)


PolicyPack(
    name="cutover",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[_stack_policy(p) if p.stack_level else _resource_policy(p) for p in POLICIES],
)
