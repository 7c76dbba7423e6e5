"""JUnit (testinfra) and inventory collectors: exact checks, so a changed verdict or field fails a test."""

from __future__ import annotations

import datetime as dt

import pytest

from cutover import policy_catalog
from cutover.evidence.collectors import inventory, junit, policy_titles
from tests.report.conftest import AS_OF, SITE


def by_key(checks):
    return {c.key: c for c in checks}


def write_junit(path, *cases: str) -> None:
    path.write_text('<?xml version="1.0"?><testsuites><testsuite name="pytest">' + "".join(cases)
                    + "</testsuite></testsuites>", encoding="utf-8")


def case(name: str, body: str = "", classname: str = "verify.test_endpoints") -> str:
    return f'<testcase classname="{classname}" name="{name}">{body}</testcase>'


@pytest.fixture
def site(sample_inventory):
    return sample_inventory.sites[SITE]


def test_each_case_becomes_one_exact_check_of_its_pc(tmp_path, site):
    host = site.endpoints[0].hostname
    path = tmp_path / "verify.xml"
    write_junit(path,
                case(f"test_ngav_running[ansible://{host}]"),
                case(f"test_office_supported[winrm://{host.lower()}]", '<failure message="Office 2019"/>'),
                case(f"test_mail_days[paramiko://{host}]", '<error message="registry unreadable"/>'),
                case(f"test_fileshare_mapping[ssh://{host}]", '<skipped message="no profile"/>'),
                case(f"test_migration_tree[ansible://{host}]", "<skipped/>"),
                case(f"test_plain[ansible://{host}]", "<failure/>"),
                case(f"test_other[ansible://{host}]", "<error/>"),
                case("test_without_a_host"), case("test_other_site[ansible://P36-DT-001]"),
                case(f"test_local[local://{host}]"))
    checks = by_key(junit.collect(site, [path]))
    assert {k: (c.status, c.area, c.message) for k, c in checks.items()} == {
        f"testinfra.test_ngav_running@{host}": ("pass", "ngav", "verified"),
        f"testinfra.test_office_supported@{host}": ("fail", "office", "Office 2019"),
        f"testinfra.test_mail_days@{host}": ("error", "mail", "registry unreadable"),
        f"testinfra.test_fileshare_mapping@{host}": ("error", "fileshare", "not checked: no profile"),
        f"testinfra.test_migration_tree@{host}": ("error", "migration", "not checked: skipped"),
        f"testinfra.test_plain@{host}": ("fail", "endpoint", "failed"),
        f"testinfra.test_other@{host}": ("error", "endpoint", "error"),
    }
    check = checks[f"testinfra.test_ngav_running@{host}"]
    assert (check.title_ja, check.title_en, check.source, check.host) == (
        "検証: test_ngav_running", "Verify: test_ngav_running", "testinfra", host)
    assert check.data == {"classname": "verify.test_endpoints", "file": "verify.xml"}


def test_long_failure_messages_are_cut_to_500_characters(tmp_path, site):
    host = site.endpoints[0].hostname
    path = tmp_path / "verify.xml"
    write_junit(path, case(f"test_x[ansible://{host}]", f'<failure message="{"x" * 600}"/>'))
    [check] = junit.collect(site, [path])
    assert check.message == "x" * 500


def test_an_unreadable_junit_file_is_an_error_and_the_others_are_still_read(tmp_path, site):
    host = site.endpoints[0].hostname
    broken, good = tmp_path / "broken.xml", tmp_path / "good.xml"
    broken.write_text("<testsuites><testcase", encoding="utf-8")
    write_junit(good, case(f"test_x[ansible://{host}]"))
    checks = junit.collect(site, [tmp_path / "missing.xml", broken, good])
    assert [(c.id, c.status, c.source, c.area) for c in checks] == [
        ("testinfra.junit", "error", "testinfra", "endpoint"), ("testinfra.junit", "error", "testinfra", "endpoint"),
        ("testinfra.test_x", "pass", "testinfra", "endpoint")]
    assert checks[0].message.startswith(f"could not collect: {tmp_path / 'missing.xml'}: ")
    assert checks[1].message.startswith(f"could not collect: {broken}: ")
    assert junit.collect(site, []) == []


# ---- inventory: waivers and the mail survey ---------------------------------------------------------------


