"""Load and validate an inventory directory; every problem is collected before anything fails."""

from __future__ import annotations

import hashlib
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


def default_root() -> Path:
    """The embedded sample organisation: ``inventories/`` at the project root."""
    return Path(__file__).resolve().parents[3] / "inventories"


def load_inventory(root: Path | str | None = None) -> Inventory:
    """Validate the whole inventory under ``root``; raise :class:`InventoryError` listing every problem."""
    root = Path(root) if root is not None else default_root()
    if not root.is_dir():
        raise InventoryError([Problem(str(root), None, "(directory)", "inventory directory not found")])
    problems: list[Problem] = []
    digest = hashlib.sha256()

    org_path = root / ORGANISATION_FILE
    organisation = None
    if not org_path.is_file():
        problems.append(Problem(ORGANISATION_FILE, None, "(file)", "missing: the organisation file is required"))
    else:
        digest.update(org_path.read_bytes())
        organisation = _validate_yaml(org_path, ORGANISATION_FILE, Organisation, problems)

    loaded: dict[str, Site] = {}
    lines_by_site: dict[str, dict[Any, int]] = {}
    for entry in sorted(root.iterdir()):
        if entry.name in NOT_SITES or entry.name.startswith("."):
            continue
        if not entry.is_dir():
            problems.append(Problem(entry.name, None, "(file)",
                                    "unexpected file; the inventory holds organisation.yml and one folder per site"))
            continue
        try:
            site_id = site_names.canonical_site_id(entry.name)
        except site_names.UnknownSiteError as exc:
            problems.append(Problem(entry.name, None, "(folder)", str(exc)))
            continue
        if site_id in loaded:
            problems.append(Problem(entry.name, None, "(folder)",
                                    f"a second folder for site {site_id} ({loaded[site_id].folder} exists)"))
            continue
        site, lines = _load_site(entry, site_id, problems, digest)
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
    return Inventory(root=str(root), organisation=organisation, sites=ordered, revision=digest.hexdigest()[:16])


def _load_site(folder: Path, site_id: str, problems: list[Problem], digest: Any) -> tuple[Site | None, dict]:
    rel = folder.name
    paths = {name: folder / name for name in (SITE_FILE, ENDPOINTS_FILE, MAIL_FILE)}
    for name, path in paths.items():
        if not path.is_file():
            problems.append(Problem(f"{rel}/{name}", None, "(file)", "missing: every site folder needs "
                                    f"{SITE_FILE}, {ENDPOINTS_FILE} and {MAIL_FILE}"))
    unexpected = sorted(p.name for p in folder.iterdir() if p.name not in paths and not p.name.startswith("."))
    for name in unexpected:
        problems.append(Problem(f"{rel}/{name}", None, "(file)",
                                "unexpected file in a site folder "
                                f"(expected {SITE_FILE}, {ENDPOINTS_FILE}, {MAIL_FILE})"))
    if not all(p.is_file() for p in paths.values()):
        return None, {}
    for path in paths.values():
        digest.update(path.read_bytes())

    before = len(problems)
    site_file = _validate_yaml(paths[SITE_FILE], f"{rel}/{SITE_FILE}", SiteFile, problems, keep_lines=True)
    lines: dict[Any, int] = {}
    if isinstance(site_file, tuple):
        site_file, lines = site_file
    endpoints = _validate_csv(paths[ENDPOINTS_FILE], f"{rel}/{ENDPOINTS_FILE}", ENDPOINT_COLUMNS, Endpoint, problems)
    mail = _validate_csv(paths[MAIL_FILE], f"{rel}/{MAIL_FILE}", MAIL_COLUMNS, MailAddress, problems)
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


def _validate_yaml(path: Path, rel: str, model: type[BaseModel], problems: list[Problem], keep_lines: bool = False):
    data, lines, found = yamlsource.load(path, rel)
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


def _validate_csv(path: Path, rel: str, columns: tuple[str, ...], model: type[BaseModel],
                  problems: list[Problem]) -> list[tuple[int, Any]]:
    rows, found = csvsource.read_rows(path, rel, columns)
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
