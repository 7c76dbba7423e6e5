"""Policy pack: `pulumi preview --policy-pack pulumi/policy --policy-pack-config <cutover policy-config output>`.

The checks are the plain functions in cutover.cloud.policies; cutover.cloud.pack adapts them to
pulumi-policy (resource policies read inputs, stack policies read outputs and relations). Waivers
and expected values come from the pack configuration generated from the inventory.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from cutover.cloud import pack

PolicyPack(name=pack.NAME, enforcement_level=EnforcementLevel.MANDATORY, policies=pack.build())
