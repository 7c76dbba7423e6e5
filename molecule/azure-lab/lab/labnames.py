"""Names of the lab machines, shared by the Pulumi program and the certificate script.

The PSRP listener certificate must name the address Ansible connects to, so both sides compute the
VMs' DNS names the same way: ``<prefix>-<nn>.<location>.cloudapp.azure.com``, the name Azure gives a public
IP address with the DNS label ``<prefix>-<nn>`` (https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses#dns-name-label).
"""

from __future__ import annotations

import re

ADMIN_USER = "labadmin"
PORT = 5986
_LABEL = re.compile(r"^[a-z][a-z0-9-]{1,56}[a-z0-9]$")


def vm_name(n: int) -> str:
    """The Windows computer name (at most 15 characters)."""
    return f"LAB-W11-{n:02d}"


def dns_label(prefix: str, n: int) -> str:
    label = f"{prefix}-{n:02d}"
    if not _LABEL.match(label):
        raise ValueError(f"DNS label {label!r}: lower-case letters, digits and '-', 3-60 characters, "
                         "starting with a letter (set a different dnsPrefix)")
    return label


def fqdn(prefix: str, location: str, n: int) -> str:
    return f"{dns_label(prefix, n)}.{location}.cloudapp.azure.com"
