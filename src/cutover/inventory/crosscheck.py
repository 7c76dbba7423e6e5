"""Rules that span records: references inside a site, uniqueness and overlaps across sites."""

from __future__ import annotations

import ipaddress
from typing import Any

from cutover import policy_catalog
from cutover.inventory.errors import Problem
from cutover.inventory.model import DOCUMENTATION_RANGES, Organisation, Site
from cutover.inventory.yamlsource import line_for

Lines = dict[Any, int]


def check_site(site: Site, org: Organisation, lines: Lines) -> list[Problem]:
    rel = f"{site.folder}/site.yml"
    cfg = site.config
    problems: list[Problem] = []

    def at(*path: Any) -> int | None:
        return line_for(lines, path)

    if org.wave(cfg.wave) is None:
        problems.append(Problem(rel, at("wave"), "wave",
                                f"wave {cfg.wave} is not declared in organisation.yml "
                                f"(declared: {', '.join(str(w.number) for w in org.waves)})"))

    group_names = [g.name for g in cfg.groups]
    for index, name in enumerate(group_names):
        if group_names.index(name) != index:
            problems.append(Problem(rel, at("groups", index, "name"), f"groups[{index}].name",
                                    f"group {name!r} is declared twice"))
    known_groups = set(group_names)

    for oi, office in enumerate(cfg.offices):
        for ei, egress in enumerate(office.egress):
            net = ipaddress.ip_network(egress)
            if not org.sample and any(net.overlaps(doc) for doc in DOCUMENTATION_RANGES):
                problems.append(Problem(rel, at("offices", oi, "egress", ei), f"offices[{oi}].egress[{ei}]",
                                        f"{egress} is a documentation range (RFC 5737), not a real egress address; "
                                        "only a sample organisation (sample: true) may use it"))

    share_names = [s.name for s in cfg.file_shares]
    for si, share in enumerate(cfg.file_shares):
        if share_names.index(share.name) != si:
            problems.append(Problem(rel, at("file_shares", si, "name"), f"file_shares[{si}].name",
                                    f"share {share.name!r} is declared twice"))
        for fi, folder in enumerate(share.folders):
            for group in folder.permissions:
                if group not in known_groups:
                    problems.append(Problem(
                        rel, at("file_shares", si, "folders", fi, "permissions", group),
                        f"file_shares[{si}].folders[{fi}].permissions.{group}",
                        f"unknown group {group!r}; expected one of the site's groups: {', '.join(group_names)}"))

    shares = {s.name: s for s in cfg.file_shares}
    letters: dict[tuple[str, str], int] = {}
    for mi, mapping in enumerate(cfg.drive_mappings):
        base = f"drive_mappings[{mi}]"
        if mapping.group not in known_groups:
            problems.append(Problem(rel, at("drive_mappings", mi, "group"), f"{base}.group",
                                    f"unknown group {mapping.group!r}; expected one of: {', '.join(group_names)}"))
        share = shares.get(mapping.share)
        if share is None:
            problems.append(Problem(rel, at("drive_mappings", mi, "share"), f"{base}.share",
                                    f"unknown share {mapping.share!r}; expected one of: {', '.join(share_names)}"))
        elif mapping.folder and mapping.folder not in {f.name for f in share.folders}:
            problems.append(Problem(rel, at("drive_mappings", mi, "folder"), f"{base}.folder",
                                    f"folder {mapping.folder!r} is not a top-level folder of share {share.name!r}"))
        key = (mapping.group, mapping.letter)
        if key in letters:
            problems.append(Problem(rel, at("drive_mappings", mi, "letter"), f"{base}.letter",
                                    f"drive {mapping.letter}: is already mapped for group {mapping.group!r} "
                                    f"(drive_mappings[{letters[key]}])"))
        letters.setdefault(key, mi)

    hostnames = {e.hostname for e in site.endpoints}
    for wi, waiver in enumerate(cfg.waivers):
        info = policy_catalog.BY_ID[waiver.policy]
        if info.scope == "share" and waiver.scope not in shares:
            problems.append(Problem(rel, at("waivers", wi, "scope"), f"waivers[{wi}].scope",
                                    f"{waiver.scope!r} is not a share of this site; expected one of: "
                                    f"{', '.join(share_names)}"))
        if info.scope == "endpoint" and (waiver.scope or "").upper() not in hostnames:
            problems.append(Problem(rel, at("waivers", wi, "scope"), f"waivers[{wi}].scope",
                                    f"{waiver.scope!r} is not a PC listed in {site.folder}/endpoints.csv"))

    for address in site.mail:
        row = lines.get(("mail.csv", address.address))
        for host in address.endpoints:
            if host not in hostnames:
                problems.append(Problem(f"{site.folder}/mail.csv", row, "endpoints",
                                        f"{host} is not a PC of this site (not in {site.folder}/endpoints.csv)"))
        if address.client == "garoon" and address.endpoints:
            problems.append(Problem(f"{site.folder}/mail.csv", row, "endpoints",
                                    "a Garoon-only address has no mailer on a PC: leave endpoints empty"))
    return problems


def check_organisation(sites: dict[str, Site], lines_by_site: dict[str, Lines]) -> list[Problem]:
    """Uniqueness of hostnames and addresses, and no egress shared between sites."""
    problems: list[Problem] = []
    hosts: dict[str, str] = {}
    addresses: dict[str, str] = {}
    for site_id, site in sites.items():
        lines = lines_by_site[site_id]
        for endpoint in site.endpoints:
            first = hosts.get(endpoint.hostname)
            if first is not None:
                problems.append(Problem(f"{site.folder}/endpoints.csv", lines.get(("endpoints.csv", endpoint.hostname)),
                                        "hostname", f"{endpoint.hostname} is already used in {first}/endpoints.csv; "
                                        "computer names must be unique across the organisation"))
            else:
                hosts[endpoint.hostname] = site.folder
        for address in site.mail:
            first = addresses.get(address.address)
            if first is not None:
                problems.append(Problem(f"{site.folder}/mail.csv", lines.get(("mail.csv", address.address)),
                                        "address", f"{address.address} is already listed in {first}/mail.csv; "
                                        "each address belongs to one site, once"))
            else:
                addresses[address.address] = site.folder

    # Egress ranges: sort by start address and compare neighbours — O(n log n) for any size.
    spans = []
    for site_id, site in sites.items():
        for oi, office in enumerate(site.config.offices):
            for ei, egress in enumerate(office.egress):
                net = ipaddress.ip_network(egress)
                spans.append((int(net.network_address), int(net.broadcast_address), site_id, oi, ei, egress))
    spans.sort()
    reach = None
    for span in spans:
        if reach is not None and span[0] <= reach[1]:
            site_id, oi, ei, egress = span[2:]
            other = sites[reach[2]]
            site = sites[site_id]
            where = "another office of the same site" if reach[2] == site_id else f"site {other.folder}"
            line = lines_by_site[site_id].get(("offices", oi, "egress", ei))
            problems.append(Problem(f"{site.folder}/site.yml", line, f"offices[{oi}].egress[{ei}]",
                                    f"{egress} overlaps {reach[5]} of {where}; each office egress must be distinct"))
        if reach is None or span[1] > reach[1]:
            reach = span
    return problems
