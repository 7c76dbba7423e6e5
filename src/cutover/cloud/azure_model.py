"""A double of Azure and its Pulumi providers, at least as strict as they are, for the offline plan.

What the engine sees of a resource is what the provider returns, never the program's inputs echoed:

- **Output shape.** A resource's outputs are only the output properties its SDK class declares (read
  from the installed ``pulumi_azure_native`` / ``pulumi_azuread`` type metadata), nested objects cut to
  their output types, plus ``id``. ``StorageAccount`` outputs carry ``name``, never ``accountName``; a
  lock carries ``level`` and ``notes``, never ``scope``.
- **After ``up``.** Values Azure computes: ``name`` from the name path parameter, ARM ``id`` and
  ``type``, ``provisioningState``, the protected item's *system name* (``azurefileshare;<hash>``), the
  storage app that Entra Kerberos creates, Entra object ids.
- **Preview.** As azure-native's ``PreviewOutputs`` (provider/pkg/convert/previewOutputs.go in
  pulumi/pulumi-azure-native): an output takes the input of the same name, everything else is unknown;
  the id is unknown. Dependent inputs therefore arrive unknown, as they do under the real engine.
- **Refusals.** What Azure or the provider refuses fails the registration with Azure's reason (see
  :func:`refuse`), so a plan cannot pass where ``pulumi up`` would fail.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import ipaddress
import re
import typing
import uuid
from collections import abc
from collections.abc import Mapping
from typing import Any

import pulumi._types as pulumi_types

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown sentinel (pulumi rpc / pulumi_policy)
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"  # placeholder ids: a plan has no real ones
TENANT = "11111111-1111-1111-1111-111111111111"


class AzureRefusal(ValueError):
    """Azure (or the provider) would reject this registration."""


# ------------------------------------------------------------------------------------------------
# output shape from the SDK's type metadata
# ------------------------------------------------------------------------------------------------


@functools.cache
def resource_class(type_token: str) -> type:
    """``azure-native:storage:StorageAccount`` -> ``pulumi_azure_native.storage.StorageAccount``."""
    package, module, name = type_token.split(":")
    if package == "azure-native":
        return getattr(importlib.import_module(f"pulumi_azure_native.{module}"), name)
    if package == "azuread":
        return getattr(importlib.import_module("pulumi_azuread"), name)
    raise KeyError(type_token)


@functools.cache
def output_types(type_token: str) -> dict[str, Any]:
    """Output property (wire name) -> its Python output type, as the SDK declares them."""
    cls = resource_class(type_token)
    names = pulumi_types.resource_pulumi_to_py_names(cls)
    types = pulumi_types.resource_types(cls)
    return {name: types.get(name, Any) for name in names}


@functools.cache
def _fields(output_type: type) -> dict[str, Any]:
    return dict(pulumi_types.output_type_types(output_type))


def _project(value: Any, typ: Any, preview: bool) -> Any:
    """Cut an input value to the shape of an output type (unknown inner outputs in preview)."""
    if value == UNKNOWN:
        return UNKNOWN
    origin = typing.get_origin(typ)
    if origin in (list, tuple, abc.Sequence) and isinstance(value, list):
        (inner,) = typing.get_args(typ) or (Any,)
        return [_project(v, inner, preview) for v in value]
    if origin in (dict, abc.Mapping) and isinstance(value, dict):
        inner = (typing.get_args(typ) or (Any, Any))[1]
        return {k: _project(v, inner, preview) for k, v in value.items()}
    if isinstance(typ, type) and pulumi_types.is_output_type(typ) and isinstance(value, dict):
        fields = _fields(typ)
        out = {}
        for name, inner in fields.items():
            if name in value:
                out[name] = _project(value[name], inner, preview)
            elif preview:
                out[name] = UNKNOWN
        return out
    return value  # scalars, enums, untyped (Any) and unions: as given (the provider's fallback)


# ------------------------------------------------------------------------------------------------
# names, ids and values Azure computes
# ------------------------------------------------------------------------------------------------

_RG = "/subscriptions/{sub}/resourceGroups/{resourceGroupName}"
_SA = _RG + "/providers/Microsoft.Storage/storageAccounts/{accountName}"
_VAULT = _RG + "/providers/Microsoft.RecoveryServices/vaults/{vaultName}"
_MOVER = _RG + "/providers/Microsoft.StorageMover/storageMovers/{storageMoverName}"
_SYNC = _RG + "/providers/Microsoft.StorageSync/storageSyncServices/{storageSyncServiceName}"


class Spec(typing.NamedTuple):
    name_input: str | None  # the path parameter Azure names the resource by
    arm_type: str
    id_template: str


SPECS: dict[str, Spec] = {
    "azure-native:resources:ResourceGroup": Spec("resourceGroupName", "Microsoft.Resources/resourceGroups", _RG),
    "azure-native:storage:StorageAccount": Spec("accountName", "Microsoft.Storage/storageAccounts", _SA),
    "azure-native:storage:FileServiceProperties": Spec(
        "fileServicesName", "Microsoft.Storage/storageAccounts/fileServices", _SA + "/fileServices/default"),
    "azure-native:storage:FileShare": Spec(
        "shareName", "Microsoft.Storage/storageAccounts/fileServices/shares",
        _SA + "/fileServices/default/shares/{shareName}"),
    "azure-native:operationalinsights:Workspace": Spec(
        "workspaceName", "Microsoft.OperationalInsights/workspaces",
        _RG + "/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}"),
    "azure-native:keyvault:Vault": Spec(
        "vaultName", "Microsoft.KeyVault/vaults", _RG + "/providers/Microsoft.KeyVault/vaults/{vaultName}"),
    "azure-native:recoveryservices:Vault": Spec("vaultName", "Microsoft.RecoveryServices/vaults", _VAULT),
    "azure-native:recoveryservices:ProtectionPolicy": Spec(
        "policyName", "Microsoft.RecoveryServices/vaults/backupPolicies", _VAULT + "/backupPolicies/{policyName}"),
    "azure-native:recoveryservices:ProtectionContainer": Spec(
        "containerName", "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers",
        _VAULT + "/backupFabrics/{fabricName}/protectionContainers/{containerName}"),
    "azure-native:recoveryservices:ProtectedItem": Spec(
        "protectedItemName", "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems",
        _VAULT + "/backupFabrics/{fabricName}/protectionContainers/{containerName}/protectedItems/{name}"),
    "azure-native:authorization:RoleAssignment": Spec(
        "roleAssignmentName", "Microsoft.Authorization/roleAssignments",
        "{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}"),
    "azure-native:authorization:ManagementLockByScope": Spec(
        "lockName", "Microsoft.Authorization/locks", "{scope}/providers/Microsoft.Authorization/locks/{lockName}"),
    "azure-native:monitor:DiagnosticSetting": Spec(
        "name", "Microsoft.Insights/diagnosticSettings",
        "{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}"),
    "azure-native:security:DefenderForStorage": Spec(
        "settingName", "Microsoft.Security/defenderForStorageSettings",
        "{resourceId}/providers/Microsoft.Security/defenderForStorageSettings/{settingName}"),
    "azure-native:storagemover:StorageMover": Spec("storageMoverName", "Microsoft.StorageMover/storageMovers", _MOVER),
    "azure-native:storagemover:Project": Spec(
        "projectName", "Microsoft.StorageMover/storageMovers/projects", _MOVER + "/projects/{projectName}"),
    "azure-native:storagemover:Endpoint": Spec(
        "endpointName", "Microsoft.StorageMover/storageMovers/endpoints", _MOVER + "/endpoints/{endpointName}"),
    "azure-native:storagemover:JobDefinition": Spec(
        "jobDefinitionName", "Microsoft.StorageMover/storageMovers/projects/jobDefinitions",
        _MOVER + "/projects/{projectName}/jobDefinitions/{jobDefinitionName}"),
    "azure-native:storagesync:StorageSyncService": Spec(
        "storageSyncServiceName", "Microsoft.StorageSync/storageSyncServices", _SYNC),
    "azure-native:storagesync:SyncGroup": Spec(
        "syncGroupName", "Microsoft.StorageSync/storageSyncServices/syncGroups", _SYNC + "/syncGroups/{syncGroupName}"),
    "azure-native:storagesync:CloudEndpoint": Spec(
        "cloudEndpointName", "Microsoft.StorageSync/storageSyncServices/syncGroups/cloudEndpoints",
        _SYNC + "/syncGroups/{syncGroupName}/cloudEndpoints/{cloudEndpointName}"),
}


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        raise AzureRefusal(f"the ARM id needs {key!r}, which is not known")


def system_name(account: str, share: str) -> str:
    """The protectable item's system name Azure Backup assigns to a file share (``azurefileshare;<64 hex>``)."""
    return "azurefileshare;" + hashlib.sha256(f"{account}/{share}".lower().encode()).hexdigest()


