"""The main job end to end on one small prefecture: every stage runs, a rerun changes nothing."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cutover import gate
from cutover.cli import app
from cutover.evidence.collect import load_dir


def test_rehearse_one_prefecture_twice(tmp_path, sample_inventory):
    out = tmp_path / "rehearsal"
    first = CliRunner().invoke(app, ["rehearse", "--site", "33", "--out", str(out), "--as-of", "2026-11-24"])
    assert first.exit_code in (0, 1), first.output
    assert (out / "plan" / "pref-33-okayama.json").exists() and (out / "plan" / "core.json").exists()
    assert (out / "report" / "index.html").exists() and (out / "report" / "pref-33-okayama.html").exists()
    [evidence] = load_dir(out / "evidence")
    sources = {c.source for c in evidence.checks}
    assert {"pulumi", "ansible", "testinfra", "survey", "inventory"} <= sources
    assert (first.exit_code == 0) == (evidence.ready and gate.passed(gate.evaluate(evidence)))
    states = {p.name: json.loads(p.read_text())["module_calls"]["total"] for p in (out / "twin").rglob("*.json")}
    second = CliRunner().invoke(app, ["rehearse", "--site", "33", "--out", str(out), "--as-of", "2026-11-24"])
    assert second.exit_code == first.exit_code
    assert "0 changed" in second.stdout
    again = {p.name: json.loads(p.read_text())["module_calls"]["total"] for p in (out / "twin").rglob("*.json")}
    assert set(again) == set(states) and all(again[k] >= states[k] for k in states)
