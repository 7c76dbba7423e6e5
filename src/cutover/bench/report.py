"""Evidence and reports at national scale: 48 sites and 9,600 PCs in <= 5 s, HTML <= 10 MB."""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from cutover.bench import Bench, Measurement
from cutover.evidence import collect
from cutover.evidence.model import Action, Check, RunMetadata, SiteEvidence, SiteInfo
from cutover.inventory import load_inventory
from cutover.report import build, write

PCS = 9_600
_STATE: dict = {}


def _synthetic_evidence() -> list[SiteEvidence]:
    inventory = load_inventory()
    per_site = PCS // len(inventory.sites)
    stamp = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)
    run = RunMetadata(generated_at=stamp, as_of=stamp.date(), tool_version="bench", inventory_revision="bench",
                      operator="bench", host="bench")
    evidence = []
    for n, site in enumerate(inventory.sites.values()):
        checks, actions = [], []
        for i in range(per_site):
            host = f"S{n:02d}-PC-{i:04d}"
            statuses = ("pass", "pass", "fail" if i % 17 == 0 else "pass", "error" if i % 41 == 0 else "pass")
            for area, status in zip(("ngav", "office", "mail", "fileshare"), statuses, strict=True):
                checks.append(Check(id=f"{area}.main", title_ja="確認", title_en="check", area=area, status=status,
                                    message=f"{area} {status}", source="ansible", host=host, timestamp=stamp,
                                    data={"detail": i} if status != "pass" else {}))
            if i % 41 == 0:
                actions.append(Action(id="endpoint.by_hand", host=host, source="ansible",
                                      message_ja="旧ウイルス対策ソフトを手作業で削除", message_en="remove by hand"))
        evidence.append(SiteEvidence(run=run, site=SiteInfo(
            id=site.id, name_ja=site.config.name_ja, name_en=site.config.name_en, wave=site.wave,
            wave_start=None, identity_mode=site.config.identity_mode, endpoints=per_site, addresses=0),
            checks=checks, actions=actions))
    return evidence


def _setup() -> None:
    if not _STATE:
        _STATE["inventory"] = load_inventory()
        _STATE["evidence"] = _synthetic_evidence()
        _STATE["out"] = Path(tempfile.mkdtemp(prefix="cutover-bench-report-"))
        atexit.register(shutil.rmtree, _STATE["out"], True)


def _report() -> Measurement:
    out = _STATE["out"]
    for item in _STATE["evidence"]:
        collect.write(item, out / "evidence")
    evidence = collect.load_dir(out / "evidence")
    reports = build.build(evidence, _STATE["inventory"], evidence)
    written = write.write_all(reports, out / "report", "ja")
    html = sum(p.stat().st_size for p in written["html"]) / 1_000_000
    if html > 10:
        raise RuntimeError(f"HTML is {html:.1f} MB, over the 10 MB target")
    return Measurement({"sites": len(reports), "PCs": PCS, "HTML MB": round(html, 2)})


BENCHES = [Bench("report: 48 sites, 9,600 PCs (HTML, JSON, CSV, JUnit)", "<= 5 s, HTML <= 10 MB", _report,
                 limit_seconds=5.0, repeat=3, setup=_setup)]
