"""Verify PCs with testinfra's ansible backend: the same host.ansible() calls work against real PCs.

Run by molecule (default and azure-lab scenarios) and by `cutover rehearse`; against real PCs:
  pytest ansible/verify --hosts='ansible://site_pref_18_fukui' --ansible-inventory=inventories
"""

import json

NGAV = {
    "ngav_display_pattern": "Example NGAV*",
    "ngav_services": ["ExampleNgavSvc"],
    "ngav_security_center_name": "Example NGAV",
}


def ngav_state(host):
    return host.ansible("cutover_ngav_facts", json.dumps(NGAV), check=False)


def test_old_antivirus_is_gone(host):
    state = ngav_state(host)
    assert state["old_av"]["products"] == []
    assert [name for name, running in state["old_av"]["services"].items() if running] == []
    assert state["old_av"]["tasks"] == []


def test_ngav_or_defender_protects_the_pc(host):
    state = ngav_state(host)
    if host.backend.get_variables().get("cutover_role") == "web_meeting_laptop":
        assert state["defender"]["realtime_enabled"] is True
    else:
        assert state["ngav"]["product"]["display_name"] == "Example NGAV Agent"
        assert set(state["ngav"]["services"].values()) == {"running"}
        assert (state["ngav"]["security_center"]["product_state"] >> 12) & 0xF == 1


def test_mail_personal_pop_accounts_keep_mail_for_15_days(host):
    """Raw values read by the role's read-only discovery: Leave on Server 0x000F0003 (0x4 may be kept), user.js pins."""
    accounts = host.backend.get_variables().get("cutover_mail_accounts") or []
    personal = [a for a in accounts if a["kind"] == "personal"]
    if not any(c in a["client"] for a in personal for c in ("outlook", "thunderbird")):
        return
    found = host.ansible("cutover_mail_facts", json.dumps({"outlook": True, "thunderbird": True}), check=False)
    running = set(found["running"]["outlook"])
    wanted = {"leave_on_server": "true", "delete_by_age_from_server": "true", "num_days_to_leave_on_server": "15"}
    for address in [a["address"].lower() for a in personal if "outlook" in a["client"]]:
        seen = [acc for acc in found["outlook"] if acc["address"] == address]
        assert seen, f"{address}: no Outlook POP account found (could not verify)"
        for account in seen:
            assert account["sid"] in running or account["leave_on_server"] & ~0x4 == 0x000F0003, account
    for address in [a["address"].lower() for a in personal if "thunderbird" in a["client"]]:
        seen = [s for p in found["thunderbird"] for s in p["servers"] if address in s["addresses"]]
        assert seen, f"{address}: no reachable Thunderbird POP server found (could not verify)"
        assert all(server["pinned"] == wanted for server in seen), seen
