"""Ansible inventory plugin exposing the cutover inventory (sites, waves, roles and derived groups)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: cutover
short_description: The cutover inventory (inventories/) as an Ansible inventory
description:
  - Reads C(organisation.yml) and every site folder next to the plugin configuration file, validates
    them with the same schema as the C(cutover) CLI, and adds every PC with its inventory fields as
    host variables.
  - "Groups: C(windows) (all PCs), C(file_servers) (the data-center file servers named in
    the shares' C(legacy_unc), with C(cutover_migration_shares)), C(site_<id>) (for example
    C(site_pref_13_tokyo), C(site_hq)),
    C(wave_<n>), C(role_staff_pc), C(role_web_meeting_laptop), C(disk_hdd), C(disk_ssd),
    C(os_windows_10), C(os_windows_11), C(ram_8gb_or_less) and C(not_seen_recently)."
  - An invalid inventory fails with every problem listed (file, line or row, field).
options:
  plugin:
    description: Marks this file as a cutover inventory source.
    required: true
    choices: [cutover]
  inventory_dir:
    description: Inventory folder to read; defaults to the folder holding this configuration file.
    type: path
  dns_suffix:
    description: Appended to each hostname to build C(ansible_host) (for example C(.ad.union.example)).
    type: str
    default: ""
    env:
      # AWX passes an inventory source's source variables to the plugin as environment variables.
      - name: CUTOVER_DNS_SUFFIX
  sites:
    description:
      - Only these sites' PCs, groups and shares (site ids such as C(pref-18-fukui)); empty for all.
      - The whole inventory is still read and validated; a run over one wave need not hold the other
        waves' hosts (the controller forks a worker per task and host, and a smaller controller forks faster).
        C(cutover rehearse) sets it for each wave.
      - An unknown site id is an error.
    type: list
    elements: str
    default: []
    env:
      - name: CUTOVER_INVENTORY_SITES
  as_of:
    description:
      - Judge dates on this day (YYYY-MM-DD; empty for today) - the C(not_seen_recently) group and each
        site's SMB channel ciphers (AES-256-GCM only after the Windows 10 deadline), as C(cutover plan --as-of)
        and the stacks do. C(cutover rehearse --as-of) sets it for its runs.
    type: str
    default: ""
    env:
      - name: CUTOVER_AS_OF
  stale_days:
    description: A PC not seen for more days than this joins C(not_seen_recently).
    type: int
    default: 60
    env:
      - name: CUTOVER_STALE_DAYS
"""

EXAMPLES = r"""
# inventories/cutover.yml
plugin: cutover
dns_suffix: .ad.union.example
"""

import datetime as dt
import os

from ansible.errors import AnsibleParserError

from ansible.plugins.inventory import BaseInventoryPlugin

try:
    from cutover.inventory import InventoryError, load_inventory
    from cutover.inventory.ansible_view import (
        file_server_vars,
        host_groups,
        host_vars,
        site_group,
        site_vars,
    )
except ImportError as exc:  # pragma: no cover - only without the project installed
    _IMPORT_ERROR: Exception | None = exc
else:
    _IMPORT_ERROR = None


class InventoryModule(BaseInventoryPlugin):
    NAME = "cutover"

    def verify_file(self, path):
        return super().verify_file(path) and os.path.basename(path) in ("cutover.yml", "cutover.yaml")

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        if _IMPORT_ERROR is not None:
            raise AnsibleParserError(f"the cutover package is not importable: {_IMPORT_ERROR}")
        self._read_config_data(path)
        root = self.get_option("inventory_dir") or os.path.dirname(os.path.abspath(path))
        try:
            data = load_inventory(root)
        except InventoryError as exc:
            raise AnsibleParserError(exc.render()) from None
        chosen = [s.strip() for s in self.get_option("sites") or [] if s.strip()]
        unknown = sorted(set(chosen) - set(data.sites))
        if unknown:
            raise AnsibleParserError(f"{path}: sites: unknown site id(s) {', '.join(unknown)} "
                                     f"(CUTOVER_INVENTORY_SITES or the sites option)")
        as_of = (self.get_option("as_of") or "").strip()
        try:
            today = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
        except ValueError:
            raise AnsibleParserError(f"{path}: as_of: {as_of!r} is not a date (YYYY-MM-DD; CUTOVER_AS_OF)") from None
        suffix = self.get_option("dns_suffix")
        stale_days = self.get_option("stale_days")
        self.inventory.add_group("windows")
        for site in data.sites.values():
            if chosen and site.id not in chosen:
                continue
            group = self.inventory.add_group(site_group(site.id))
            for key, value in site_vars(site, data, today).items():
                self.inventory.set_variable(group, key, value)
            for endpoint in site.endpoints:
                host = self.inventory.add_host(endpoint.hostname, group="windows")
                self.inventory.add_child(group, host)
                for extra in host_groups(site, endpoint, today, stale_days):
                    self.inventory.add_group(extra)
                    self.inventory.add_child(extra, host)
                for key, value in host_vars(site, endpoint).items():
                    self.inventory.set_variable(host, key, value)
                if suffix:
                    self.inventory.set_variable(host, "ansible_host", endpoint.hostname.lower() + suffix)
        self.inventory.add_group("file_servers")
        for server, shares in file_server_vars(data, chosen or None).items():
            host = self.inventory.add_host(server, group="file_servers")
            self.inventory.set_variable(host, "cutover_migration_shares", shares)
            if suffix:
                self.inventory.set_variable(host, "ansible_host", server.lower() + suffix)
