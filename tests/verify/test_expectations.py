"""Expected values come from the inventory and the roles' settings, computed in Python (no PC is asked)."""

from __future__ import annotations

import pytest

from cutover.inventory import load_inventory
from cutover.verify import expect, requests
from cutover.verify import settings as verify_settings
from tests.verify.conftest import AS_OF, SITE


def pcs(inventory, site=SITE):
    return {pc.host: pc for pc in expect.for_site(inventory, inventory.sites[site], AS_OF)}


def test_leave_on_server_is_derived_from_the_days():
    assert expect.leave_on_server(15) == 0x000F0003 == 983043
    assert expect.leave_on_server(10) == 0x000A0003
    assert expect.leave_on_server(1) == 0x00010003


def test_each_pc_expects_what_the_inventory_says(sample_inventory):
    fukui = pcs(sample_inventory)
    assert len(fukui) == len(sample_inventory.sites[SITE].endpoints)
    hdd = fukui["P18-DT-001"]
    assert hdd.first_scan_task == "\\Cutover\\NGAV first full scan"
    assert hdd.ngav.display_pattern == "Example NGAV*" and hdd.ngav.services == ("ExampleNgavSvc",)
    assert hdd.outlook_shared == ("info@fukui.union.example", "soumu@fukui.union.example")
    assert hdd.outlook_personal == () and hdd.leave_on_server == 0x000F0003
    assert fukui["P18-DT-003"].first_scan_task is None  # SSD
    meeting = fukui["P18-WM-012"]
    assert meeting.ngav is None and meeting.defender and meeting.first_scan_task is None
    assert fukui["P18-NB-006"].outlook_personal == ("k.watanabe@fukui.union.example",)
    assert fukui["P18-NB-005"].thunderbird_personal == ("m.ito@fukui.union.example",)
    assert all(pc.ticket_retrieval for pc in fukui.values())  # Entra Kerberos, hybrid identities
    mapping = fukui["P18-NB-006"].drive_map
    assert mapping.task_path == "\\Cutover\\cutover drive mapping"
    assert mapping.script == "C:\\ProgramData\\cutover\\cutover-map-drives.ps1"
    assert [letter for letter, _ in mapping.mappings] == ["S", "T"]
    assert all(unc.startswith("\\\\stfilespref18") and ".file.core.windows.net\\shared" in unc
               for _, unc in mapping.mappings)


def test_the_file_server_must_hold_each_share_of_the_site(sample_inventory):
    [server] = expect.for_servers(sample_inventory, sample_inventory.sites[SITE])
    assert server.host == "DC-FS01"
    assert [(s.share, s.source) for s in server.shares] == [("shared", "\\\\dc-fs01\\fukui$\\shared")]
    assert server.shares[0].target.endswith(".file.core.windows.net\\shared")


def test_group_vars_override_the_role_defaults(inventory_copy):
    (inventory_copy / "group_vars" / "all" / "mail.yml").write_text("mail_client_days: 10\n", encoding="utf-8")
    (inventory_copy / "group_vars" / "site_pref_18_fukui.yml").write_text(
        "ngav_schedule_first_scan_on_hdd: false\n", encoding="utf-8")
    inventory = load_inventory(inventory_copy)
    fukui = pcs(inventory)
    assert fukui["P18-NB-006"].leave_on_server == 0x000A0003
    assert fukui["P18-DT-001"].first_scan_task is None
    other = pcs(inventory, "pref-36-tokushima")
    assert all(pc.mail_days == 10 for pc in other.values())
    assert any(pc.first_scan_task for pc in other.values())


@pytest.mark.parametrize("content, complaint", [
    ("mail_client_days: \"{{ days }}\"\n", "mail_client_days is set to"),
    ("fileshare_client_ticket_retrieval: false\n", "fileshare_client_ticket_retrieval is set to"),
    ("mail_client_days: 0\n", "between 1 and 999"),
    ("- not a mapping\n", "expected a mapping"),
])
def test_a_setting_verification_cannot_mirror_is_refused(inventory_copy, content, complaint):
    (inventory_copy / "group_vars" / "all" / "bad.yml").write_text(content, encoding="utf-8")
    inventory = load_inventory(inventory_copy)
    with pytest.raises(verify_settings.SettingsError, match=complaint):
        verify_settings.check_site(inventory_copy, inventory.sites[SITE], AS_OF)


