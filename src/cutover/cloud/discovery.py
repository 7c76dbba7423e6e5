"""Azure Backup container discovery: the container name is taken from Azure's answer, never built.

Microsoft's REST guide for backing up Azure Files
(https://learn.microsoft.com/azure/backup/backup-azure-file-share-rest-api) registers a storage
account in three calls: ``POST .../refreshContainers`` (discovery), ``GET .../protectableContainers``
(the account appears with its container ``name``), then ``PUT .../protectionContainers/{name}`` —
"Don't hard-code or create the container-name format". Once registered, the account is listed by
``GET .../backupProtectionContainers``. The program calls :meth:`ContainerDiscovery.container_for`
inside ``account.id.apply(...)``, which runs only during ``pulumi up`` once the account exists; in a
preview the name is unknown, as any value Azure assigns.

Protected items need no discovery here: azure-native looks up the protectable item's system name from
the share's name itself (pulumi-azure-native#1420, PR #3809).
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

API = "2024-10-01"
FILTER = "backupManagementType eq 'AzureStorage'"

#: (method, url) -> parsed JSON body ({} for 202/204). The real one is ``az rest`` (see :func:`az_rest`).
Runner = Callable[[str, str], dict[str, Any]]


class DiscoveryError(RuntimeError):
    """Azure did not list the storage account as a backup container."""


def az_rest(method: str, url: str) -> dict[str, Any]:
    """Call ARM with the CLI's login (``az login`` / azure/login with OIDC in CI)."""
    result = subprocess.run(["az", "rest", "--method", method, "--url", url], capture_output=True, text=True,
                            check=False, timeout=300)
    if result.returncode != 0:
        raise DiscoveryError(f"az rest {method} failed: {result.stderr.strip()[-500:]}")
    return json.loads(result.stdout) if result.stdout.strip() else {}


@dataclass
class ContainerDiscovery:
    subscription_id: str
    vault_resource_group: str
    vault_name: str
    run: Runner = az_rest
    attempts: int = 6
    wait_seconds: float = 10.0

    def _vault(self) -> str:
        return (f"https://management.azure.com/subscriptions/{self.subscription_id}/resourceGroups/"
                f"{self.vault_resource_group}/providers/Microsoft.RecoveryServices/vaults/{self.vault_name}")

    def container_for(self, account_id: str) -> str:
        """The container name Azure uses for ``account_id`` (registered, or discovered and protectable)."""
        account = account_id.rsplit("/", 1)[-1]
        registered = self.run("get", f"{self._vault()}/backupProtectionContainers?api-version={API}"
                                     f"&$filter={FILTER}")
        found = _match(registered, account_id, account)
        if found:
            return found
        self.run("post", f"{self._vault()}/backupFabrics/Azure/refreshContainers?api-version={API}"
                         f"&$filter={FILTER}")
        for attempt in range(self.attempts):  # discovery is asynchronous (202 Accepted, then listed)
            listed = self.run("get", f"{self._vault()}/backupFabrics/Azure/protectableContainers?"
                                     f"api-version={API}&$filter={FILTER}")
            found = _match(listed, account_id, account)
            if found:
                return found
            if attempt + 1 < self.attempts:
                time.sleep(self.wait_seconds)
        raise DiscoveryError(f"Azure Backup did not discover the storage account {account} in vault "
                             f"{self.vault_name}: is it in the same region and subscription?")


def _match(body: dict[str, Any], account_id: str, account: str) -> str | None:
    for entry in body.get("value") or []:
        props = entry.get("properties") or {}
        source = str(props.get("containerId") or props.get("sourceResourceId") or "")
        if source.lower() == account_id.lower() or props.get("friendlyName") == account:
            return entry["name"]
    return None
