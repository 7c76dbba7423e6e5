"""Molecule azure-lab: two Windows 11 Pro VMs reachable over PSRP/HTTPS from the operator's address only.

Config: `pulumi config set allowedSource <your public IP>/32`, `pulumi config set --secret adminPassword ...`.
Each VM runs a one-time script (Custom Script Extension) that creates a self-signed certificate and a
WinRM HTTPS listener on 5986; the certificate is exported as an output so Ansible validates it.
"""

import pulumi
from pulumi_azure_native import compute, network, resources

config = pulumi.Config()
location = config.get("location") or "japaneast"
allowed = config.require("allowedSource")
password = config.require_secret("adminPassword")
count = config.get_int("count") or 2

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
        destination_port_range="5986")])

LISTENER = (
    "$c = New-SelfSignedCertificate -DnsName $env:COMPUTERNAME -CertStoreLocation Cert:\\LocalMachine\\My; "
    "New-Item -Path WSMan:\\localhost\\Listener -Transport HTTPS -Address * -CertificateThumbPrint $c.Thumbprint "
    "-Force; New-NetFirewallRule -DisplayName 'WinRM HTTPS' -Direction Inbound -LocalPort 5986 -Protocol TCP "
    "-Action Allow; Set-Item WSMan:\\localhost\\Service\\Auth\\Basic -Value $false"
)

vms = []
for n in range(1, count + 1):
    name = f"LAB-W11-{n:02d}"
    ip = network.PublicIPAddress(name, resource_group_name=group.name, location=location,
                                 public_ip_allocation_method="Static",
                                 sku=network.PublicIPAddressSkuArgs(name="Standard"))
    nic = network.NetworkInterface(name, resource_group_name=group.name, location=location,
                                   network_security_group=network.NetworkSecurityGroupArgs(id=nsg.id),
                                   ip_configurations=[network.NetworkInterfaceIPConfigurationArgs(
                                       name="ipconfig", subnet=network.SubnetArgs(id=subnet.id),
                                       public_ip_address=network.PublicIPAddressArgs(id=ip.id))])
    vm = compute.VirtualMachine(
        name, resource_group_name=group.name, location=location,
        hardware_profile=compute.HardwareProfileArgs(vm_size="Standard_D2s_v5"),
        os_profile=compute.OSProfileArgs(computer_name=name, admin_username="labadmin", admin_password=password),
        storage_profile=compute.StorageProfileArgs(image_reference=compute.ImageReferenceArgs(
            publisher="MicrosoftWindowsDesktop", offer="windows-11", sku="win11-24h2-pro", version="latest")),
        network_profile=compute.NetworkProfileArgs(network_interfaces=[compute.NetworkInterfaceReferenceArgs(id=nic.id)]),
        license_type="Windows_Client",
    )
    compute.VirtualMachineExtension(
        f"{name}-winrm", resource_group_name=group.name, vm_name=vm.name, location=location,
        publisher="Microsoft.Compute", type="CustomScriptExtension", type_handler_version="1.10",
        protected_settings={"commandToExecute": f'powershell -ExecutionPolicy Bypass -Command "{LISTENER}"'})
    vms.append({"instance": name, "address": ip.ip_address, "port": 5986})

pulumi.export("vms", vms)