def discovered_container(account_id: str) -> str:
    """The name Azure Backup's container discovery returns for a storage account.

    Microsoft's REST guide shows ``StorageContainer;Storage;<resource group>;<account>`` and says to
    take the name from the discovery response; this double is that response.
    """
    parts = account_id.split("/")
    if len(parts) != 9 or parts[3].lower() != "resourcegroups" or parts[7].lower() != "storageaccounts":
        raise AzureRefusal(f"{account_id!r} is not a storage account id")
    return f"StorageContainer;Storage;{parts[4]};{parts[8]}"


def firewall_admits(account_outputs: Mapping[str, Any], source_ip: str) -> bool:
    """Whether Azure lets a client at ``source_ip`` (public, outside Azure) reach the account's endpoints.

    Public network access Disabled closes the public endpoint whatever the IP rules say; with it
    Enabled, defaultAction Deny admits only the IP rules (network-security docs for Azure Storage).
    """
    if account_outputs.get("publicNetworkAccess") != "Enabled":
        return False
    rules = account_outputs.get("networkRuleSet") or {}
    if rules.get("defaultAction") == "Allow":
        return True
    address = ipaddress.ip_address(source_ip)
    return any(address in ipaddress.ip_network(r["iPAddressOrRange"], strict=False) for r in rules.get("ipRules") or [])


