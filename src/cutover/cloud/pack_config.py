"""The policy pack's configuration for one stack, generated from the reviewed inventory.

Pulumi hands each policy its own configuration (``args.get_config()``) from the file given with
``pulumi preview/up --policy-pack-config <file>``. Waivers travel here, each with its reason,
approver and expiry, from ``site.yml`` (reviewed like any change to the inventory), as do the values
the checks compare against. :data:`SCHEMAS` is each policy's ``config_schema`` (the CLI validates the
file against it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cutover import policy_catalog, smb
from cutover.cloud import programs
from cutover.inventory import Inventory

MAX_KEY_AGE_DAYS = 90
MIN_PREFIX_LENGTH = 24
_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_WAIVERS = {"type": "array", "items": {
    "type": "object", "required": ["reason", "approvedBy", "expires"],
    "properties": {"scope": {"type": ["string", "null"]}, "reason": {"type": "string", "minLength": 10},
                   "approvedBy": {"type": "string", "minLength": 1}, "expires": _DATE,
                   "policy": {"type": "string"}}}}
_IDS = {"type": "array", "items": {"type": "string"}}

#: policy id -> JSON schema of its configuration properties (``asOf`` lets rehearsals judge another day).
SCHEMAS: dict[str, dict[str, Any]] = {
    "storage-shared-key-disabled": {"vaultedBackup": {"type": "boolean"}, "maxKeyAgeDays": {"type": "integer"},
                                    "waivers": _WAIVERS},
    "storage-egress-range-bounded": {"minPrefixLength": {"type": "integer"}, "waivers": _WAIVERS},
    "storage-migration-source-expired": {"datacenterEgress": {"type": "array", "items": {"type": "string"}},
                                         "until": {"type": ["string", "null"]}},
    "files-default-share-permission": {"identityMode": {"type": "string", "enum": ["hybrid", "cloud_only"]}},
    "files-channel-aes256-gcm": {"allowAes128Until": {"type": ["string", "null"]}},
    "files-ntlmv2-disabled": {"waivers": _WAIVERS},
    "files-backup-every-share": {"waivers": _WAIVERS},
    "identity-mfa-policy": {"enforce": {"type": "boolean"}, "breakGlass": _IDS},
    "identity-legacy-auth-blocked": {"enforceFrom": {"type": ["string", "null"]}, "breakGlass": _IDS},
    "backup-retention-bounds": {"tier": {"type": "string", "enum": ["vault", "snapshot"]},
                                "dailyDays": {"type": "integer"}, "snapshotDays": {"type": "integer"}},
    "storage-diagnostics": {"workspaceId": {"type": "string"}},
    "waivers-unexpired": {"waivers": _WAIVERS},
}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def for_stack(inventory: Inventory, stack: str, core_outputs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Configuration of every configurable policy for ``stack`` (core or a site)."""
    org = inventory.organisation
    break_glass = [b.object_id for b in org.break_glass_accounts]
    if stack == programs.CORE_STACK:
        return {"identity-legacy-auth-blocked": {"enforceFrom": _iso(org.legacy_auth_block_from),
                                                 "breakGlass": break_glass},
                "waivers-unexpired": {"waivers": []}}
    site = inventory.sites[stack]
    cfg = site.config
    wave = org.wave(cfg.wave)
    waivers: dict[str, list[dict[str, Any]]] = {}
    for w in cfg.waivers:
        if policy_catalog.BY_ID[w.policy].area != "cloud":
            continue
        waivers.setdefault(w.policy, []).append({"policy": w.policy, "scope": w.scope, "reason": w.reason,
                                                 "approvedBy": w.approved_by, "expires": w.expires.isoformat()})
    backed_up = [s for s in cfg.file_shares
                 if not any(w.policy == "files-backup-every-share" and w.scope == s.name for w in cfg.waivers)]
    config: dict[str, dict[str, Any]] = {
        "storage-shared-key-disabled": {"vaultedBackup": bool(backed_up), "maxKeyAgeDays": MAX_KEY_AGE_DAYS},
        "storage-egress-range-bounded": {"minPrefixLength": MIN_PREFIX_LENGTH},
        "storage-migration-source-expired": {
            "datacenterEgress": list(org.datacenter.egress) if org.datacenter else [],
            "until": _iso(cfg.datacenter_access_until)},
        "files-default-share-permission": {"identityMode": cfg.identity_mode},
        "files-channel-aes256-gcm": {"allowAes128Until": _iso(smb.aes128_allowed_until(
            (e.build_number for e in site.endpoints), org.windows10_deadline))},
        "files-ntlmv2-disabled": {},
        "files-backup-every-share": {},
        "identity-mfa-policy": {"enforce": bool(wave and wave.live), "breakGlass": break_glass},
        "backup-retention-bounds": {"tier": cfg.backup.tier, "dailyDays": cfg.backup.retention_days,
                                    "snapshotDays": cfg.backup.snapshot_retention_days},
        "waivers-unexpired": {"waivers": [w for ws in waivers.values() for w in ws]},
    }
    if core_outputs.get("workspace_id"):
        config["storage-diagnostics"] = {"workspaceId": core_outputs["workspace_id"]}
    for policy, entries in waivers.items():
        config.setdefault(policy, {})["waivers"] = entries
    return config


def with_as_of(config: dict[str, dict[str, Any]], as_of: dt.date) -> dict[str, dict[str, Any]]:
    """The same configuration with every policy judging on ``as_of`` (rehearsals, tests); absent: today."""
    ids = [p.id for p in policy_catalog.POLICIES if p.area == "cloud"]
    return {policy: {**config.get(policy, {}), "asOf": as_of.isoformat()} for policy in ids}
