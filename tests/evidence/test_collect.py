"""collect_site puts every source into one evidence file; files are read back by the site their name claims."""

from __future__ import annotations

import hashlib
import json

from cutover.evidence import provenance
from cutover.evidence.collect import Sources, collect_site, load_dir, load_named, tool_versions, write
from tests.report.conftest import AS_OF, SITE


def test_every_source_reaches_the_evidence(sample_inventory, plan_dir, endpoint_artefacts, inventory_copy):
    from cutover.inventory import load_inventory

    mail_csv = inventory_copy / "18-fukui" / "mail.csv"
    mail_csv.write_text(mail_csv.read_text(encoding="utf-8-sig").rstrip("\n")
                        + "\ny.test@fukui.union.example,personal,unknown,テスト 花子,\n", encoding="utf-8")
    inv = load_inventory(inventory_copy)
    site = inv.sites[SITE]
    evidence = collect_site(inv, site, Sources(plan_dir, endpoint_artefacts["runner"], endpoint_artefacts["facts"]),
                            AS_OF)
    keys = {c.key for c in evidence.checks}
    assert f"endpoint.reachable@{endpoint_artefacts['unreachable']}" in keys  # from the runner artefacts
    assert f"office.support@{endpoint_artefacts['office_fail']}" in keys  # from the fact cache
    assert {"cloud.backup", "mail.survey.answered", "inventory.waiver.endpoint-readiness@P18-DT-009"} <= keys
    assert {a.id for a in evidence.actions} >= {"mail.survey.answer", "endpoint.by_hand", "office.replace"}
    wave = inv.organisation.wave(site.wave)
    info = evidence.site
    assert (info.id, info.name_ja, info.name_en, info.wave, info.wave_start, info.identity_mode) == (
        SITE, site.config.name_ja, site.config.name_en, site.wave, wave.start, site.config.identity_mode)
    assert (info.endpoints, info.addresses) == (len(site.endpoints), len(site.mail))
    assert evidence.run.as_of == AS_OF and evidence.run.inventory_revision == inv.revision


def test_counts_cover_every_status(sample_inventory, plan_dir):
    evidence = collect_site(sample_inventory, sample_inventory.sites[SITE], Sources(plan_dir), AS_OF)
    counts = evidence.counts()
    assert list(counts) == ["pass", "fail", "error", "not_applicable", "manual", "waived"]
    assert sum(counts.values()) == len(evidence.checks)
    for status, n in counts.items():
        assert n == sum(c.status == status for c in evidence.checks)
    assert [c.status for c in evidence.blockers] == [c.status for c in evidence.checks
                                                    if c.status in ("fail", "error", "manual")]


def test_inputs_are_digested_once_per_sources(plan_dir, tmp_path):
    junit = tmp_path / "verify.xml"
    junit.write_text("<testsuites/>", encoding="utf-8")
    sources = Sources(plan_dir, None, tmp_path / "no-facts", (junit,))
    first = sources.digests
    assert first is sources.digests  # cached: a national collection reads the same folders 48 times
    roles = [(d.role, d.files, d.note) for d in first]
    assert roles == [("plan", len(list(plan_dir.glob("*.json"))), None), ("runner", 0, "not given"),
                     ("facts", 0, "does not exist"), ("junit", 1, None)]
    assert first[3].sha256 == hashlib.sha256(junit.read_bytes()).hexdigest()
    assert first[2].path == str((tmp_path / "no-facts").resolve()) and first[2].sha256 is None


def test_every_site_of_a_rehearsal_shares_one_read_of_the_runs(plan_dir, tmp_path, monkeypatch):
    # 48 sites, one runner folder of ~190,000 event files: read and hashed once, not once per site
    from cutover.evidence import collect
    from cutover.evidence.collectors import ansible

    reads, hashes = [], []
    real_read, real_digest = ansible.read_runner_artifacts, provenance.digest
    monkeypatch.setattr(ansible, "read_runner_artifacts", lambda folder: reads.append(folder) or real_read(folder))
    monkeypatch.setattr(provenance, "digest", lambda role, path: hashes.append(role) or real_digest(role, path))
    shared = collect.Sources(plan_dir, tmp_path / "runner", tmp_path / "facts")
    copies = [shared.with_junit((tmp_path / f"{n}.xml",)) for n in range(3)]
    assert len({id(c.runs) for c in copies}) == 1 and len(reads) == 1
    for copy in copies:
        assert copy.digests[3].role == "junit"
    assert hashes.count("runner") == 1 and hashes.count("junit") == 3


def test_a_large_file_is_hashed_whole(tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(b"a" * (3 << 20) + b"b")
    assert provenance.digest("plan", big).sha256 == hashlib.sha256(big.read_bytes()).hexdigest()


def test_tool_versions_name_what_is_missing(monkeypatch):
    import importlib.metadata

    real = importlib.metadata.version

    def version(name):
        if name == "pulumi-azuread":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    versions = tool_versions()
    assert versions["pulumi-azuread"] == "not installed" and versions["pulumi"] == real("pulumi")


def test_written_evidence_is_readable_japanese_json(sample_inventory, plan_dir, tmp_path):
    evidence = collect_site(sample_inventory, sample_inventory.sites[SITE], Sources(plan_dir), AS_OF)
    path = write(evidence, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert path.name == f"{SITE}.json" and "福井県本部" in text  # not \\u escapes: auditors grep these files
    assert text.startswith('{\n "schema_version": "2.1",\n "run": {')  # one-space indent keeps files small
    assert json.loads(text)["site"]["id"] == SITE


def test_files_are_read_by_the_site_their_name_claims(sample_inventory, plan_dir, tmp_path):
    evidence = collect_site(sample_inventory, sample_inventory.sites[SITE], Sources(plan_dir), AS_OF)
    write(evidence, tmp_path)
    (tmp_path / "pref-33-okayama.json").write_text((tmp_path / f"{SITE}.json").read_text(encoding="utf-8"),
                                                   encoding="utf-8")
    named = load_named(tmp_path)
    assert list(named) == ["pref-18-fukui", "pref-33-okayama"]
    assert named["pref-33-okayama"].site.id == SITE  # the gate then says: not this site's evidence
    assert load_named(tmp_path / "empty") == {}
    import pytest

    from cutover.evidence.collect import EvidenceFileError

    with pytest.raises(EvidenceFileError, match="is already in"):
        load_dir(tmp_path)  # two files claim the same site
