"""Build the twin PCs of a site from the inventory, with realistic starting states.

Deterministic per hostname: the same inventory gives the same fleet. Every PC starts with the old
antivirus in the shape a Trend Micro Apex One / ウイルスバスター Corp. agent really has (uninstall key
``OfficeScanNT`` under WOW6432Node with its ``UninstallString``, the agent's services, the scheduled
scan stored as server-pushed configuration under ``PC-cillinNTCorp``, no Task Scheduler task, an
uninstall password required by the server, services that disappear only at the next restart); HDD
desktops keep their disk media; notebooks are on battery part of the time; PCs not seen for longer
than ``offline_after_days`` come out unreachable; Office varies (Click-to-Run retail/volume,
Microsoft 365 channels, MSI Office 2016); users get Outlook or Thunderbird POP profiles for the
addresses mail.csv lists for the PC, and some are logged on with Outlook running.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from pathlib import Path
from typing import Any

from cutover import naming
from cutover.inventory import Endpoint, Inventory, Site
from cutover.twin import hives
from cutover.twin import state as twin_state

TREND_DISPLAY = "Trend Micro Apex One Security Agent"
TREND_SERVICES = {"ntrtscan": "Apex One NT RealTime Scan", "TmListen": "Apex One NT Listener",
                  "TMBMServer": "Trend Micro Unauthorized Change Prevention Service",
                  "tmccsf": "Trend Micro Cloud Endpoint Service"}
# Third-party facts (community scripts; see docs/endpoints.md): the uninstall key name, the agent folder and
# where the agent keeps the schedule the server pushes to it. The scan runs inside NTRtScan (official).
APEX_KEY = "OfficeScanNT"
APEX_UNINSTALL = f"HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{APEX_KEY}"
APEX_ROOT = "HKLM\\SOFTWARE\\WOW6432Node\\TrendMicro\\PC-cillinNTCorp"
APEX_SCHEDULE = APEX_ROOT + "\\CurrentVersion\\Prescheduled Scan Configuration"
APEX_FOLDER = "C:\\Program Files (x86)\\Trend Micro\\Security Agent"
# The twin's (fictional) uninstall password, kept only as a hash: the agent prompts for it unless given.
APEX_PASSWORD_SHA256 = hashlib.sha256(b"example-uninstall-pw").hexdigest()
OFFICE_VARIANTS = [  # (kind, release ids or product code, version, channel GUID, display name)
    ("c2r", "O365BusinessRetail", "16.0.17928.20156", "492350f6-3a01-4f97-b9c0-c7c6ddf67d60", None),
    ("c2r", "O365ProPlusRetail", "16.0.17328.20550", "55336b82-a18d-4dd6-b5f6-9e5095c314a6", None),
    ("c2r", "HomeBusiness2019Retail", "16.0.17928.20156", "492350f6-3a01-4f97-b9c0-c7c6ddf67d60", None),
    ("c2r", "ProPlus2021Volume", "16.0.14332.20812", "5030841d-c919-4594-8d2d-84ae4f96e58e", None),
    ("c2r", "HomeBusiness2024Retail", "16.0.17928.20156", "492350f6-3a01-4f97-b9c0-c7c6ddf67d60", None),
    ("msi", "{90160000-0012-0000-0000-0000000FF1CE}", "16.0.4266.1001", None, "Microsoft Office Standard 2016"),
    ("msi", "{90150000-0011-0000-0000-0000000FF1CE}", "15.0.4569.1506", None,
     "Microsoft Office Professional Plus 2013"),
]
# Hidden helper MSIs Click-to-Run registers on every PC (checked-facts-2 section 6b; third-party only).
C2R_HELPERS = [("{90160000-008C-0000-1000-0000000FF1CE}", "Office 16 Click-to-Run Extensibility Component"),
               ("{90160000-008C-0411-1000-0000000FF1CE}", "Office 16 Click-to-Run Localization Component"),
               ("{90160000-00DD-0000-1000-0000000FF1CE}",
                "Office 16 Click-to-Run Extensibility Component 64-bit Registration")]
C2R_LICENSING = {True: ("{90160000-007E-0000-1000-0000000FF1CE}", "Office 16 Click-to-Run Licensing Component"),
                 False: ("{90160000-008F-0000-1000-0000000FF1CE}", "Office 16 Click-to-Run Licensing Component")}
# The distribution share of the sample organisation, with the fictional "Example NGAV" installer the
# ngav role's default profile points at (real deployments override the profile variables).
SAMPLE_NGAV = {
    "path": "https://dist.union.example/ngav/ExampleNGAV-Setup-5.2.msi",
    "share_path": "\\\\dist.union.example\\ngav\\ExampleNGAV-Setup-5.2.msi",
    "sha256": hashlib.sha256(b"Example NGAV 5.2 installer (fictional)").hexdigest(),
    "product": {"product_id": "{6E3F1B0C-5A2D-4C8E-9F10-0A1B2C3D4E5F}", "display_name": "Example NGAV Agent",
                "publisher": "Example Security Ltd.", "version": "5.2.0",
                "services": ["ExampleNgavSvc"], "security_center": "Example NGAV"},
}
JST = dt.timezone(dt.timedelta(hours=9))
POP3_CLSID = "{ED475411-B0D6-11D2-8C3B-00104B2A6676}"
ACCOUNTS_KEY = "9375CFF0413111d3B88A00104B2A6676"
SECURITY_CENTER_ON = 266240  # 0x41000: third-party, on, up to date
DEFENDER_OFF = 393472  # 0x60100: Windows Defender, off (a third-party AV is active)


def _rng(hostname: str) -> random.Random:
    return random.Random(int(hashlib.sha256(hostname.encode()).hexdigest()[:16], 16))


def _guid(*parts: str) -> str:
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_OID, "/".join(parts))).upper() + "}"


def _utf16(text: str) -> list[int]:
    return list((text + "\0").encode("utf-16-le"))


def _old_av(state: dict[str, Any]) -> None:
    exe = f"{APEX_FOLDER}\\ntrmv.exe"
    for name, kind, data in (("DisplayName", "REG_SZ", TREND_DISPLAY), ("Publisher", "REG_SZ", "Trend Micro Inc."),
                             ("DisplayVersion", "REG_SZ", "14.0.12737"), ("UninstallString", "REG_SZ", f'"{exe}"')):
        twin_state.reg_set(state, APEX_UNINSTALL, name, kind, data)
    # The lunchtime scan: configured on the Apex One server, pushed to the agent, run by NTRtScan.
    for name, data in (("Enable", 1), ("Frequency", 3), ("Hour", 12), ("Minute", 15),
                       ("LaunchScheduleScanWhenBoot", 0)):
        twin_state.reg_set(state, APEX_SCHEDULE, name, "REG_DWORD", data)
    twin_state.reg_set(state, APEX_ROOT + "\\CurrentVersion", "Application Path", "REG_SZ", APEX_FOLDER + "\\")
    files = [exe, f"{APEX_FOLDER}\\NTRtScan.exe", f"{APEX_FOLDER}\\TmListen.exe"]
    state["products"][APEX_KEY] = {
        "display_name": TREND_DISPLAY, "publisher": "Trend Micro Inc.", "version": "14.0.12737",
        "uninstall_key": APEX_UNINSTALL, "services": sorted(TREND_SERVICES), "tasks": [],
        "security_center": "Trend Micro Apex One Antivirus", "registry_keys": [APEX_ROOT], "files": files,
        "services_removed_at_reboot": True, "uninstall_password_sha256": APEX_PASSWORD_SHA256}
    for name, display in TREND_SERVICES.items():
        state["services"][name] = {"display_name": display, "state": "running", "start_mode": "auto",
                                   "path": f"{APEX_FOLDER}\\{name}.exe"}
    for path in files:
        state["files"][path] = {"size": 1_204_224, "sha256": hashlib.sha256(path.encode()).hexdigest()}
    state["security_center"].append({"display_name": "Trend Micro Apex One Antivirus",
                                     "product_state": SECURITY_CENTER_ON})


def apex_console_uninstall(state: dict[str, Any]) -> bool:
    """What the Apex One console's agent uninstall task does to a PC whose agent is online: the agent
    uninstalls itself; its services and drivers stay until the next restart."""
    from cutover.twin.modules import windows

    if not state.get("reachable", True) or APEX_KEY not in state["products"]:
        return False
    windows.remove_product(state, APEX_KEY)
    return True


def console_uninstall_site(directory: Path) -> list[str]:
    """The Apex One administrators' uninstall task for a site's PCs (runbook step before the converge)."""
    done = []
    for path in sorted(Path(directory).glob("*.json")):
        state = twin_state.load(directory, path.stem)
        if state.get("role") != "file_server" and apex_console_uninstall(state):
            twin_state.save(directory, state)
            done.append(state["hostname"])
    return done


def _uninstall(state: dict[str, Any], name: str, values: dict[str, tuple[str, Any]]) -> None:
    key = f"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{name}"
    for value, (kind, data) in values.items():
        twin_state.reg_set(state, key, value, kind, data)


def _office(state: dict[str, Any], rng: random.Random) -> None:
    """Office as real PCs carry it (proportions in docs/twin.md, "Users and mail").

    Click-to-Run PCs also carry the hidden helper MSIs (Licensing 007E on current builds, 008F on
    older ones; Extensibility; Localization ja-jp; 64-bit Registration) and an ARP entry
    "<ProductReleaseId> - ja-jp"; one in eight adds Visio (VisioProRetail: Plan 2 or 2016 retail),
    one in sixteen Project. MSI PCs are Office Standard 2016 or Professional Plus 2013 (Outlook 15.0),
    some with an MSI Visio Standard 2016.
    """
    kind, ident, version, channel, display = rng.choice(OFFICE_VARIANTS)
    if kind == "c2r":
        ids = [ident]
        if rng.random() < 1 / 8:
            ids.append("VisioProRetail")
        if rng.random() < 1 / 16:
            ids.append("ProjectProRetail")
        key = "HKLM\\SOFTWARE\\Microsoft\\Office\\ClickToRun\\Configuration"
        url = f"http://officecdn.microsoft.com/pr/{channel}"
        for name, data in (("ProductReleaseIds", ",".join(ids)), ("VersionToReport", version), ("Platform", "x64"),
                           ("CDNBaseUrl", url), ("UpdateChannel", url)):
            twin_state.reg_set(state, key, name, "REG_SZ", data)
        current_build = int(version.split(".")[2]) >= 17000
        for code, name in [*C2R_HELPERS, C2R_LICENSING[current_build]]:
            _uninstall(state, code, {"DisplayName": ("REG_SZ", name), "DisplayVersion": ("REG_SZ", version),
                                     "WindowsInstaller": ("REG_DWORD", 1), "SystemComponent": ("REG_DWORD", 1)})
        exe = "C:\\Program Files\\Common Files\\Microsoft Shared\\ClickToRun\\OfficeClickToRun.exe"
        for release_id in ids:
            _uninstall(state, f"{release_id} - ja-jp", {
                "DisplayVersion": ("REG_SZ", version),
                "UninstallString": ("REG_SZ", f'"{exe}" scenario=install scenariosubtype=ARP sourcetype=None '
                                              f"productstoremove={release_id}.16_ja-jp_x-none culture=ja-jp "
                                              "version.16=16.0")})
    else:
        _uninstall(state, ident, {"DisplayName": ("REG_SZ", display), "DisplayVersion": ("REG_SZ", version),
                                  "WindowsInstaller": ("REG_DWORD", 1)})
        if ident.startswith("{9016") and rng.random() < 1 / 4:
            _uninstall(state, "{90160000-0053-0000-0000-0000000FF1CE}", {
                "DisplayName": ("REG_SZ", "Microsoft Visio Standard 2016"), "DisplayVersion": ("REG_SZ", version),
                "WindowsInstaller": ("REG_DWORD", 1)})


def _sid(site: Site, entra: bool, rng: random.Random, rid: int) -> str:
    """A user SID: Active Directory domain users S-1-5-21-<domain>-<RID>, Entra ID users S-1-12-1-<4 numbers>."""
    if entra:
        return "S-1-12-1-" + "-".join(str(rng.randint(10**8, 2**32 - 1)) for _ in range(4))
    digest = hashlib.sha256(site.id.encode()).hexdigest()  # one domain per site: three sub-authorities
    domain = "-".join(str(int(digest[i:i + 8], 16) % 2**31) for i in (0, 8, 16))
    return f"S-1-5-21-{domain}-{rid}"


def _write_text(state: dict[str, Any], path: str, text: str) -> None:
    data = text.encode("utf-8")
    state["files"][path] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "content": text}


def _prefs_js(prefs: dict[str, str]) -> str:
    def value(v: str) -> str:
        return v if v in ("true", "false") or v.isdigit() else f'"{v}"'
    lines = ["// Mozilla User Preferences", ""]
    lines += [f'user_pref("{name}", {value(v)});' for name, v in sorted(prefs.items())]
    return "\n".join(lines) + "\n"


def _thunderbird(state: dict[str, Any], appdata: str, addresses: list[str], stale: bool = False) -> None:
    """A Thunderbird profile under ``appdata`` with one POP3 server per address."""
    folder = "x1y2z3.default-release" if not stale else "a9b8c7.default"
    _write_text(state, f"{appdata}\\Thunderbird\\profiles.ini",
                "[General]\nStartWithLastProfile=1\n\n[Profile0]\nName=default-release\nIsRelative=1\n"
                f"Path=Profiles/{folder}\nDefault=1\n")
    prefs: dict[str, str] = {"mail.accountmanager.accounts": ",".join(f"account{n}" for n in
                                                                      range(1, len(addresses) + 1))}
    for n, address in enumerate(addresses, start=1):
        prefs |= {f"mail.server.server{n}.type": "pop3", f"mail.server.server{n}.hostname": "pop.union.example",
                  f"mail.server.server{n}.userName": address, f"mail.account.account{n}.server": f"server{n}",
                  f"mail.account.account{n}.identities": f"id{n}", f"mail.identity.id{n}.useremail": address,
                  f"mail.server.server{n}.leave_on_server": "true"}
    _write_text(state, f"{appdata}\\Thunderbird\\Profiles\\{folder}\\prefs.js", _prefs_js(prefs))


def _users(state: dict[str, Any], endpoint: Endpoint, site: Site, rng: random.Random) -> None:
    """Local user profiles, their hives and mail clients (proportions in docs/twin.md, "Users and mail").

    - Entra-joined PCs (every PC of a cloud_only site, one in four notebooks elsewhere) have Microsoft
      Entra ID users (S-1-12-1-...); the others Active Directory users (S-1-5-21-...).
    - The first user is logged on half of the time (hive mounted at HKU\\<SID>); Outlook runs for
      them on 40% of the PCs where they use Outlook.
    - Outlook 2013 PCs keep their POP accounts under 15.0; one in ten newer PCs still carries the
      15.0 copy Outlook 2013 left before the upgrade.
    - One user in six has AppData redirected to the file server (UNC); half of them still have the
      local Thunderbird copy from before the redirection.
    """
    addresses = [m for m in site.mail if endpoint.hostname in m.endpoints]
    entra = site.config.identity_mode == "cloud_only" or (endpoint.form_factor == "notebook" and rng.random() < 0.25)
    if entra:
        state["entra_join"]["domain_joined"] = False  # Entra-joined only: its users are Entra ID users
    outlook_versions = ["15.0"] if any(k.endswith("90150000-0011-0000-0000-0000000FF1CE}") for k in state["registry"]) \
        else ["16.0", "15.0"] if rng.random() < 0.1 else ["16.0"]
    server = next((s.legacy_unc.strip("\\").split("\\")[0] for s in site.config.file_shares if s.legacy_unc), "fs01")
    count = max(1, min(2, len(addresses)))
    for n in range(count):
        name = f"user{n + 1}"
        sid = _sid(site, entra, rng, rng.randint(1100, 99999))
        profile = f"C:\\Users\\{name}"
        hive = hives.user_hive_file(profile)
        redirected = rng.random() < 1 / 6
        appdata = f"\\\\{server}\\redirect$\\{name}\\AppData\\Roaming" if redirected else f"{profile}\\AppData\\Roaming"
        state["users"].append({"sid": sid, "name": name, "profile_path": profile, "logged_on": False,
                               "entra": entra, "appdata": appdata})
        twin_state.reg_set(state, f"HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\{sid}",
                           "ProfileImagePath", "REG_EXPAND_SZ", profile)
        hives.add_hive_file(state, hive)
        hives.hive_set(state, hive, "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\User Shell Folders",
                       "AppData", "REG_EXPAND_SZ", appdata if redirected else "%USERPROFILE%\\AppData\\Roaming")
        if n == 0 and rng.random() < 0.5:
            hives.log_on(state, sid, hive)
    thunderbird: dict[int, list[str]] = {}
    for index, mail in enumerate(addresses):
        number = index % count
        user = state["users"][number]
        hive = hives.user_hive_file(user["profile_path"])
        if mail.uses_outlook:
            leave = rng.choice([0x000E0003, 0x1, 0x000E0003])
            for version in outlook_versions:
                key = (f"Software\\Microsoft\\Office\\{version}\\Outlook\\Profiles\\Outlook\\"
                       f"{ACCOUNTS_KEY}\\{index + 2:08d}")
                hives.hive_set(state, hive, key, "clsid", "REG_SZ", POP3_CLSID)
                email = ("REG_SZ", mail.address) if rng.random() < 0.2 else ("REG_BINARY", _utf16(mail.address))
                hives.hive_set(state, hive, key, "Email", *email)
                hives.hive_set(state, hive, key, "POP3 Server", "REG_BINARY", _utf16("pop.union.example"))
                hives.hive_set(state, hive, key, "Leave on Server", "REG_DWORD", leave)
            if user["logged_on"] and rng.random() < 0.4:
                state["processes"].append({"name": "OUTLOOK.EXE", "user_sid": user["sid"]})
        if mail.uses_thunderbird:
            thunderbird.setdefault(number, []).append(mail.address)
    for number, tb_addresses in thunderbird.items():
        user = state["users"][number]
        _thunderbird(state, user["appdata"], tb_addresses)
        if user["appdata"].startswith("\\\\") and rng.random() < 0.5:
            _thunderbird(state, f"{user['profile_path']}\\AppData\\Roaming", tb_addresses, stale=True)


def build_pc(endpoint: Endpoint, site: Site, as_of: dt.date, offline_after_days: int = 60,
             location: str = "japaneast", mail_domain: str = "union.example") -> dict[str, Any]:
    win11 = endpoint.build_number >= 22000
    build, _, ubr = endpoint.os_build.partition(".")
    state: dict[str, Any] = {
        "schema": twin_state.SCHEMA,
        "hostname": endpoint.hostname,
        "site": site.id,
        "role": endpoint.role,
        "reachable": (as_of - endpoint.last_seen).days <= offline_after_days,
        "last_seen": endpoint.last_seen.isoformat(),
        "os": {"caption": f"Microsoft {endpoint.os_edition}", "build": int(build), "ubr": int(ubr or 0),
               "edition_id": "Professional" if "Pro" in endpoint.os_edition else "Enterprise",
               "windows": 11 if win11 else 10},
        "hardware": {"ram_gib": endpoint.ram_gib, "model": endpoint.model,
                     "disks": [{"number": 0, "system": True, "media_type": endpoint.disk_media.upper(),
                                "bus_type": "SATA" if endpoint.disk_media == "hdd" else "NVMe"}]},
        "last_boot": (dt.datetime.combine(endpoint.last_seen, dt.time(8, 30))).isoformat(),
        "registry": {},
        "users": [],
        "products": {},
        "services": {"WinDefend": {"display_name": "Microsoft Defender Antivirus Service", "state": "running",
                                   "start_mode": "auto", "path": "C:\\ProgramData\\Microsoft\\Windows Defender"},
                     "LanmanWorkstation": {"display_name": "Workstation", "state": "running", "start_mode": "auto"},
                     "WinHttpAutoProxySvc": {"display_name": "WinHTTP Web Proxy Auto-Discovery Service",
                                             "state": "running", "start_mode": "manual"},
                     "iphlpsvc": {"display_name": "IP Helper", "state": "running", "start_mode": "auto"}},
        "files": {},
        "scheduled_tasks": {},
        "security_center": [{"display_name": "Windows Defender", "product_state": DEFENDER_OFF}],
        "defender": {"realtime_enabled": False},
        "processes": [],
        "network": {},
        "distribution": {path: {"sha256": SAMPLE_NGAV["sha256"], "product": SAMPLE_NGAV["product"]}
                         for path in (SAMPLE_NGAV["path"], SAMPLE_NGAV["share_path"])},
        # The distribution share admits the PCs' computer accounts and the staff (a typical setting).
        "network_acl": {"\\\\dist.union.example\\ngav": ["Domain Computers", "Authenticated Users"]},
        "clock": dt.datetime.combine(as_of, dt.time(10, 0), tzinfo=JST).isoformat(),
        # Notebooks run on battery part of the time; at night desktops sleep, notebooks are off.
        "power": {"ac_online": endpoint.form_factor == "desktop" or _rng(endpoint.hostname + "/power").random() < 0.6,
                  "night": "sleep" if endpoint.form_factor == "desktop" else "off"},
        "trusted_for_delegation": False,
        "faults": {"installer_exit_code": None, "locked_hive": False, "outlook_running": False,
                   "unreachable_share": False},
        "module_calls": {"total": 0, "by_module": {}},
    }
    # Entra join and TCP 445 to the site's storage endpoint (some offices' ISPs block 445).
    state["entra_join"] = {"azure_ad_joined": True, "domain_joined": site.config.identity_mode == "hybrid",
                           "error": None}
    account = naming.storage_account(site.id, location, mail_domain)
    blocked_office = int(hashlib.sha256(site.id.encode()).hexdigest()[:2], 16) % 8 == 0
    state["network"]["tcp"] = {f"{account}.file.core.windows.net:445": not blocked_office}
    _old_av(state)
    _office(state, _rng(f"{endpoint.hostname}/office"))
    _users(state, endpoint, site, _rng(f"{endpoint.hostname}/users"))
    return state


def build_site(inventory: Inventory, site: Site, out: Path, as_of: dt.date | None = None,
               faults: dict[str, dict[str, Any]] | None = None, reuse: bool = True) -> list[Path]:
    """Write one document per PC under ``out/<site>/``; existing documents are kept when ``reuse``."""
    as_of = as_of or dt.date.today()
    directory = Path(out) / site.id
    paths = []
    for endpoint in site.endpoints:
        path = twin_state.path_for(directory, endpoint.hostname)
        if reuse and path.exists():
            paths.append(path)
            continue
        state = build_pc(endpoint, site, as_of, location=inventory.organisation.azure_location,
                         mail_domain=inventory.organisation.mail_domain)
        state["faults"].update((faults or {}).get(endpoint.hostname, {}))
        twin_state.save(directory, state)
        paths.append(path)
    return paths


def file_server_of(unc: str) -> tuple[str, str]:
    r"""(server, SMB share name) of a UNC path such as \\dc-fs01\fukui$\shared."""
    parts = unc.strip("\\").split("\\")
    return parts[0].upper(), parts[1]


def build_file_server(inventory: Inventory, site: Site, out: Path, reuse: bool = True) -> list[Path]:
    """The data-center file server(s) holding the site's shares, as twin documents under fileservers/."""
    directory = Path(out) / site.id / "fileservers"
    servers: dict[str, dict[str, Any]] = {}
    for share in site.config.file_shares:
        if not share.legacy_unc:
            continue
        server, smb_name = file_server_of(share.legacy_unc)
        state = servers.setdefault(server, {
            "schema": twin_state.SCHEMA, "hostname": server, "site": site.id, "role": "file_server",
            "reachable": True, "last_seen": None, "domain_joined": True, "smb_shares": {}, "trees": {}, "logs": {},
            "files": {}, "directories": ["C:\\ProgramData", "C:\\cutover\\logs"],
            # Folders whose permissions shut the migration account out ({share root: [relative folders]}),
            # accounts holding the backup privilege here (robocopy /ZB reads such folders in backup mode),
            # and the copy rate the twin uses to tell how long a pass runs.
            "unreadable": {}, "backup_operators": [], "copy_mb_per_s": 40,
            "faults": {"open_files": [], "unreachable_share": False, "session_drop_after_s": None,
                       "share_access_fail_after": None},
            "module_calls": {"total": 0, "by_module": {}}})
        state["smb_shares"].setdefault(smb_name.lower(), {
            "name": smb_name, "access": [{"account": "Everyone", "right": "Change", "type": "Allow"},
                                         {"account": "BUILTIN\\Administrators", "right": "Full", "type": "Allow"}],
            "saved_access": None})
        rng = _rng(f"{site.id}/{share.name}")
        tree: dict[str, dict[str, Any]] = {}
        for folder in share.folders:
            for n in range(rng.randint(8, 20)):
                size = rng.randint(1_000, 5_000_000)
                name = f"{folder.name}\\{rng.choice(['議事録', '資料', '報告', '名簿', 'report'])}_{n:03d}.docx"
                tree[name] = {"size": size, "sha256": hashlib.sha256(f"{site.id}/{name}/{size}".encode()).hexdigest(),
                              "mtime": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T10:00:00"}
        # What a real share also holds: folders robocopy is told to skip, and a junction (/XJ).
        tree["DfsrPrivate\\ConflictAndDeleted\\conflict-0001.tmp"] = {"size": 4096, "sha256": "0" * 64,
                                                                       "mtime": "2026-01-05T10:00:00"}
        tree["$RECYCLE.BIN\\S-1-5-21-1000\\$R0A1B2C.docx"] = {"size": 2048, "sha256": "1" * 64,
                                                              "mtime": "2026-02-01T10:00:00"}
        first = share.folders[0].name if share.folders else "shared"
        tree[f"{first}\\旧サーバーへのリンク"] = {"junction": True, "target": "D:\\old", "size": 0, "sha256": None,
                                              "mtime": "2020-04-01T10:00:00"}
        tree[f"{first}\\旧サーバーへのリンク\\old.docx"] = {"size": 100, "sha256": "2" * 64,
                                                       "mtime": "2020-04-01T10:00:00"}
        state["trees"][share.legacy_unc.lower().rstrip("\\")] = tree
    paths = []
    for server, state in servers.items():
        path = twin_state.path_for(directory, server)
        if not (reuse and path.exists()):
            twin_state.save(directory, state)
        paths.append(path)
    return paths
