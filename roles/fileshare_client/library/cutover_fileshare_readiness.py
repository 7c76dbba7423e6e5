# Documentation for the PowerShell module cutover_fileshare_readiness.ps1 (ansible-doc reads this file).

DOCUMENTATION = r"""
module: cutover_fileshare_readiness
short_description: Is this PC ready for the site's Azure file share (one call, optionally sets Kerberos)
description:
  - Tests TCP I(port) (445) to I(storage_host) with a plain socket and a bounded timeout (ISPs often
    block outbound 445).
  - Reports Windows caption, build, UBR and EditionID; Entra join state from C(dsregcmd /status).
  - Reads C(HKLM\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters\CloudKerberosTicketRetrievalEnabled)
    and, with I(ensure_ticket_retrieval), sets it to 1 in the same call (a policy refresh or reboot
    is needed before it takes effect).
  - Reports the state of the services Entra Kerberos for Azure Files needs.
  - Readiness is decided on the controller from this data, so the rules are tested in one place.
options:
  storage_host:
    description: The storage account's file endpoint, C(<account>.file.core.windows.net).
    type: str
    required: true
  port:
    description: TCP port to test.
    type: int
    default: 445
  timeout_ms:
    description: Connection timeout in milliseconds.
    type: int
    default: 3000
  ensure_ticket_retrieval:
    description: Set C(CloudKerberosTicketRetrievalEnabled) to 1 when it is not.
    type: bool
    default: false
  services:
    description: Services whose state to report.
    type: list
    elements: str
    default: [WinHttpAutoProxySvc, iphlpsvc, LanmanWorkstation]
author:
  - cutover project
"""

RETURN = r"""
tcp:
  description: host, port, reachable, error, elapsed_ms.
  returned: always
  type: dict
os:
  description: caption, build, ubr, edition_id.
  returned: always
  type: dict
entra_join:
  description: azure_ad_joined, domain_joined (null when dsregcmd gave no answer), error.
  returned: always
  type: dict
ticket_retrieval:
  description: before, after, changed.
  returned: always
  type: dict
services:
  description: Per service name, exists, state and start_mode.
  returned: always
  type: dict
"""
