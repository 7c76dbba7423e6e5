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
    accounts = host.backend.get_variables().get("cutover_mail_accounts") or []
    for client, module in (("outlook", "cutover_outlook_pop"), ("thunderbird", "cutover_thunderbird_pop")):
        wanted = [a["address"] for a in accounts if a["kind"] == "personal" and client in a["client"]]
        if wanted:
            result = host.ansible(module, json.dumps({"addresses": wanted}), check=True)
            assert {a["status"] for a in result["accounts"] if a["address"] in wanted} <= {"ok", "pending"}
