"""How much a failing check matters: one table of impacts keyed by check id (InSpec's ``impact``).

InSpec gives every control an impact between 0.0 and 1.0 and names the bands none / low / medium /
high / critical (https://docs.chef.io/inspec/profiles/controls/). Here each check id gets a band; the
report's headline, its site table and its sort weigh failures by it, so an unanswered survey does not
weigh like a PC on an unsupported Office.

Keys are check ids; a key ending in ``.*`` covers a family whose ids carry a name (a share, an address,
a manual step). The most specific key wins. ``testinfra.<id>`` (a verification of ``<id>`` on the PC)
weighs like ``<id>``. An id in no row raises ``UnknownCheck``: a new check needs a row here.
"""

from __future__ import annotations

from typing import Literal

Impact = Literal["critical", "high", "medium", "low"]
IMPACTS: tuple[str, ...] = ("critical", "high", "medium", "low")
# InSpec's numeric value at the band's floor, for JSON readers that sort by a number.
SCORE = {"critical": 0.9, "high": 0.7, "medium": 0.4, "low": 0.1}
# How much one failing check weighs in the report's severity-weighted figures.
WEIGHT = {"critical": 10, "high": 5, "medium": 2, "low": 1}

TABLE: dict[str, Impact] = {
    # --- cloud: the site's Pulumi stack (policy ids from cutover.policy_catalog) -----------------
    "cloud.stack": "critical",  # no plan or stack export: nothing about the cloud side is known
    "cloud.backup": "critical",
    "cloud.manual.*": "high",
    "cloud.storage-https-only": "high",
    "cloud.storage-min-tls-1-2": "high",
    "cloud.storage-no-public-blob": "critical",
    "cloud.storage-shared-key-disabled": "high",
    "cloud.storage-infrastructure-encryption": "medium",
    "cloud.storage-no-cross-tenant-replication": "medium",
    "cloud.storage-network-default-deny": "critical",
    "cloud.storage-ip-rules-public-only": "critical",
    "cloud.storage-trusted-services-bypass": "medium",
    "cloud.files-smb-3-1-1-only": "high",
    "cloud.files-kerberos-aes256": "high",
    "cloud.files-channel-aes256-gcm": "medium",
    "cloud.files-ntlmv2-disabled": "medium",
    "cloud.files-share-soft-delete": "high",
    "cloud.files-identity-entra-kerberos": "critical",
    "cloud.rbac-groups-only": "medium",
    "cloud.storage-delete-lock": "high",
    "cloud.storage-diagnostics": "medium",
    "cloud.files-backup-every-share": "critical",
    "cloud.storage-defender": "medium",
    "cloud.storage-required-tags": "low",
    "cloud.storage-protected": "high",
    "cloud.waivers-unexpired": "medium",
    "cloud.storage-public-endpoint-for-offices": "critical",
    "cloud.storage-egress-range-bounded": "medium",
    "cloud.storage-migration-source-expired": "medium",
    "cloud.files-default-share-permission": "high",
    "cloud.rbac-share-scope-only": "high",
    "cloud.identity-mfa-policy": "high",
    "cloud.identity-legacy-auth-blocked": "high",
    "cloud.backup-retention-bounds": "medium",
    "cloud.backup-vault-protected": "critical",
    "cloud.key-vault-protected": "high",
    "cloud.endpoint-readiness": "high",
    # --- the inventory: waivers and the mail survey ----------------------------------------------
    "inventory.waivers": "low",
    "inventory.waiver.*": "medium",  # an expired waiver: the exception it allowed is back to a failure
    "inventory.confirmation.*": "medium",  # site.yml confirms a manual step the stack does not have
    "mail.survey.answered": "medium",
    "mail.survey.pcs_known": "medium",
    # --- reaching the PCs and reading their evidence ---------------------------------------------
    "endpoint.evidence": "critical",  # no Ansible result for any PC of the site
    "endpoint.reachable": "high",
    "endpoint.probe": "high",
    "endpoint.task_failed": "high",
    "endpoint.runner_artifacts": "high",  # runner artefacts that could not be read: nothing from them is believed
    "ngav.collected": "high",
    "office.collected": "high",
    "mail.collected": "medium",
    "fileshare.collected": "high",
    "migration.collected": "high",
    "migration.server_reachable": "critical",  # the data-center file server was not reached: no copy evidence
    "testinfra.junit": "high",
    # --- antivirus -------------------------------------------------------------------------------
    "ngav.discovered": "high",
    "ngav.old_av_absent": "high",
    "ngav.old_scan_task_absent": "low",
    "ngav.defender_realtime": "critical",
    "ngav.installed_healthy": "critical",
    "ngav.installed": "critical",
    "ngav.services_running": "critical",
    "ngav.security_center_on": "critical",
    "ngav.defender_on": "critical",
    "ngav.first_scan_task": "low",
    "ngav.first_scan_scheduled": "low",
    # --- Office ----------------------------------------------------------------------------------
    "office.support": "critical",  # past end of support: the PC may no longer join the union network
    "office.supported": "critical",
    "office.deploy": "high",
    "office.visio": "low",
    "office.project": "low",
    # --- mail clients ------------------------------------------------------------------------------
    "mail.outlook.*": "medium",
    "mail.thunderbird.*": "medium",
    "mail.outlook_leave_on_server": "medium",
    "mail.thunderbird_leave_on_server": "medium",
    # removing mail from a shared address loses it for everyone
    "mail.shared_addresses_untouched": "high",
    "mail.hive_unloaded": "high",
    # --- the cloud file share from the PC --------------------------------------------------------
    "fileshare.readiness": "high",
    "fileshare.tcp445": "critical",
    "fileshare.os_supported": "high",
    "fileshare.entra_joined": "high",
    "fileshare.ticket_retrieval": "high",
    "fileshare.services": "medium",
    "fileshare.smb_cipher": "critical",  # an AES-256-GCM-only share this PC cannot negotiate: no share at all
    "fileshare.mapping_installed": "medium",
    "fileshare.drive_mapping_task": "medium",
    # --- data migration --------------------------------------------------------------------------
    "migration.scan": "medium",
    "migration.scan_pass": "medium",
    "migration.seed_pass": "medium",
    "migration.delta_pass": "medium",
    "migration.final_pass": "critical",
    "migration.scan_dry_run": "low",
    "migration.seed_dry_run": "low",
    "migration.delta_dry_run": "low",
    "migration.final_dry_run": "low",
    "migration.verify": "critical",
    "migration.rollback": "medium",
    "migration.target_matches_source": "critical",
}


class UnknownCheck(KeyError):
    """A check id with no row in the impact table."""


def impact_of(check_id: str) -> Impact:
    if check_id in TABLE:
        return TABLE[check_id]
    # a family ("mail.outlook.*") covers its own id ("mail.outlook", the address in the check's item) and below
    families = [key for key in TABLE if key.endswith(".*") and (check_id == key[:-2] or check_id.startswith(key[:-1]))]
    if families:
        return TABLE[max(families, key=len)]
    if check_id.startswith("testinfra."):
        return impact_of(check_id.removeprefix("testinfra."))
    raise UnknownCheck(f"check {check_id!r} has no impact: add it to cutover.impact.TABLE")