# ------------------------------------------------------------------------------------------------
# refusals
# ------------------------------------------------------------------------------------------------

_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")
_SHARE = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_PRIVATE = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                                   "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16"))
_SMB = {"versions": {"SMB2.1", "SMB3.0", "SMB3.1.1"}, "authenticationMethods": {"NTLMv2", "Kerberos"},
        "kerberosTicketEncryption": {"RC4-HMAC", "AES-256"},
        "channelEncryption": {"AES-128-CCM", "AES-128-GCM", "AES-256-GCM"}}


def _known(value: Any) -> bool:
    return value is not None and value != UNKNOWN


def refuse(type_token: str, inputs: Mapping[str, Any], world: World) -> None:
    """Raise :class:`AzureRefusal` for what Azure or the provider rejects (known values only)."""
    for key, value in (inputs.get("tags") or {}).items():
        if _known(value) and len(str(value)) > 256:
            raise AzureRefusal(f"tag {key}: values are at most 256 characters (got {len(str(value))})")
    check = _REFUSALS.get(type_token)
    if check:
        check(inputs, world)


def _storage_account(inputs, _world):
    name = inputs.get("accountName")
    if _known(name) and not _ACCOUNT.match(name):
        raise AzureRefusal(f"AccountNameInvalid: {name!r} is not 3-24 lowercase letters and digits")
    for rule in (inputs.get("networkRuleSet") or {}).get("ipRules") or []:
        value = rule.get("iPAddressOrRange")
        if not _known(value):
            continue
        net = ipaddress.ip_network(value, strict=False)
        if net.version != 4 or ("/" in value and net.prefixlen in (31, 32)):
            raise AzureRefusal(f"NetworkAclsValidationFailure: {value} (IPv4 only; /31 and /32 are not accepted)")
        if any(net.overlaps(p) for p in _PRIVATE):
            raise AzureRefusal(f"NetworkAclsValidationFailure: {value} is a private range")


