"""Any evidence file either validates or is refused naming the file: `report` and `gate` exit 2 on it,
never 1 (a no-go verdict) and never a traceback; a refused report writes nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cutover.evidence import collect
from cutover.evidence.model import SiteEvidence
from tests.cli.conftest import cli
from tests.fuzz.conftest import SITE, corpus, outcome, snapshot

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20)


@pytest.fixture(scope="module")
def valid(sample_inventory) -> dict:
    site = sample_inventory.sites[SITE]
    return json.loads(collect.collect_site(sample_inventory, site, collect.Sources(), dt.date(2026, 11, 24))
                      .model_dump_json())


def check_reader(path: Path) -> SiteEvidence | None:
    try:
        return collect.load_file(path)
    except collect.EvidenceFileError as exc:
        assert str(exc).startswith(f"{path}: "), exc
        return None


def check_commands(folder: Path, loaded: SiteEvidence | None, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result, output = cli("report", "--evidence", folder, "--out", out)
    assert "Traceback" not in output and (result.exception is None or isinstance(result.exception, SystemExit))
    assert result.exit_code == (0 if loaded is not None else 2), output
    if loaded is None:
        assert snapshot(out) == {} if out.exists() else True
    result, output = cli("gate", SITE, "--evidence", folder)
    assert "Traceback" not in output and (result.exception is None or isinstance(result.exception, SystemExit))
    assert result.exit_code in ((0, 1) if loaded is not None else (2,)), output


def write(folder: Path, raw: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{SITE}.json"
    path.write_bytes(raw)
    return path


@given(raw=st.binary(max_size=300))
@example(raw=b"\xef\xbb\xbf{}")
@example(raw=b"[" * 100_000)
@example(raw="福井".encode("cp932"))
def test_any_bytes_are_read_or_refused_naming_the_file(tmp_path_factory, raw):
    path = write(tmp_path_factory.mktemp("evidence"), raw)
    outcome("read" if check_reader(path) else "refused")


@given(data=st.data())
def test_a_damaged_evidence_file_is_read_or_refused_naming_the_file(valid, tmp_path_factory, data):
    doc = json.loads(json.dumps(valid))
    for _ in range(data.draw(st.integers(1, 3))):
        target, key = doc, None
        for _ in range(data.draw(st.integers(0, 3))):
            keys = list(target) if isinstance(target, dict) else list(range(len(target))) if isinstance(target,
                                                                                                      list) else []
            if not keys:
                break
            key = data.draw(st.sampled_from(keys))
            if isinstance(target[key], dict | list) and data.draw(st.booleans()):
                target, key = target[key], None
            else:
                break
        if key is None:
            continue
        if data.draw(st.booleans()):
            target[key] = data.draw(JSON)
        elif isinstance(target, dict):
            del target[key]
    path = write(tmp_path_factory.mktemp("evidence"), json.dumps(doc, ensure_ascii=data.draw(st.booleans())).encode())
    outcome("read" if check_reader(path) else "refused")


@pytest.mark.parametrize("path", corpus("evidence"), ids=lambda p: p.name)
def test_corpus(path, tmp_path):
    folder = tmp_path / "evidence"
    copy = write(folder, path.read_bytes())
    check_commands(folder, check_reader(copy), tmp_path)
