"""Every check a rehearsal of the sample site collects carries its message in Japanese (``message_ja``).

The rehearsal is the real one (plan, twin fleet, converge, migration, verify, evidence); its evidence
file is read as JSON, so a message the model would fill on reading does not count: the collector's
output has it. A check counts as translated only when a family of cutover.evidence.wording words it
(not the status's generic sentence), the sentence is Japanese, and no English sentence is left in it
once the data's own strings (product names, hosts, addresses) are taken out.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from cutover.evidence import wording
from cutover.evidence.model import Check
from cutover.rehearse import Rehearsal

SITE = "pref-18-fukui"  # the pilot: waiver, Office to replace, Visio/Project to check, POP mailers, migration
AS_OF = dt.date(2026, 11, 24)
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,;:'-]+[A-Za-z]{2,}){3,}")  # four English words in a row


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def problems(raw_checks: list[dict]) -> list[str]:
    """Why each check of an evidence file is not (yet) in Japanese; empty when every one is."""
    found = []
    for raw in raw_checks:
        check = Check.model_validate(raw)
        text = raw.get("message_ja") or ""
        key = check.key
        if not JAPANESE.search(text):
            found.append(f"{key}: no Japanese message ({text!r})")
        elif not wording.translated(check):
            found.append(f"{key}: only the generic sentence of {check.status!r} (no family of wording.FAMILIES)")
        elif text != wording.japanese(check):
            found.append(f"{key}: {text!r} is not what wording says")
        else:
            leftover = text
            for value in sorted([*strings(raw.get("data")), raw.get("host") or "", raw.get("item") or ""], key=len,
                                reverse=True):
                if value:
                    leftover = leftover.replace(value, "")
            if ENGLISH_SENTENCE.search(leftover):
                found.append(f"{key}: English left in {text!r}")
    return found


@pytest.fixture(scope="module")
def evidence(tmp_path_factory, sample_inventory) -> dict:
    out = tmp_path_factory.mktemp("rehearsal")
    Rehearsal(sample_inventory, [sample_inventory.sites[SITE]], out, AS_OF).run()
    return json.loads((out / "evidence" / f"{SITE}.json").read_text(encoding="utf-8"))


def test_every_check_of_the_sample_sites_rehearsal_is_in_japanese(evidence):
    checks = evidence["checks"]
    assert len(checks) > 100 and {c["source"] for c in checks} >= {"pulumi", "ansible", "testinfra", "survey",
                                                                  "inventory"}
    assert len({c["status"] for c in checks}) >= 4  # not only passes: fail, manual and waived are worded too
    assert problems(checks) == []


def test_removing_one_familys_wording_is_found(evidence, monkeypatch):
    """The check above can fail: a family taken out of the table leaves its checks untranslated."""
    removed = "ngav.old_scan_task_absent"
    monkeypatch.setattr(wording, "FAMILIES", [f for f in wording.FAMILIES if f[0] != removed])
    found = problems(evidence["checks"])
    assert found and all(removed in line and "generic sentence" in line for line in found)
    assert len(found) == sum(c["id"] == removed for c in evidence["checks"])


def test_an_english_sentence_left_in_a_message_is_found(evidence, monkeypatch):
    half = "サービス：required services are all running"
    monkeypatch.setattr(wording, "FAMILIES", [(p, (lambda c: half) if p == "fileshare.services" else word)
                                              for p, word in wording.FAMILIES])
    raw = next(c for c in evidence["checks"] if c["id"] == "fileshare.services")
    assert problems([{**raw, "message_ja": half}]) == [f"{raw['id']}@{raw['host']}: English left in {half!r}"]
    assert problems([{**raw, "message_ja": raw["message_ja"]}])  # the file's sentence is no longer what it says
    assert not ENGLISH_SENTENCE.search("Windows 10 Pro（ビルド 19045）") and not ENGLISH_SENTENCE.search("Azure Files")


def test_the_evidence_file_carries_english_and_japanese(evidence):
    for check in evidence["checks"]:
        assert check["message"] and check["message_ja"] and check["message"] != check["message_ja"]
