"""Deterministic generator of the fictional sample organisation (and of larger synthetic ones).

Everything it writes is invented: people, model names, ``*.example`` domains (RFC 2606) and
RFC 5737 documentation addresses. The same seed always gives byte-identical files, so the
committed ``inventories/`` can be regenerated and compared in a test.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml

from cutover import atomic
from cutover.inventory import csvsource
from cutover.inventory.model import ENDPOINT_COLUMNS, MAIL_COLUMNS
from cutover.sites import HQ, PREFECTURES

SEED = 2028
AS_OF = dt.date(2026, 11, 20)  # "today" of the sample: last_seen dates are relative to it
MAIL_DOMAIN = "union.example"
PILOT = ("18", "36")  # 福井県, 徳島県 — two small prefectures, as the plan asks for 1-2
DOC_BLOCKS = [
    net
    for block in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
    for net in ipaddress.ip_network(block).subnets(new_prefix=29)
]

SURNAMES = [
    ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"), ("伊藤", "ito"),
    ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"), ("小林", "kobayashi"), ("加藤", "kato"),
    ("吉田", "yoshida"), ("山田", "yamada"), ("佐々木", "sasaki"), ("山口", "yamaguchi"), ("松本", "matsumoto"),
    ("井上", "inoue"), ("木村", "kimura"), ("林", "hayashi"), ("清水", "shimizu"), ("森", "mori"),
]
GIVEN = [
    ("浩", "hiroshi"), ("健一", "kenichi"), ("陽子", "yoko"), ("美咲", "misaki"), ("誠", "makoto"),
    ("直樹", "naoki"), ("由美", "yumi"), ("大輔", "daisuke"), ("恵", "megumi"), ("翔太", "shota"),
    ("彩", "aya"), ("拓也", "takuya"), ("真由美", "mayumi"), ("修", "osamu"), ("沙織", "saori"),
]
DESKTOPS = ["Exemplar D5 (2020)", "Exemplar D5 (2020)", "Exemplar D7 (2023)", "Sampleworks SD-3 (2017)"]
NOTEBOOKS = ["Exemplar N15 (2021)", "Exemplar N15 (2024)"]
MEETING_LAPTOP = "Exemplar N15 meeting kit (2020)"
OS_CHOICES = [  # (edition, build, weight)
    ("Windows 10 Pro", "19045.5131", 3),
    ("Windows 11 Pro", "22631.4460", 3),
    ("Windows 11 Pro", "26100.2314", 4),
]
CLIENTS = [("garoon", 40), ("outlook", 24), ("thunderbird", 10), ("garoon+outlook", 12),
           ("garoon+thunderbird", 6), ("unknown", 8)]
DATACENTER_EGRESS = str(DOC_BLOCKS[0][6])  # inside no office's assigned addresses
FILE_SYNC_SITE = "32"  # 島根県: its office line blocks TCP 445, so it uses Azure File Sync
SHARED_BOXES = [("info", "代表"), ("soumu", "総務"), ("kyoiku", "教育・学習"), ("seinen", "青年部")]


@dataclass(frozen=True)
class SiteSpec:
    code: str  # hq or NN
    folder: str
    romaji: str
    name_ja: str
    name_en: str


def site_specs() -> list[SiteSpec]:
    specs = [SiteSpec("hq", HQ, "honbu", "本部", "National HQ")]
    for pref in PREFECTURES:
        specs.append(SiteSpec(pref.code, pref.folder, pref.romaji, f"{pref.name_ja}本部",
                              f"{pref.romaji.capitalize()} prefectural HQ"))
    return specs


def wave_of(code: str, index: int) -> int:
    if code in PILOT:
        return 0
    if code == "hq":
        return 4  # the national HQ moves last, once every prefecture is across
    return 1 + index % 3


def organisation_doc() -> dict:
    return {
        "name_ja": "全国サンプル職員労働組合",
        "name_en": "National Sample Public Employees' Union (fictional)",
        "mail_domain": MAIL_DOMAIN,
        "cutover_date": dt.date(2028, 4, 1),
        "azure_location": "japaneast",
        "sample": True,
        "waves": [
            {"number": 0, "name": "pilot", "start": dt.date(2027, 2, 1), "live": False},
            {"number": 1, "name": "wave 1", "start": dt.date(2027, 5, 10), "live": False},
            {"number": 2, "name": "wave 2", "start": dt.date(2027, 8, 2), "live": False},
            {"number": 3, "name": "wave 3", "start": dt.date(2027, 10, 4), "live": False},
            {"number": 4, "name": "national HQ", "start": dt.date(2028, 1, 17), "live": False},
        ],
        "prices": {
            "groupware_id_month": 300,
            "m365_apps_business_user_month": 1117,
            "m365_business_standard_user_month": 1630,
            "office_2021_standard": 71600,
            "office_2021_professional": 97000,
            "azure_files_gib_month": 10.0,
        },
        "active_directory": {"domain_name": f"ad.{MAIL_DOMAIN}",
                             "domain_guid": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"ad.{MAIL_DOMAIN}"))},
        "datacenter": {"name": "旧データセンター", "egress": [DATACENTER_EGRESS], "copy_group": "GG-CUTOVER-MIGRATION"},
        "break_glass_accounts": [
            {"upn": f"breakglass{n}@{MAIL_DOMAIN}", "object_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"breakglass{n}"))}
            for n in (1, 2)
        ],
        "legacy_auth_block_from": dt.date(2027, 4, 1),
        "windows10_deadline": dt.date(2028, 3, 31),
    }


def wave_start(wave: int) -> dt.date:
    return next(w["start"] for w in organisation_doc()["waves"] if w["number"] == wave)


def _person(rng: random.Random) -> tuple[str, str, str]:
    (sj, sr), (gj, gr) = rng.choice(SURNAMES), rng.choice(GIVEN)
    return f"{sj} {gj}", sr, gr


def site_doc(spec: SiteSpec, index: int, rng: random.Random, hostnames: list[str]) -> dict:
    block_a, block_b = DOC_BLOCKS[2 * index], DOC_BLOCKS[2 * index + 1]
    offices = [{"name": f"{spec.name_ja} 事務所", "egress": [str(block_a[1])]}]
    if rng.random() < 0.4:
        offices[0]["egress"].append(str(block_a[2]))
    if rng.random() < 0.35:
        offices.append({"name": f"{spec.name_ja} 分室", "egress": [str(block_b)]})
    groups = [
        {"name": "officers", "display_name": "役員", "purpose": "役員会の資料と決裁"},
        {"name": "secretariat", "display_name": "書記局", "purpose": "日常業務の共有"},
        {"name": "publicity", "display_name": "機関紙担当",
         "purpose": "機関紙の入稿（アップロードはこのグループのみ）"},
        {"name": "members", "display_name": "全員", "purpose": "全体会議の資料閲覧"},
    ]
    for group in groups:  # the AD groups synced to Entra (used by hybrid sites' share permissions)
        group["ad_group"] = f"GG-{spec.romaji.upper()}-{group['name'].upper()}"
    folders = [
        {"name": "役員のみ", "permissions": {"officers": "change"}},
        {"name": "全体会議", "permissions": {"officers": "change", "secretariat": "change", "members": "read"}},
        {"name": "各県機関紙", "restricted_upload": True,
         "permissions": {"publicity": "change", "officers": "read", "secretariat": "read", "members": "read"}},
        {"name": "書記局", "permissions": {"secretariat": "change", "officers": "read"}},
    ]
    shares = [{"name": "shared", "quota_gib": rng.choice([256, 512, 1024]), "folders": folders,
               "legacy_unc": rf"\\dc-fs01\{spec.romaji}$\shared"}]
    if rng.random() < 0.3:
        shares.append({"name": "archive", "quota_gib": 512,
                       "folders": [{"name": "過年度", "permissions": {"secretariat": "full", "officers": "read"}}],
                       "legacy_unc": rf"\\dc-fs01\{spec.romaji}$\archive"})
    waivers = []
    if rng.random() < 0.12:
        waivers.append({
            "policy": "files-ntlmv2-disabled",
            "reason": "複合機のスキャン保存先が NTLMv2 のみ対応。機器更新まで例外とする",
            "expires": dt.date(2027, 3, 31),
            "approved_by": "本部 情報システム委員会",
        })
    if hostnames and rng.random() < 0.2:
        waivers.append({
            "policy": "endpoint-readiness",
            "reason": "長期休職者の端末。復職時に個別対応する",
            "expires": dt.date(2027, 12, 28),
            "approved_by": f"{spec.name_ja} 書記長",
            "scope": rng.choice(hostnames),
        })
    contact_name, _, _ = _person(rng)
    code_digits = "00" if spec.code == "hq" else spec.code
    extra = {"migration_method": "storage_mover"} if spec.code == "27" else {}  # one site tries Storage Mover
    if spec.code == FILE_SYNC_SITE:
        offices[0]["port_445_blocked"] = True
        extra["file_sync"] = {"server": f"P{spec.code}-FS-01", "office": offices[0]["name"]}
    wave = wave_of(spec.code, index)
    return {
        "code": spec.code,
        "name_ja": spec.name_ja,
        "name_en": spec.name_en,
        "wave": wave,
        "support_tier": rng.choice(["basic", "standard", "standard", "premium"]),
        "identity_mode": "cloud_only" if rng.random() < 0.2 else "hybrid",
        "cost_centre": f"CC-{code_digits}",
        "groupware_ids": rng.randint(8, 40),
        "offices": offices,
        "groups": groups,
        "file_shares": shares,
        "drive_mappings": [
            {"group": "members", "share": "shared", "letter": "S"},
            {"group": "officers", "share": "shared", "folder": "役員のみ", "letter": "T"},
        ],
        "backup": {"tier": "vault", "daily_time": rng.choice(["21:00", "22:00", "23:30"]),
                   "retention_days": rng.choice([30, 60, 90]), "snapshot_retention_days": 7},
        "waivers": waivers,
        "contacts": [{"name": contact_name, "role": "IT担当", "email": f"it@{spec.romaji}.{MAIL_DOMAIN}",
                      "phone": f"0120-555-{index:03d}"}],
        # the data center may reach the account until four weeks after the wave goes live (rollback period)
        "datacenter_access_until": wave_start(wave) + dt.timedelta(days=28),
        **extra,
    }


def endpoints_rows(spec: SiteSpec, count: int, rng: random.Random) -> list[dict[str, str]]:
    prefix = "HQ" if spec.code == "hq" else f"P{spec.code}"
    rows = []
    for n in range(1, count + 1):
        meeting = n > count - 2  # the two web-meeting laptops of each site
        desktop = not meeting and rng.random() < 0.6
        edition, build = rng.choices([(e, b) for e, b, _ in OS_CHOICES], [w for *_, w in OS_CHOICES])[0]
        if desktop:
            model = rng.choice(DESKTOPS)
            hdd = "2017" in model or rng.random() < 0.1
            ram = 4 if hdd and rng.random() < 0.3 else (8 if rng.random() < 0.6 else 16)
            if hdd:
                edition, build = "Windows 10 Pro", "19045.5131"
        else:
            model = MEETING_LAPTOP if meeting else rng.choice(NOTEBOOKS)
            hdd, ram = False, 16
        offline = rng.random() < 0.08
        last_seen = AS_OF - dt.timedelta(days=rng.randint(90, 300) if offline else rng.randint(0, 14))
        kind = "WM" if meeting else ("DT" if desktop else "NB")
        rows.append({
            "hostname": f"{prefix}-{kind}-{n:03d}",
            "model": model,
            "form_factor": "desktop" if desktop else "notebook",
            "role": "web_meeting_laptop" if meeting else "staff_pc",
            "ram_gib": str(ram),
            "disk_media": "hdd" if hdd else "ssd",
            "os_edition": edition,
            "os_build": build,
            "last_seen": last_seen.isoformat(),
        })
    return rows


def mail_rows(spec: SiteSpec, endpoints: list[dict[str, str]], rng: random.Random,
              per_pc: float = 1.0) -> list[dict[str, str]]:
    domain = f"{spec.romaji}.{MAIL_DOMAIN}"
    staff = [e["hostname"] for e in endpoints if e["role"] == "staff_pc"]
    rows: list[dict[str, str]] = []
    used: set[str] = set()
    wanted = max(1, round(len(staff) * per_pc))
    for i in range(wanted):
        name, sr, gr = _person(rng)
        local = f"{gr[0]}.{sr}"
        while local in used:
            local = f"{gr[0]}.{sr}{rng.randint(2, 99)}"
        used.add(local)
        client = rng.choices([c for c, _ in CLIENTS], [w for _, w in CLIENTS])[0]
        hosts: list[str] = []
        if client not in ("garoon", "unknown") and staff:
            hosts = [staff[i % len(staff)]]
            if rng.random() < 0.1:
                hosts.append(rng.choice(staff))
            if i == 0:
                hosts = []  # in the survey, but configured on no PC: must be reported, not guessed
        rows.append({"address": f"{local}@{domain}", "kind": "personal", "client": client, "owner": name,
                     "endpoints": ";".join(dict.fromkeys(hosts))})
    for local, label in SHARED_BOXES[: 2 + rng.randint(0, 2)]:
        client = rng.choice(["garoon", "garoon+outlook", "outlook"])
        hosts = [] if client == "garoon" or not staff else sorted(set(rng.sample(staff, min(2, len(staff)))))
        rows.append({"address": f"{local}@{domain}", "kind": "shared", "client": client,
                     "owner": f"{spec.name_ja} {label}", "endpoints": ";".join(hosts)})
    return rows


def _dump_yaml(doc: dict, header: str) -> str:
    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=110, default_flow_style=False)
    return header + "---\n" + body


def generate(root: Path, *, seed: int = SEED, pc_counts: list[int] | None = None,
             mail_per_pc: float = 1.0) -> None:
    """Write organisation.yml and one folder per site under ``root`` (atomically, file by file)."""
    root = Path(root)
    specs = site_specs()
    master = random.Random(seed)
    header = "# Fictional sample organisation, generated by scripts/generate-sample-org. Do not edit by hand.\n"
    atomic.write_text(root / "organisation.yml", _dump_yaml(organisation_doc(), header))
    for index, spec in enumerate(specs):
        rng = random.Random(master.getrandbits(64))
        count = pc_counts[index] if pc_counts else rng.randint(10, 60)
        endpoints = endpoints_rows(spec, count, rng)
        hostnames = [e["hostname"] for e in endpoints]
        site = site_doc(spec, index, rng, hostnames)
        folder = root / spec.folder
        atomic.write_text(folder / "site.yml", _dump_yaml(site, f"# {spec.name_ja} ({spec.folder})\n"))
        atomic.write_bytes(folder / "endpoints.csv", csvsource.render(ENDPOINT_COLUMNS, endpoints))
        atomic.write_bytes(folder / "mail.csv",
                           csvsource.render(MAIL_COLUMNS, mail_rows(spec, endpoints, rng, mail_per_pc)))


def generate_synthetic(root: Path, *, pcs: int, addresses: int, seed: int = SEED) -> None:
    """A larger organisation for benchmarks: ``pcs`` PCs and about ``addresses`` addresses."""
    sites = len(site_specs())
    counts = [pcs // sites + (1 if i < pcs % sites else 0) for i in range(sites)]
    staff_share = 1 - 2 * sites / pcs
    generate(root, seed=seed, pc_counts=counts, mail_per_pc=addresses / pcs / staff_share * 0.998)
