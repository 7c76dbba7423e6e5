"""The embedded sample organisation: valid, varied, fictional and reproducible."""

from __future__ import annotations

import ipaddress
from collections import Counter
from pathlib import Path

from cutover import sites
from cutover.inventory.model import DOCUMENTATION_RANGES
from cutover.sample_org import AS_OF, generate


def test_all_48_sites_are_present(sample_inventory):
    assert list(sample_inventory.sites) == list(sites.ALL_SITE_IDS)
    assert sample_inventory.organisation.sample is True


def test_pilot_wave_has_two_prefectures(sample_inventory):
    pilot = sample_inventory.sites_in_wave(0)
    assert len(pilot) == 2
    assert all(site.id != sites.HQ for site in pilot)


def test_each_site_has_10_to_60_pcs_and_two_meeting_laptops(sample_inventory):
    for site in sample_inventory.sites.values():
        assert 10 <= len(site.endpoints) <= 60, site.id
        roles = Counter(e.role for e in site.endpoints)
        assert roles["web_meeting_laptop"] == 2, site.id


def test_realistic_variety(sample_inventory):
    endpoints = [e for s in sample_inventory.sites.values() for e in s.endpoints]
    mail = [m for s in sample_inventory.sites.values() for m in s.mail]
    assert any(e.disk_media == "hdd" and e.form_factor == "desktop" for e in endpoints)
    assert any(e.ram_gib == 8 and e.form_factor == "desktop" for e in endpoints)
    assert any((AS_OF - e.last_seen).days > 90 for e in endpoints)
    assert {e.build_number >= 22000 for e in endpoints} == {True, False}
    clients = Counter(m.client for m in mail)
    assert set(clients) == {"garoon", "outlook", "thunderbird", "garoon+outlook", "garoon+thunderbird", "unknown"}
    assert any(m.kind == "shared" and m.uses_outlook and m.endpoints for m in mail)
    assert any(m.needs_client_change and not m.endpoints for m in mail)  # in the survey, on no PC
    assert {s.config.identity_mode for s in sample_inventory.sites.values()} == {"hybrid", "cloud_only"}
    assert any(f.restricted_upload for s in sample_inventory.sites.values() for sh in s.config.file_shares
               for f in sh.folders)


def test_sample_data_is_fictional(sample_inventory):
    for site in sample_inventory.sites.values():
        for office in site.config.offices:
            for egress in office.egress:
                net = ipaddress.ip_network(egress)
                assert any(net.subnet_of(doc) for doc in DOCUMENTATION_RANGES), egress
        for address in site.mail:
            assert address.address.endswith(".example")
        for contact in site.config.contacts:
            assert contact.email.endswith(".example")


def test_generator_is_deterministic_and_matches_the_committed_files(tmp_path: Path, project_root: Path):
    generate(tmp_path)
    committed = project_root / "inventories"
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert len(generated) == 1 + 48 * 3
    for rel in generated:
        assert (committed / rel).read_bytes() == (tmp_path / rel).read_bytes(), f"{rel} differs: regenerate"


def test_sample_waivers_are_valid_on_the_sample_date_and_all_expire_by_the_cutover(sample_inventory):
    waivers = [w for s in sample_inventory.sites.values() for w in s.config.waivers]
    assert waivers
    assert all(AS_OF <= w.expires <= sample_inventory.organisation.cutover_date for w in waivers)