def test_waivers_in_force_and_expired(site, sample_inventory):
    iwate = sample_inventory.sites["pref-03-iwate"]  # a site-wide policy waiver (NTLMv2 for a multifunction printer)
    ntlm = {c.key: c for c in inventory.waivers(iwate, AS_OF)}["inventory.waiver.files-ntlmv2-disabled"]
    assert (ntlm.status, ntlm.area, ntlm.source, ntlm.host) == ("waived", "inventory", "inventory", None)
    info = policy_catalog.BY_ID["files-ntlmv2-disabled"]
    assert (ntlm.title_ja, ntlm.title_en) == (f"例外承認: {info.title_ja}", f"Waiver: {info.title_en}")
    waiver = next(w for w in iwate.config.waivers if w.policy == "files-ntlmv2-disabled")
    assert ntlm.message == f"files-ntlmv2-disabled waived until {waiver.expires}: {waiver.reason}"
    assert ntlm.data == {"reason": waiver.reason, "expires": waiver.expires.isoformat(),
                         "approved_by": waiver.approved_by, "days_left": (waiver.expires - AS_OF).days}
    today = {c.key: c for c in inventory.waivers(site, AS_OF)}
    pc = today["inventory.waiver.endpoint-readiness@P18-DT-009"]
    assert (pc.status, pc.host) == ("waived", "P18-DT-009")
    assert pc.message.startswith("endpoint-readiness [P18-DT-009] waived until 2027-12-28: ")
    later = {c.key: c for c in inventory.waivers(site, dt.date(2027, 12, 29))}
    expired = later["inventory.waiver.endpoint-readiness@P18-DT-009"]
    assert (expired.status, expired.message) == (
        "fail", "endpoint-readiness [P18-DT-009] waiver expired on 2027-12-28: renew or remove it")
    assert expired.data["days_left"] == -1
    assert inventory.waivers(site, dt.date(2027, 12, 28))[0].status == "waived"  # the last day still counts
    assert policy_titles("no-such-policy") == ("no-such-policy", "no-such-policy")


def test_survey_state_and_its_hands_on_work(sample_inventory):
    site = sample_inventory.sites[SITE]
    checks, actions = inventory.survey(site)
    found = by_key(checks)
    unanswered = [m.address for m in site.mail if m.client == "unknown"]
    on_no_pc = [m.address for m in site.mail if m.needs_client_change and not m.endpoints]
    personal = [m.address for m in site.mail if m.needs_client_change]
    answered = found["mail.survey.answered"]
    assert (answered.status, answered.area, answered.source) == ("fail" if unanswered else "pass", "mail", "survey")
    assert answered.message == (f"{len(unanswered)} of {len(site.mail)} addresses unanswered" if unanswered
                                else f"all {len(site.mail)} addresses answered")
    assert answered.data == {"unanswered": unanswered}
    known = found["mail.survey.pcs_known"]
    assert known.status == ("fail" if on_no_pc else "pass") and known.data == {"addresses": on_no_pc}
    assert known.message == (f"{len(on_no_pc)} personal POP addresses name no PC" if on_no_pc
                             else f"all {len(personal)} personal POP addresses name their PCs")
    assert [a.id for a in actions] == ["mail.survey.answer"] * bool(unanswered) + ["mail.survey.pc_missing"] * len(
        on_no_pc)
    if unanswered:
        assert actions[0].message_en == f"{len(unanswered)} addresses have no survey answer yet"
        assert actions[0].message_ja.startswith(f"メール調査に未回答のアドレスが {len(unanswered)} 件あります")


def test_survey_with_every_kind_of_gap(inventory_copy):
    from cutover.inventory import load_inventory

    mail_csv = inventory_copy / "18-fukui" / "mail.csv"
    lines = mail_csv.read_text(encoding="utf-8-sig").splitlines()
    lines.append("z.test@fukui.union.example,personal,outlook,テスト 太郎,")
    lines.append("y.test@fukui.union.example,personal,unknown,テスト 花子,")
    mail_csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    site = load_inventory(inventory_copy).sites[SITE]
    checks, actions = inventory.survey(site)
    found = by_key(checks)
    assert found["mail.survey.answered"].status == "fail" and "y.test@fukui.union.example" in found[
        "mail.survey.answered"].data["unanswered"]
    assert found["mail.survey.pcs_known"].status == "fail"
    assert found["mail.survey.pcs_known"].data == {"addresses": ["z.test@fukui.union.example"]}
    missing = next(a for a in actions if a.id == "mail.survey.pc_missing")
    assert missing.message_en == "z.test@fukui.union.example: name the PC where the mailer is configured"
    assert missing.message_ja == "z.test@fukui.union.example: メーラーを設定しているPCを回答してください"
    assert missing.source == "survey" and missing.host is None
