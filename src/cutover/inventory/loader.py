"""Load and validate an inventory directory; every problem is collected before anything fails."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from cutover import sites as site_names
from cutover.inventory import csvsource, yamlsource
from cutover.inventory.crosscheck import check_organisation, check_site
from cutover.inventory.errors import InventoryError, Problem
from cutover.inventory.model import (
    ENDPOINT_COLUMNS,
    MAIL_COLUMNS,
    Endpoint,
    Inventory,
    MailAddress,
    Organisation,
    Site,
    SiteFile,
)

ORGANISATION_FILE = "organisation.yml"
SITE_FILE = "site.yml"
ENDPOINTS_FILE = "endpoints.csv"
MAIL_FILE = "mail.csv"
# Entries of inventories/ that are not sites: Ansible's own files beside the plugin config.
NOT_SITES = {"group_vars", "host_vars", "cutover.yml", ORGANISATION_FILE, "README.md", "README.ja.md"}
# Files Windows or Excel leave beside the real ones: named in a warning, never read.
WINDOWS_LEFTOVERS = {"desktop.ini", "thumbs.db"}
# The largest inventory file is a site's endpoints.csv (hundreds of rows); anything far bigger is a mistake.
MAX_FILE_BYTES = 16 * 1024 * 1024
# How Windows and people name copies: "18-fukui - コピー", "18-fukui - Copy (2)", "18-fukui (2)", "コピー ～ 18-fukui".
_COPY = re.compile(r"^(?:(?:コピー|Copy of)\s*[～~-]?\s*)?(?P<site>[^\s].*?)(?:\s*-\s*(?:コピー|Copy)(?:\s*\(\d+\))?|"
                   r"\s*\(\d+\))?$", re.IGNORECASE)


class _Files:
    """Reads inventory files, optionally with some contents replaced (to validate a change before writing it)."""

    def __init__(self, root: Path, overrides: Mapping[str, bytes] | None):
        self.root, self.overrides = root, dict(overrides or {})

    def read(self, path: Path, rel: str, problems: list[Problem]) -> bytes | None:
        if rel in self.overrides:
            return self.overrides[rel]
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                problems.append(Problem(rel, None, "(file)", f"{size:,} bytes: far larger than an inventory file "
                                        f"(at most {MAX_FILE_BYTES:,}); is it the right file?"))
                return None
            return path.read_bytes()
        except OSError as exc:
            problems.append(Problem(rel, None, "(file)", f"cannot read it ({exc.strerror})"))
            return None


def _copied_site(name: str) -> str | None:
    """The site folder a name looks like a copy of, if any."""
    match = _COPY.match(name.strip())
    if not match or match.group("site") == name.strip():
        return None
    try:
        return site_names.canonical_site_id(match.group("site"))
    except site_names.UnknownSiteError:
        return None


def default_root() -> Path:
    """The embedded sample organisation: ``inventories/`` at the project root."""
    return Path(__file__).resolve().parents[3] / "inventories"


def load_inventory(root: Path | str | None = None, overrides: Mapping[str, bytes] | None = None) -> Inventory:
    """Validate the whole inventory under ``root``; raise :class:`InventoryError` listing every problem.

    ``overrides`` maps paths relative to ``root`` (``18-fukui/mail.csv``) to contents read instead of the
    file's: a change is validated with the whole inventory before it is written.
    """
    root = Path(root) if root is not None else default_root()
    if not root.is_dir():
        raise InventoryError([Problem(str(root), None, "(directory)", "inventory directory not found")])
    files = _Files(root, overrides)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    digest = hashlib.sha256()

    org_path = root / ORGANISATION_FILE
    organisation = None
    if not org_path.is_file():
        problems.append(Problem(ORGANISATION_FILE, None, "(file)", "missing: the organisation file is required"))
    else:
        raw = files.read(org_path, ORGANISATION_FILE, problems)
        if raw is not None:
            digest.update(raw)
            organisation = _validate_yaml(raw, ORGANISATION_FILE, Organisation, problems)

    loaded: dict[str, Site] = {}
    lines_by_site: dict[str, dict[Any, int]] = {}
    for entry in sorted(root.iterdir()):
        if entry.name in NOT_SITES or entry.name.startswith("."):
            continue
        if _leftover(entry, entry.name, warnings):
            continue
        if not entry.is_dir():
            problems.append(Problem(entry.name, None, "(file)",
                                    "unexpected file; the inventory holds organisation.yml and one folder per site"))
            continue
        try:
            site_id = site_names.canonical_site_id(entry.name)
        except site_names.UnknownSiteError as exc:
            copied = _copied_site(entry.name)
            if copied is not None:
                problems.append(Problem(entry.name, None, "(folder)",
                                        f"looks like a copy of the site folder {site_names.site_folder(copied)}: move "
                                        "it out of the inventory folder (every folder here is read as a site)"))
            else:
                problems.append(Problem(entry.name, None, "(folder)", str(exc)))
            continue
        if site_id in loaded:
            problems.append(Problem(entry.name, None, "(folder)",
                                    f"a second folder for site {site_id} ({loaded[site_id].folder} exists)"))
            continue
        site, lines = _load_site(entry, site_id, problems, warnings, digest, files)
        if site is not None:
            loaded[site_id] = site
            lines_by_site[site_id] = lines

    if organisation is not None:
        for site_id, site in loaded.items():
            problems.extend(check_site(site, organisation, lines_by_site[site_id]))
        problems.extend(check_organisation(loaded, lines_by_site))
    if problems:
        raise InventoryError(problems)
    assert organisation is not None
    ordered = dict(sorted(loaded.items(), key=lambda item: site_names.site_sort_key(item[0])))
    return Inventory(root=str(root), organisation=organisation, sites=ordered, revision=digest.hexdigest()[:16],
                     warnings=tuple(sorted(warnings)))


def _leftover(path: Path, rel: str, warnings: list[Problem]) -> bool:
    """Excel lock files and Windows' folder files: a warning that says what to do, and otherwise ignored."""
    name = path.name
    if name.startswith("~$"):
        warnings.append(Problem(rel, None, "(file)", f"an Excel lock file: someone has {name[2:] or 'a file'} open; "
                                f"save and close {name[2:]} in Excel (delete the lock file if Excel is not running)"))
        return True
    if name.lower() in WINDOWS_LEFTOVERS:
        warnings.append(Problem(rel, None, "(file)", "a file Windows Explorer leaves behind; ignored (you may delete "
                                "it)"))
        return True
    return False


