"""``cutover inventory``: validate, list and show the source of truth."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated

import typer
from rich.table import Table

from cutover.cli.common import (
    FormatOpt,
    InventoryOpt,
    OutputFormat,
    cells,
    console,
    load,
    print_json,
    resolve_site,
    say,
)
from cutover.inventory import Inventory, Site

inventory_app = typer.Typer(help="Validate, list and show the inventory (the single source of truth).",
                            no_args_is_help=True)


def site_summary(site: Site, inventory: Inventory) -> dict:
    wave = inventory.organisation.wave(site.wave)
    return {
        "site": site.id,
        "code": site.code,
        "name_ja": site.config.name_ja,
        "name_en": site.config.name_en,
        "wave": site.wave,
        "wave_start": wave.start.isoformat() if wave else None,
        "identity_mode": site.config.identity_mode,
        "support_tier": site.config.support_tier,
        "offices": len(site.config.offices),
        "endpoints": len(site.endpoints),
        "addresses": len(site.mail),
        "shares": [s.name for s in site.config.file_shares],
    }


@inventory_app.command()
def validate(inventory: InventoryOpt = None) -> None:
    """Validate every file; print each problem with file, line/row and field (exit 2 if any)."""
    inv = load(inventory)
    hdd = sum(1 for s in inv.sites.values() for e in s.endpoints if e.disk_media == "hdd")
    console.print("[green]inventory valid[/] ", end="", highlight=False)
    say(f"({inv.root}, revision {inv.revision}): {len(inv.sites)} sites, "
        f"{inv.endpoint_count} PCs ({hdd} with HDD), {inv.address_count} mail addresses")


@inventory_app.command("list")
def list_sites(inventory: InventoryOpt = None, fmt: FormatOpt = OutputFormat.table) -> None:
    """One line per site: code, names, wave, PC and address counts."""
    inv = load(inventory)
    rows = [site_summary(s, inv) for s in inv.sites.values()]
    if fmt is OutputFormat.json:
        print_json(rows)
        return
    table = Table(title=cells(f"{inv.organisation.name_ja} — {len(rows)} sites")[0], show_lines=False)
    for column in ("site", "code", "name", "wave", "identity", "PCs", "addresses"):
        table.add_column(column, justify="right" if column in ("wave", "PCs", "addresses") else "left")
    for row in rows:
        table.add_row(*cells(row["site"], row["code"], f"{row['name_ja']} / {row['name_en']}", row["wave"],
                             row["identity_mode"], row["endpoints"], row["addresses"]))
    console.print(table)
    waves = Counter(r["wave"] for r in rows)
    say("waves: " + ", ".join(
        f"{n} ({inv.organisation.wave(n).name if inv.organisation.wave(n) else '?'}): {c} sites"
        for n, c in sorted(waves.items())))
    say(f"total: {inv.endpoint_count} PCs, {inv.address_count} addresses")


@inventory_app.command()
def show(
    site: Annotated[str, typer.Argument(help="hq, 13, pref-13-tokyo or 13-tokyo")],
    inventory: InventoryOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Everything the inventory says about one site."""
    inv = load(inventory)
    chosen = resolve_site(inv, site)
    if fmt is OutputFormat.json:
        print_json({
            **site_summary(chosen, inv),
            "config": chosen.config.model_dump(mode="json"),
            "endpoints": [e.model_dump(mode="json") for e in chosen.endpoints],
            "mail": [m.model_dump(mode="json") for m in chosen.mail],
        })
        return
    cfg = chosen.config
    summary = site_summary(chosen, inv)
    console.print(f"[bold]{chosen.id}[/] ", end="", highlight=False)
    say(f"{cfg.name_ja} / {cfg.name_en}")
    say(f"wave {cfg.wave} (starts {summary['wave_start']}), identity {cfg.identity_mode}, "
        f"support {cfg.support_tier}, cost centre {cfg.cost_centre}, groupware IDs {cfg.groupware_ids}")
    offices = Table(title="offices (egress)")
    offices.add_column("office")
    offices.add_column("egress")
    for office in cfg.offices:
        offices.add_row(*cells(office.name, ", ".join(office.egress)))
    console.print(offices)
    shares = Table(title="file shares")
    for column in ("share", "quota GiB", "folder", "permissions"):
        shares.add_column(column)
    for share in cfg.file_shares:
        for folder in share.folders:
            perms = ", ".join(f"{g}:{p}" for g, p in folder.permissions.items())
            flag = " (upload restricted)" if folder.restricted_upload else ""
            shares.add_row(*cells(share.name, share.quota_gib, folder.name + flag, perms))
    console.print(shares)
    today = dt.date.today()
    for waiver in cfg.waivers:
        state = "expired" if waiver.expires < today else f"until {waiver.expires}"
        scope = f" [{waiver.scope}]" if waiver.scope else ""
        say(f"waiver {waiver.policy}{scope}: {state} — {waiver.reason}")
    roles = Counter(e.role for e in chosen.endpoints)
    media = Counter(e.disk_media for e in chosen.endpoints)
    clients = Counter(m.client for m in chosen.mail)
    say(f"PCs: {len(chosen.endpoints)} ({dict(roles)}; disks {dict(media)})")
    say(f"mail: {len(chosen.mail)} addresses (clients {dict(clients)})")
