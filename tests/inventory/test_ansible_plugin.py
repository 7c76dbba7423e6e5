"""The same inventory through Ansible: groups by site, wave, role, and derived groups."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ANSIBLE_INVENTORY = Path(sys.executable).with_name("ansible-inventory")


def ansible_inventory(project_root: Path, source: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ANSIBLE_CONFIG": str(project_root / "ansible.cfg")}
    return subprocess.run([str(ANSIBLE_INVENTORY), "-i", str(source), *args], cwd=project_root, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def plain(value):
    """ansible-inventory --list marks strings from inventory plugins as {"__ansible_unsafe": ...}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@pytest.fixture(scope="module")
def listed(project_root) -> dict:
    result = ansible_inventory(project_root, project_root / "inventories", "--list")
    assert result.returncode == 0, result.stderr
    return plain(json.loads(result.stdout))


def test_every_pc_and_file_server_is_a_host(listed, sample_inventory):
    hosts = set(listed["_meta"]["hostvars"])
    expected = {e.hostname for s in sample_inventory.sites.values() for e in s.endpoints}
    assert hosts == expected | {"DC-FS01"}
    assert set(listed["windows"]["hosts"]) == expected
    assert listed["file_servers"]["hosts"] == ["DC-FS01"]
    shares = listed["_meta"]["hostvars"]["DC-FS01"]["cutover_migration_shares"]
    expected_shares = {(s.id, sh.name) for s in sample_inventory.sites.values() for sh in s.config.file_shares}
    assert {(m["site"], m["share"]) for m in shares} == expected_shares
    assert all(m["target"].endswith(f".file.core.windows.net\\{m['share']}") for m in shares)


def test_groups_by_site_wave_role_and_disk(listed, sample_inventory):
    fukui = sample_inventory.sites["pref-18-fukui"]
    assert set(listed["site_pref_18_fukui"]["hosts"]) == {e.hostname for e in fukui.endpoints}
    pilot = {e.hostname for s in sample_inventory.sites_in_wave(0) for e in s.endpoints}
    assert set(listed["wave_0"]["hosts"]) == pilot
    hdd = {e.hostname for s in sample_inventory.sites.values() for e in s.endpoints if e.disk_media == "hdd"}
    assert set(listed["disk_hdd"]["hosts"]) == hdd
    laptops = {e.hostname for s in sample_inventory.sites.values() for e in s.endpoints
               if e.role == "web_meeting_laptop"}
    assert set(listed["role_web_meeting_laptop"]["hosts"]) == laptops


def test_hostvars_come_from_the_csvs(listed, sample_inventory):
    fukui = sample_inventory.sites["pref-18-fukui"]
    endpoint = fukui.endpoints[0]
    hostvars = listed["_meta"]["hostvars"][endpoint.hostname]
    assert hostvars["cutover_site"] == "pref-18-fukui"
    assert hostvars["cutover_disk_media"] == endpoint.disk_media
    assert hostvars["cutover_ram_gib"] == endpoint.ram_gib
    assert hostvars["cutover_last_seen"] == endpoint.last_seen.isoformat()
    configured = {m.address for m in fukui.mail if endpoint.hostname in m.endpoints}
    assert {a["address"] for a in hostvars["cutover_mail_accounts"]} == configured


def test_graph_shows_site_groups(project_root):
    result = ansible_inventory(project_root, project_root / "inventories", "--graph")
    assert result.returncode == 0, result.stderr
    assert "@site_pref_13_tokyo:" in result.stdout
    assert "@wave_0:" in result.stdout
    assert "@disk_hdd:" in result.stdout
    assert "Unable to parse" not in result.stderr


def test_invalid_inventory_fails_with_the_problem(project_root, tmp_path):
    target = tmp_path / "inventories"
    shutil.copytree(project_root / "inventories", target)
    site_yml = target / "18-fukui" / "site.yml"
    site_yml.write_text(site_yml.read_text(encoding="utf-8").replace("wave: 0", "wave: 9"), encoding="utf-8")
    result = ansible_inventory(project_root, target, "--list")
    assert result.returncode != 0 or "Unable to parse" in result.stderr
    assert "18-fukui/site.yml line" in result.stderr
    assert "not declared in organisation.yml" in result.stderr


def test_sites_option_holds_only_those_sites(project_root, sample_inventory, monkeypatch):
    # a wave's run need not hold the other waves' PCs (cutover rehearse sets it per wave)
    chosen = ["pref-18-fukui", "hq"]
    monkeypatch.setenv("CUTOVER_INVENTORY_SITES", ",".join(chosen))
    result = ansible_inventory(project_root, project_root / "inventories", "--list")
    assert result.returncode == 0, result.stderr
    listed = plain(json.loads(result.stdout))
    expected = {e.hostname for site in chosen for e in sample_inventory.sites[site].endpoints}
    assert set(listed["windows"]["hosts"]) == expected
    assert "site_pref_13_tokyo" not in listed and set(listed["site_hq"]["hosts"]) <= expected
    shares = listed["_meta"]["hostvars"]["DC-FS01"]["cutover_migration_shares"]
    assert {m["site"] for m in shares} == set(chosen)


def test_sites_option_refuses_an_unknown_site(project_root, monkeypatch):
    monkeypatch.setenv("CUTOVER_INVENTORY_SITES", "pref-18-fukui,pref-99-atlantis")
    result = ansible_inventory(project_root, project_root / "inventories", "--list")
    assert "unknown site id(s) pref-99-atlantis" in result.stderr
    assert "P18-DT-001" not in result.stdout  # nothing half-read: no host at all


@pytest.mark.parametrize(("as_of", "ciphers"),
                         [("2028-03-31", "AES-128-GCM;AES-256-GCM"), ("2028-04-01", "AES-256-GCM")])
def test_dates_are_judged_on_the_as_of_day(project_root, sample_inventory, monkeypatch, as_of, ciphers):
    # the rehearsal's --as-of reaches the inventory: the site's SMB ciphers agree with its stack on that day,
    # and a PC is "not seen recently" counting from that day
    monkeypatch.setenv("CUTOVER_AS_OF", as_of)
    monkeypatch.setenv("CUTOVER_INVENTORY_SITES", "pref-18-fukui")
    result = ansible_inventory(project_root, project_root / "inventories", "--list", "--export")
    assert result.returncode == 0, result.stderr
    listed = plain(json.loads(result.stdout))
    assert listed["site_pref_18_fukui"]["vars"]["cutover_smb_channel_encryption"] == ciphers
    fukui = {e.hostname for e in sample_inventory.sites["pref-18-fukui"].endpoints}
    assert set(listed["not_seen_recently"]["hosts"]) == fukui  # everyone, 16 months after the sample was taken


def test_a_bad_as_of_day_is_refused(project_root, monkeypatch):
    monkeypatch.setenv("CUTOVER_AS_OF", "2028-13-01")
    result = ansible_inventory(project_root, project_root / "inventories", "--list")
    assert "as_of: '2028-13-01' is not a date" in result.stderr
