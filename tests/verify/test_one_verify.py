"""One verification, three callers: `cutover verify`, the rehearsal's verify stage and molecule's verifier."""

from __future__ import annotations

from pathlib import Path

import yaml

from cutover import verify
from cutover.rehearse import Rehearsal, SiteOutcome
from cutover.verify.checks import Finding
from tests.verify.conftest import AS_OF, SITE

ROOT = Path(__file__).resolve().parents[2]


def test_the_rehearsal_verifies_every_site_in_one_call_of_cutover_verify(monkeypatch, sample_inventory, tmp_path):
    sites = [sample_inventory.sites[SITE], sample_inventory.sites["pref-36-tokushima"]]
    calls = []

    def recorder(inventory, chosen, as_of, out, twin=None, **kwargs):
        calls.append((list(chosen), as_of, Path(out), Path(twin)))
        result = verify.Verification(list(chosen), as_of)
        result.findings = [Finding(SITE, "P18-DT-001", "ngav.installed", "pass", "ok"),
                           Finding("pref-36-tokushima", "P36-DT-001", "ngav.installed", "fail", "missing")]
        return result

    monkeypatch.setattr(verify, "verify", recorder)
    rehearsal = Rehearsal(sample_inventory, sites, tmp_path, AS_OF)
    rehearsal.outcomes = {s.id: SiteOutcome(s) for s in sites}
    rehearsal.verify()
    assert calls == [(sites, AS_OF, tmp_path / "verify", tmp_path / "twin")]
    assert rehearsal.outcomes[SITE].verify_rc == 0
    assert rehearsal.outcomes["pref-36-tokushima"].verify_rc == 1


def test_molecule_verifies_with_cutover_verify():
    scenario = yaml.safe_load((ROOT / "molecule/default/molecule.yml").read_text(encoding="utf-8"))
    assert scenario["verifier"]["name"] == "ansible"
    [play] = yaml.safe_load((ROOT / "molecule/default/verify.yml").read_text(encoding="utf-8"))
    argv = play["tasks"][0]["ansible.builtin.command"]["argv"]
    assert argv[:3] == ["cutover", "verify", SITE] and "--twin" in argv
    assert "verify" in scenario["scenario"]["test_sequence"]


def test_the_old_testinfra_suite_is_gone():
    assert not list((ROOT / "ansible/verify").glob("test_*.py"))
