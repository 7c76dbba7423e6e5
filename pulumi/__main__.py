"""Pulumi entry point: `pulumi up --stack <core|hq|pref-NN-name>` runs this.

The programs live in the cutover package (src/cutover/cloud/programs.py) so the CLI's offline plan
and the tests run exactly the same code against the Azure double.
"""

import datetime as dt
from pathlib import Path

import pulumi

from cutover.cloud.discovery import ContainerDiscovery
from cutover.cloud.programs import StackSettings, run
from cutover.inventory import load_inventory

config = pulumi.Config("cutover")
project_root = Path(__file__).resolve().parent.parent
inventory = load_inventory(project_root / (config.get("inventory") or "inventories"))
as_of = dt.date.fromisoformat(config.get("asOf")) if config.get("asOf") else dt.date.today()
organization = config.get("stateOrganization") or "organization"  # DIY backends use the literal "organization"


def discover_container(subscription_id: str, vault_resource_group: str, vault_name: str, account_id: str) -> str:
    """Runs during `pulumi up` only (inside an apply), once the storage account exists."""
    return ContainerDiscovery(subscription_id, vault_resource_group, vault_name).container_for(account_id)


settings = StackSettings(stack=pulumi.get_stack(), as_of=as_of, discover_container=discover_container,
                         core_stack_ref=f"{organization}/{pulumi.get_project()}/core")
for key, value in run(inventory, settings).items():
    pulumi.export(key, value)
