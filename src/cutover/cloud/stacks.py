"""Stack configuration files: every inventory site (and core) has one, and no stray one exists."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from cutover import atomic
from cutover.cloud.programs import CORE_STACK
from cutover.inventory import Inventory

STACK_DIR = Path(__file__).resolve().parents[3] / "pulumi" / "stacks"


@dataclass
class SyncReport:
    created: list[str]
    missing: list[str]  # only in check mode
    outdated: list[str]  # file exists but lacks or changed a required key
    strays: list[str]
    removed: list[str]

    @property
    def clean(self) -> bool:
        return not (self.missing or self.outdated or self.strays)


def expected_stacks(inventory: Inventory) -> list[str]:
    return [CORE_STACK, *inventory.sites]


def required_config(inventory: Inventory) -> dict[str, str]:
    return {"azure-native:location": inventory.organisation.azure_location, "cutover:inventory": "inventories"}


def render(stack: str, inventory: Inventory) -> str:
    header = (f"# Stack {stack}: created by `cutover stacks sync`. Secrets are added with\n"
              "# `pulumi config set --secret` (passphrase provider); `pulumi stack init` adds encryptionsalt.\n")
    return header + "---\n" + yaml.safe_dump({"config": required_config(inventory)}, sort_keys=True)


def sync(inventory: Inventory, directory: Path = STACK_DIR, check: bool = False, prune: bool = False) -> SyncReport:
    directory = Path(directory)
    wanted = expected_stacks(inventory)
    required = required_config(inventory)
    report = SyncReport([], [], [], [], [])
    for stack in wanted:
        path = directory / f"Pulumi.{stack}.yaml"
        if not path.exists():
            if check:
                report.missing.append(stack)
            else:
                atomic.write_text(path, render(stack, inventory))
                report.created.append(stack)
            continue
        config = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("config") or {}
        if any(config.get(key) != value for key, value in required.items()):
            report.outdated.append(stack)
    present = sorted(p for p in directory.glob("Pulumi.*.yaml")) if directory.exists() else []
    for path in present:
        stack = path.name[len("Pulumi."):-len(".yaml")]
        if stack not in wanted:
            if prune and not check:
                path.unlink()
                report.removed.append(stack)
            else:
                report.strays.append(stack)
    return report