def _file_service(inputs, _world):
    smb = ((inputs.get("protocolSettings") or {}).get("smb")) or {}
    for key, allowed in _SMB.items():
        value = smb.get(key)
        if _known(value):
            bad = [v for v in value.split(";") if v not in allowed]
            if bad or not value:
                raise AzureRefusal(f"InvalidSmbSetting: {key} {value!r} (allowed: {', '.join(sorted(allowed))})")
    days = (inputs.get("shareDeleteRetentionPolicy") or {}).get("days")
    if _known(days) and not 1 <= days <= 365:
        raise AzureRefusal(f"shareDeleteRetentionPolicy.days {days} is outside 1-365")


def _file_share(inputs, world):
    name, quota = inputs.get("shareName"), inputs.get("shareQuota")
    if _known(name) and not _SHARE.match(name):
        raise AzureRefusal(f"InvalidShareName: {name!r}")
    if _known(quota) and not 1 <= quota <= 102400:
        raise AzureRefusal(f"shareQuota {quota} is outside 1-102400 GiB")
    account = inputs.get("accountName")
    if _known(account) and _known(name):
        world.shares.setdefault(account, set()).add(name)


def _protection_policy(inputs, _world):
    props = inputs.get("properties") or {}
    vaulted = props.get("vaultRetentionPolicy")
    if vaulted:
        days = vaulted.get("snapshotRetentionInDays")
        if _known(days) and not 1 <= days <= 30:
            raise AzureRefusal(f"snapshotRetentionInDays {days}: the vault tier keeps snapshots 1-30 days")
        count = _daily_count(vaulted.get("vaultRetention"))
        if _known(count) and not 1 <= count <= 9999:
            raise AzureRefusal(f"daily retention {count}: the vault tier keeps daily points 1-9999 days")
    else:
        count = _daily_count(props.get("retentionPolicy"))
        if _known(count) and not 1 <= count <= 200:
            raise AzureRefusal(f"daily retention {count}: the snapshot tier keeps daily points 1-200 days")


def _daily_count(retention: Any) -> Any:
    return (((retention or {}).get("dailySchedule") or {}).get("retentionDuration") or {}).get("count")


def _protection_container(inputs, world):
    props = inputs.get("properties") or {}
    source, name = props.get("sourceResourceId"), inputs.get("containerName")
    if not (_known(source) and _known(name)):
        return
    expected = discovered_container(source)
    if name != expected:
        raise AzureRefusal(f"BMSUserErrorContainerNotFound: container {name!r} is not what discovery returns "
                           f"for {source.rsplit('/', 1)[-1]} (take the name from the discovery response)")
    if props.get("backupManagementType") != "AzureStorage" or props.get("containerType") != "StorageContainer":
        raise AzureRefusal("a storage account container needs backupManagementType AzureStorage and "
                           "containerType StorageContainer")
    world.containers[name] = source


def _protected_item(inputs, world):
    props = inputs.get("properties") or {}
    container, item = inputs.get("containerName"), inputs.get("protectedItemName")
    if not (_known(container) and _known(item)):
        return
    if container not in world.containers:
        raise AzureRefusal(f"BMSUserErrorContainerNotFound: {container!r} is not registered in the vault")
    account = world.containers[container].rsplit("/", 1)[-1]
    if item not in world.shares.get(account, set()):
        # pulumi-azure-native#1420: with no matching protectable item the provider keeps the name, Azure
        # creates the item under its system name and the read afterwards fails with 404.
        raise AzureRefusal(f"BMSUserErrorDataSourceObjectNotFound: no protectable file share {item!r} in "
                           f"{account} (protectedItemName must be the share's name; the provider looks up "
                           "its system name)")
    if props.get("protectedItemType") != "AzureFileShareProtectedItem":
        raise AzureRefusal("protectedItemType must be AzureFileShareProtectedItem for a file share")


def _vault(inputs, _world):
    redundancy = ((inputs.get("properties") or {}).get("redundancySettings")) or {}
    storage, crr = redundancy.get("standardTierStorageRedundancy"), redundancy.get("crossRegionRestore")
    if storage == "LocallyRedundant" and crr == "Enabled":
        raise AzureRefusal("cross-region restore needs geo-redundant vault storage")