def test_group_vars_apply_in_ansibles_order_later_groups_winning(inventory_copy):
    group_vars = inventory_copy / "group_vars"
    (group_vars / "disk_hdd.yml").write_text("mail_client_days: 20\n", encoding="utf-8")
    (group_vars / "wave_0.yml").write_text("mail_client_days: 12\n", encoding="utf-8")
    (group_vars / "role_web_meeting_laptop.yml").write_text("ngav_meeting_laptops_use_defender: false\n",
                                                            encoding="utf-8")
    fukui = pcs(load_inventory(inventory_copy))
    assert fukui["P18-DT-001"].mail_days == 12  # disk_hdd < site_pref_18_fukui < wave_0
    assert fukui["P18-NB-006"].mail_days == 12
    assert fukui["P18-WM-012"].ngav is not None and not fukui["P18-WM-012"].defender
    tokyo = pcs(load_inventory(inventory_copy), "pref-13-tokyo")
    hdd = [pc for pc in tokyo.values() if pc.disk_media == "hdd"]
    assert hdd and all(pc.mail_days == 20 for pc in hdd)
    assert all(pc.mail_days == 15 for pc in tokyo.values() if pc.disk_media == "ssd")


def test_the_logon_mapping_defaults_are_the_modules_documented_ones():
    mapping = verify_settings.logon_mapping()
    assert (mapping.directory, mapping.task_name) == ("C:\\ProgramData\\cutover", "cutover drive mapping")


def test_requests_read_values_by_name_and_never_secrets(sample_inventory):
    for pc in pcs(sample_inventory).values():
        request = requests.for_pc(pc)
        for item in request.get("registry", []) + request.get("user_registry", []):
            assert item["names"] and not any("Password" in n for n in item["names"])
        assert set(request) <= {"registry", "user_registry", "files", "appdata_files", "services", "task_folders",
                                "processes", "security_center"}
    assert "user_registry" not in requests.for_pc(pcs(sample_inventory)["P18-DT-003"])  # no POP address there


def test_cipher_order_is_expected_only_on_windows_11_at_an_aes_256_only_share(sample_inventory, monkeypatch):
    import dataclasses

    from cutover.inventory import ansible_view
    from cutover.verify.checks.fileshare import check_fileshare
    from cutover.verify.checks.raw import Raw

    assert all(pc.cipher_order is None for pc in pcs(sample_inventory).values())  # AES-128-GCM still allowed
    real = ansible_view.site_vars
    monkeypatch.setattr(expect, "site_vars",
                        lambda site, inv, as_of: {**real(site, inv, as_of),
                                                  "cutover_smb_channel_encryption": "AES-256-GCM"})
    fukui = pcs(sample_inventory)
    builds = {e.hostname: e.build_number for e in sample_inventory.sites[SITE].endpoints}
    assert {h for h, pc in fukui.items() if pc.cipher_order} == {h for h, b in builds.items() if b >= 22000}
    host = next(h for h, pc in fukui.items() if pc.cipher_order)
    pc = fukui[host]
    assert pc.cipher_order == ("AES_256_GCM", "AES_128_GCM")
    assert {"path": requests.LANMAN_POLICY, "names": ["CipherSuiteOrder"], "depth": 0} in \
        requests.for_pc(pc)["registry"]

    def finding(value):
        values = {} if value is None else {"CipherSuiteOrder": value}
        raw = Raw({"registry": [{"path": requests.LANMAN_POLICY, "keys": {"": values}},
                                {"path": requests.KERBEROS, "keys": {"": {}}}]})
        only_cipher = dataclasses.replace(pc, drive_map=None)
        return next(f for f in check_fileshare(only_cipher, raw) if f.check == "fileshare.smb_cipher_order")

    assert finding({"type": "REG_MULTI_SZ", "value": ["AES_256_GCM", "AES_128_GCM"]}).status == "pass"
    assert finding({"type": "REG_MULTI_SZ", "value": ["AES_128_GCM", "AES_256_GCM"]}).status == "fail"
    assert finding({"type": "REG_SZ", "value": "AES_256_GCM"}).status == "fail"
    missing = finding(None)
    assert missing.status == "fail" and "is not set" in missing.message