def _load_site(folder: Path, site_id: str, problems: list[Problem], warnings: list[Problem], digest: Any,
               files: _Files) -> tuple[Site | None, dict]:
    rel = folder.name
    paths = {name: folder / name for name in (SITE_FILE, ENDPOINTS_FILE, MAIL_FILE)}
    for name, path in paths.items():
        if not path.is_file():
            problems.append(Problem(f"{rel}/{name}", None, "(file)", "missing: every site folder needs "
                                    f"{SITE_FILE}, {ENDPOINTS_FILE} and {MAIL_FILE}"))
    for path in sorted(folder.iterdir()):
        if path.name in paths or path.name.startswith(".") or _leftover(path, f"{rel}/{path.name}", warnings):
            continue
        problems.append(Problem(f"{rel}/{path.name}", None, "(file)",
                                "unexpected file in a site folder "
                                f"(expected {SITE_FILE}, {ENDPOINTS_FILE}, {MAIL_FILE})"))
    if not all(p.is_file() for p in paths.values()):
        return None, {}
    raw = {name: files.read(path, f"{rel}/{name}", problems) for name, path in paths.items()}
    if any(data is None for data in raw.values()):
        return None, {}
    for data in raw.values():
        digest.update(data)

    before = len(problems)
    site_file = _validate_yaml(raw[SITE_FILE], f"{rel}/{SITE_FILE}", SiteFile, problems, keep_lines=True)
    lines: dict[Any, int] = {}
    if isinstance(site_file, tuple):
        site_file, lines = site_file
    endpoints = _validate_csv(raw[ENDPOINTS_FILE], f"{rel}/{ENDPOINTS_FILE}", ENDPOINT_COLUMNS, Endpoint, problems)
    mail = _validate_csv(raw[MAIL_FILE], f"{rel}/{MAIL_FILE}", MAIL_COLUMNS, MailAddress, problems)
    if len(problems) == before and not endpoints:
        warnings.append(Problem(f"{rel}/{ENDPOINTS_FILE}", None, "(file)",
                                f"{site_id} lists no PCs (only the header): nothing will be converged there"))
    if site_file is not None:
        expected_code = site_names.site_code(site_id)
        if site_file.code != expected_code:
            problems.append(Problem(f"{rel}/{SITE_FILE}", lines.get(("code",)), "code",
                                    f"code {site_file.code!r} does not match the folder {rel!r} "
                                    f"(expected {expected_code!r})"))
    if len(problems) != before or site_file is None:
        return None, lines
    site = Site(id=site_id, folder=rel, config=site_file,
                endpoints=tuple(e for _, e in endpoints), mail=tuple(m for _, m in mail))
    # Row numbers travel with the site for cross-checks.
    lines.update({("endpoints.csv", e.hostname): row for row, e in endpoints})
    lines.update({("mail.csv", m.address): row for row, m in mail})
    return site, lines


def _validate_yaml(raw: bytes, rel: str, model: type[BaseModel], problems: list[Problem], keep_lines: bool = False):
    data, lines, found = yamlsource.parse(raw, rel)
    problems.extend(found)
    if data is None or found:
        return None
    if not isinstance(data, dict):
        problems.append(Problem(rel, 1, "(top level)", "expected a mapping of field: value"))
        return None
    try:
        value = model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if p != "[key]")
            problems.append(Problem(rel, yamlsource.line_for(lines, loc), yamlsource.dotted(loc) or "(top level)",
                                    describe(error, model)))
        return None
    return (value, lines) if keep_lines else value


def _validate_csv(raw: bytes, rel: str, columns: tuple[str, ...], model: type[BaseModel],
                  problems: list[Problem]) -> list[tuple[int, Any]]:
    text, problem = csvsource.decode(raw, rel)
    if problem:
        problems.append(problem)
        return []
    rows, found = csvsource.parse(text or "", rel, columns)
    problems.extend(found)
    good: list[tuple[int, Any]] = []
    for row_number, record in rows:
        try:
            good.append((row_number, model.model_validate(record)))
        except ValidationError as exc:
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else "(row)"
                problems.append(Problem(rel, row_number, field, describe(error, model)))
    return good


def describe(error: dict[str, Any], model: type[BaseModel] | None = None) -> str:
    """Turn a pydantic error into 'what is wrong and what is expected'."""
    kind = error["type"]
    value = error.get("input")
    shown = repr(value) if not isinstance(value, dict | list) else "a " + type(value).__name__
    message = str(error["msg"])
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return f"unknown field {error['loc'][-1]!r} (check the spelling)"
    if message.startswith("Value error, "):
        return message.removeprefix("Value error, ") + f" (got {shown})"
    if message.startswith("Assertion failed, "):
        return message.removeprefix("Assertion failed, ")
    return f"{message} (got {shown})"
