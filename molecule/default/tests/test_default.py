"""Verify with testinfra's ansible backend: the same host.ansible() calls work against real PCs."""

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
    if host.backend.get_hostname() == "P18-WM-012":
        assert state["defender"]["realtime_enabled"] is True
    else:
        assert state["ngav"]["product"]["display_name"] == "Example NGAV Agent"
        assert state["ngav"]["services"] == {"ExampleNgavSvc": "running"}
        assert (state["ngav"]["security_center"]["product_state"] >> 12) & 0xF == 1


def test_personal_pop_accounts_keep_mail_for_15_days(host):
    name = host.backend.get_hostname()
    if name == "P18-NB-006":
        result = host.ansible("cutover_outlook_pop", json.dumps({"addresses": ["k.watanabe@fukui.union.example"]}),
                              check=True)
        assert [a["status"] for a in result["accounts"] if a["address"] == "k.watanabe@fukui.union.example"] == ["ok"]
    if name == "P18-NB-007":
        result = host.ansible("cutover_thunderbird_pop", json.dumps({"addresses": ["m.matsumoto@fukui.union.example"]}),
                              check=True)
        assert result["changed"] is False
