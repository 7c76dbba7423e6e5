"""Molecule azure-lab: Windows 11 Pro VMs reachable over PSRP/HTTPS from the operator's address only.

Stack config (create.yml sets all of it; secrets through stdin, never on a command line):
  location, count, dnsPrefix, allowedSource (operator IP/32)
  adminPassword (secret), listenerPfx (secret, base64 PKCS#12), listenerPfxPassword (secret)
Each VM gets a public IP with the DNS label <dnsPrefix>-<nn>; a Custom Script Extension (protected settings,
so the key stays encrypted until it reaches the VM) imports the listener certificate made by
certificates.py for exactly those names and creates the WinRM HTTPS listener on 5986. A storage account
with a file share gives the fileshare_client role a real *.file.core.windows.net endpoint to test TCP 445
against, and the file_migration role a target (scan pass only; no data is copied).

Exports, read by create.yml and molecule.yml: vms [{name, address, port}], storage_host, file_share.
"""

import sys
from pathlib import Path

import pulumi
from pulumi_azure_native import compute, network, resources, storage

sys.path.insert(0, str(Path(__file__).resolve().parent))
import labnames

config = pulumi.Config()
location = config.get("location") or "japaneast"
count = config.get_int("count") or 2
prefix = config.require("dnsPrefix")
allowed = config.require("allowedSource")
password = config.require_secret("adminPassword")
pfx = config.require_secret("listenerPfx")
pfx_password = config.require_secret("listenerPfxPassword")
VM_SIZE = "Standard_D2s_v5"  # 2 vCPU, 8 GiB: enough for Microsoft 365 Apps and the roles (docs/twin.md: cost)

group = resources.ResourceGroup("lab", location=location, tags={"purpose": "cutover-molecule-lab"})
vnet = network.VirtualNetwork("lab", resource_group_name=group.name, location=location,
                              address_space=network.AddressSpaceArgs(address_prefixes=["10.90.0.0/24"]))
subnet = network.Subnet("lab", resource_group_name=group.name, virtual_network_name=vnet.name,
                        address_prefix="10.90.0.0/25")
nsg = network.NetworkSecurityGroup(
    "lab", resource_group_name=group.name, location=location,
    security_rules=[network.SecurityRuleArgs(
        name="psrp-https-from-operator", priority=100, direction="Inbound", access="Allow", protocol="Tcp",
        source_address_prefix=allowed, source_port_range="*", destination_address_prefix="*",
        destination_port_range=str(labnames.PORT))])

# Runs once on each VM as SYSTEM. The PFX and its password arrive in the protected settings.
LISTENER = (
    "$ErrorActionPreference = 'Stop'; "
    "Enable-PSRemoting -SkipNetworkProfileCheck -Force; "
    "$file = Join-Path $env:TEMP 'listener.pfx'; "
    "[IO.File]::WriteAllBytes($file, [Convert]::FromBase64String('{pfx}')); "
    "$secret = ConvertTo-SecureString -String '{password}' -AsPlainText -Force; "
    "$cert = Import-PfxCertificate -FilePath $file -CertStoreLocation Cert:\\LocalMachine\\My -Password $secret; "
    "Remove-Item -LiteralPath $file; "
    "New-Item -Path WSMan:\\localhost\\Listener -Transport HTTPS -Address * "
    "-CertificateThumbPrint $cert.Thumbprint -Force; "
    "New-NetFirewallRule -DisplayName 'WinRM HTTPS (cutover lab)' -Direction Inbound -LocalPort {port} "
    "-Protocol TCP -Action Allow; "
    "Set-Item -Path WSMan:\\localhost\\Service\\Auth\\Basic -Value $false; "
    "Set-Item -Path WSMan:\\localhost\\Service\\AllowUnencrypted -Value $false"
)


def listener_command(args: list[str]) -> str:
    script = LISTENER.replace("{pfx}", args[0]).replace("{password}", args[1]).replace("{port}", str(labnames.PORT))
    return f'powershell.exe -NoProfile -ExecutionPolicy Bypass -Command "{script}"'


def same_name(dns, expected: str) -> str:
    """The address Ansible uses is the name the certificate carries; refuse to go on if Azure named it otherwise."""
    actual = (dns.fqdn if dns is not None else None) or expected
    if actual.lower() != expected.lower():
        raise ValueError(f"Azure named the address {actual}, the listener certificate names {expected}")
    return expected


vms = []
for n in range(1, count + 1):
    name = labnames.vm_name(n)
    expected = labnames.fqdn(prefix, location, n)
    ip = network.PublicIPAddress(name, resource_group_name=group.name, location=location,
                                 public_ip_allocation_method="Static",
                                 sku=network.PublicIPAddressSkuArgs(name="Standard"),
                                 dns_settings=network.PublicIPAddressDnsSettingsArgs(
                                     domain_name_label=labnames.dns_label(prefix, n)))
    nic = network.NetworkInterface(name, resource_group_name=group.name, location=location,
                                   network_security_group=network.NetworkSecurityGroupArgs(id=nsg.id),
                                   ip_configurations=[network.NetworkInterfaceIPConfigurationArgs(
                                       name="ipconfig", subnet=network.SubnetArgs(id=subnet.id),
                                       public_ip_address=network.PublicIPAddressArgs(id=ip.id))])
    vm = compute.VirtualMachine(
        name, resource_group_name=group.name, location=location,
        hardware_profile=compute.HardwareProfileArgs(vm_size=VM_SIZE),
        os_profile=compute.OSProfileArgs(computer_name=name, admin_username=labnames.ADMIN_USER,
                                         admin_password=password),
        storage_profile=compute.StorageProfileArgs(
            image_reference=compute.ImageReferenceArgs(
                publisher="MicrosoftWindowsDesktop", offer="windows-11", sku="win11-24h2-pro", version="latest"),
            # Deleted with the VM, so a destroyed lab leaves no disk behind to pay for.
            os_disk=compute.OSDiskArgs(create_option="FromImage", delete_option="Delete",
                                       managed_disk=compute.ManagedDiskParametersArgs(
                                           storage_account_type="StandardSSD_LRS"))),
        security_profile=compute.SecurityProfileArgs(
            security_type="TrustedLaunch",
            uefi_settings=compute.UefiSettingsArgs(secure_boot_enabled=True, v_tpm_enabled=True)),
        network_profile=compute.NetworkProfileArgs(
            network_interfaces=[compute.NetworkInterfaceReferenceArgs(id=nic.id)]),
        license_type="Windows_Client",  # Windows 11 on Azure needs eligible licences (multitenant hosting rights)
    )
    compute.VirtualMachineExtension(
        f"{name}-winrm", resource_group_name=group.name, vm_name=vm.name, location=location,
        publisher="Microsoft.Compute", type="CustomScriptExtension", type_handler_version="1.10",
        protected_settings={"commandToExecute": pulumi.Output.all(pfx, pfx_password).apply(listener_command)})
    address = ip.dns_settings.apply(lambda dns, expected=expected: same_name(dns, expected))
    vms.append({"name": name, "address": address, "port": labnames.PORT})

account = storage.StorageAccount(
    "lab", resource_group_name=group.name, location=location, kind="StorageV2",
    sku=storage.SkuArgs(name="Standard_LRS"), minimum_tls_version="TLS1_2", allow_blob_public_access=False,
    enable_https_traffic_only=True)
share = storage.FileShare("lab", resource_group_name=group.name, account_name=account.name, share_name="lab",
                          share_quota=5)

pulumi.export("vms", vms)
pulumi.export("storage_host", account.name.apply(lambda a: f"{a}.file.core.windows.net"))
pulumi.export("file_share", share.name)
