"""The policy pack's configuration: which waiver unlocks which policy, for which scope, until when."""

from __future__ import annotations

import datetime as dt

import jsonschema
import pytest
import yaml

from cutover.cloud import pack_config, policies
from cutover.cloud.policies import ITEM, SHARE
from cutover.inventory import load_inventory
from tests.cloud.conftest import AS_OF, CLOUD_ONLY, plan_here


def closed(schema):
    """``schema`` with every object closed: a key the policy does not declare is a key no check reads."""
    if isinstance(schema, dict):
        out = {k: closed(v) for k, v in schema.items()}
        if out.get("type") == "object":
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [closed(v) for v in schema]
    return schema


@pytest.mark.parametrize("stack", ["core", "pref-03-iwate", CLOUD_ONLY])
def test_every_key_the_configuration_sets_is_one_its_policy_declares(sample_inventory, stack):
    # The CLI checks the file against each policy's config_schema but lets unknown keys through: a key
    # spelled differently from the one the check reads would silently leave the check on its default.
    config = pack_config.for_stack(sample_inventory, stack, {"workspace_id": "/subscriptions/x/workspaces/log"})
    assert config and set(config) <= set(pack_config.SCHEMAS)
    for policy, values in config.items():
        jsonschema.validate(values, closed({"type": "object", "properties": pack_config.SCHEMAS[policy]}))


def with_backup_waiver(inventory_copy, share, expires):
    path = inventory_copy / "hq" / "site.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["waivers"] = [{"policy": "files-backup-every-share", "scope": share, "expires": expires,
                       "reason": "archive share is copied to tape off site until the tape contract ends",
                       "approved_by": "本部 情報システム委員会"}]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_inventory(inventory_copy)


def test_a_backup_waiver_exempts_its_share_only_and_only_until_it_expires(inventory_copy):
    inventory = with_backup_waiver(inventory_copy, "archive", dt.date(2027, 6, 30))
    plan = plan_here(inventory, CLOUD_ONLY)
    assert [i.inputs["protectedItemName"] for i in plan.by_type(ITEM)] == ["shared"]
    assert plan.outputs["backed_up_shares"] == ["shared"]
    (result,) = [r for r in plan.policy_results if r.policy == "files-backup-every-share"]
    (waived,) = result.findings
    assert result.status == "waived" and "archive" in waived.message
    assert waived.waiver["approved_by"] == "本部 情報システム委員会" and waived.waiver["expires"] == "2027-06-30"

    # the waiver names the archive share: a share that lost its protected item otherwise still fails
    unprotected = [r for r in plan.resources if r.type != ITEM]
    (both,) = policies.evaluate(unprotected, AS_OF, plan.policy_config, [policies.BY_ID["files-backup-every-share"]])
    assert both.status == "fail"
    assert {(f.status, f.message.split()[1]) for f in both.findings} == {("waived", "archive"), ("fail", "shared")}
    share_urns = {r.urn for r in plan.by_type(SHARE)}
    assert {f.urn for f in both.findings} == share_urns

    expired = plan_here(inventory, CLOUD_ONLY, dt.date(2027, 7, 1))  # the day after: backed up again
    assert sorted(i.inputs["protectedItemName"] for i in expired.by_type(ITEM)) == ["archive", "shared"]
    assert {r.policy: r.status for r in expired.policy_results}["files-backup-every-share"] == "pass"