def _role_assignment(inputs, _world):
    role, kind = inputs.get("roleDefinitionId"), inputs.get("principalType")
    if _known(role) and not _GUID.match(role.rsplit("/", 1)[-1]):
        raise AzureRefusal(f"RoleDefinitionDoesNotExist: {role}")
    if _known(kind) and kind not in ("User", "Group", "ServicePrincipal", "ForeignGroup", "Device"):
        raise AzureRefusal(f"principalType {kind!r} is not valid")


def _named_location(inputs, _world):
    for cidr in ((inputs.get("ip") or {}).get("ipRanges") or []):
        if _known(cidr) and ("/" not in cidr or ipaddress.ip_network(cidr, strict=False).prefixlen < 8):
            raise AzureRefusal(f"named location range {cidr!r}: CIDR prefixes of /8 or longer only")


def _conditional_access(inputs, _world):
    state = inputs.get("state")
    if _known(state) and state not in ("enabled", "disabled", "enabledForReportingButNotEnforced"):
        raise AzureRefusal(f"conditional access state {state!r} is not valid")


_REFUSALS = {
    "azure-native:storage:StorageAccount": _storage_account,
    "azure-native:storage:FileServiceProperties": _file_service,
    "azure-native:storage:FileShare": _file_share,
    "azure-native:recoveryservices:ProtectionPolicy": _protection_policy,
    "azure-native:recoveryservices:ProtectionContainer": _protection_container,
    "azure-native:recoveryservices:ProtectedItem": _protected_item,
    "azure-native:recoveryservices:Vault": _vault,
    "azure-native:authorization:RoleAssignment": _role_assignment,
    "azuread:index/namedLocation:NamedLocation": _named_location,
    "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy": _conditional_access,
}


# ------------------------------------------------------------------------------------------------
# the provider's answer to a registration
# ------------------------------------------------------------------------------------------------


class World:
    """What Azure knows across registrations of one stack (shares per account, registered containers)."""

    def __init__(self) -> None:
        self.shares: dict[str, set[str]] = {}
        self.containers: dict[str, str] = {}


def respond(type_token: str, logical_name: str, inputs: dict[str, Any], preview: bool,
            world: World) -> tuple[str, dict[str, Any]]:
    """``(id, outputs)`` as the provider returns them for a create (preview or real)."""
    refuse(type_token, inputs, world)
    declared = output_types(type_token)
    outputs: dict[str, Any] = {}
    for name, typ in declared.items():
        if name in inputs:
            outputs[name] = _project(inputs[name], typ, preview)
        elif preview:
            outputs[name] = UNKNOWN
    if preview:
        return "", outputs
    computed = _computed(type_token, logical_name, inputs)
    outputs.update({k: v for k, v in computed.items() if k in declared or k == "id"})
    return computed["id"], outputs


def _computed(type_token: str, logical_name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    if type_token.startswith("azuread:"):
        object_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"azuread/{type_token}/{logical_name}"))
        return {"id": object_id, "objectId": object_id}
    spec = SPECS.get(type_token)
    if spec is None:
        raise AzureRefusal(f"the Azure double does not model {type_token}; add it to azure_model.SPECS")
    name = inputs.get(spec.name_input) if spec.name_input else None
    if type_token == "azure-native:recoveryservices:ProtectedItem":
        account = inputs["properties"]["sourceResourceId"].rsplit("/", 1)[-1]
        name = system_name(account, inputs["protectedItemName"])
    if not name:  # azure-native auto-names: logical name plus a random suffix (deterministic here)
        name = logical_name + hashlib.sha256(logical_name.encode()).hexdigest()[:8]
    values = _Missing({"sub": SUBSCRIPTION, **{k: v for k, v in inputs.items() if isinstance(v, str)}})
    values["name"] = name
    if spec.name_input and type_token != "azure-native:recoveryservices:ProtectedItem":
        values[spec.name_input] = name
    resource_id = spec.id_template.format_map(values)
    computed: dict[str, Any] = {"id": resource_id, "name": name, "type": spec.arm_type,
                                "provisioningState": "Succeeded"}
    if "location" in inputs:
        computed["location"] = str(inputs["location"]).replace(" ", "").lower()
    return computed
