"""A converged twin fleet (Fukui: HDD desktops, Outlook and Thunderbird POP users, shared addresses,
web-meeting laptops, the data-center file server) built and converged once per test session; each test
works on its own copy of the twin state."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cutover import verify
from cutover.runner import run_playbook
from cutover.twin import fleet
from cutover.twin import state as twin_state

SITE = "pref-18-fukui"
GROUP = "site_pref_18_fukui"
AS_OF = dt.date(2026, 11, 24)
C2R = "HKLM\\SOFTWARE\\MICROSOFT\\OFFICE\\CLICKTORUN\\CONFIGURATION"
MONTHLY_ENTERPRISE = "http://officecdn.microsoft.com/pr/55336b82-a18d-4dd6-b5f6-9e5095c314a6"
MIGRATION = (("seed", True), ("final", True))


def converge(twin: Path, out: Path, limit: str = GROUP, tags: str | None = None):
    return run_playbook("endpoints.yml", limit, out, twin_dir=twin / SITE, tags=tags)


def migrate(twin: Path, out: Path) -> None:
    for name, execute in MIGRATION:
        run_playbook("file-migration.yml", "file_servers", out, twin_dir=twin / SITE / "fileservers",
                     extravars={"file_migration_site": SITE, "file_migration_pass": name,
                                "file_migration_execute": execute}, name=f"migrate-{name}")


def microsoft_365_apps(state: dict) -> None:
    """The PC already runs Microsoft 365 Apps (replacing Office is a deployment the fleet does not stage)."""
    msi_office = ("Microsoft Office", "Microsoft Visio")
    for key in [k for k, v in state["registry"].items() if "\\UNINSTALL\\" in k
                and str((v.get("DisplayName") or {}).get("data", "")).startswith(msi_office)]:
        del state["registry"][key]
    for name, data in (("ProductReleaseIds", "O365BusinessRetail"), ("VersionToReport", "16.0.17928.20156"),
                       ("Platform", "x64"), ("CDNBaseUrl", MONTHLY_ENTERPRISE), ("UpdateChannel", MONTHLY_ENTERPRISE)):
        twin_state.reg_set(state, C2R, name, "REG_SZ", data)


def edit(twin: Path, host: str, change: Callable[[dict], None], server: bool = False) -> None:
    """Change one twin document the way a person or a program on that PC would."""
    directory = twin / SITE / ("fileservers" if server else "")
    state = twin_state.load(directory, host)
    change(state)
    twin_state.save(directory, state)


def states(twin: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((twin / SITE).glob("*.json"))}


@pytest.fixture(scope="session")
def converged(tmp_path_factory, sample_inventory) -> Path:
    """The site converged and migrated, nobody's Outlook running, Microsoft 365 Apps: every check must pass here."""
    root = tmp_path_factory.mktemp("verify-fleet")
    twin = root / "twin"
    site = sample_inventory.sites[SITE]
    fleet.build_site(sample_inventory, site, twin, AS_OF, reuse=False)
    fleet.build_file_server(sample_inventory, site, twin, reuse=False)
    fleet.console_uninstall_site(twin / SITE)  # runbook step before the converge, as in cutover rehearse
    for host in states(twin):
        edit(twin, host, lambda s: s.update(processes=[]))
        edit(twin, host, microsoft_365_apps)
    outcome = converge(twin, root / "run")
    assert outcome.failed == set() and outcome.unreachable == set(), outcome
    migrate(twin, root / "run")
    return twin


@pytest.fixture
def fleet_copy(converged, tmp_path) -> Path:
    twin = tmp_path / "twin"
    shutil.copytree(converged, twin)
    return twin


@pytest.fixture
def run_verify(sample_inventory, tmp_path):
    def run(twin: Path, **kwargs) -> verify.Verification:
        return verify.verify(sample_inventory, [sample_inventory.sites[SITE]], AS_OF, tmp_path / "verify",
                             twin=twin, **kwargs)
    return run
