"""Bad input: every problem names the file, the line (YAML) or row (CSV) and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from cutover.inventory import InventoryError, load_inventory

SITE = "18-fukui"  # a pilot prefecture of the sample organisation
OTHER = "36-tokushima"


def problems_of(root: Path):
    with pytest.raises(InventoryError) as caught:
        load_inventory(root)
    return caught.value.problems


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line containing ``needle``."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found in {path}")


def replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def assert_one(problems, file: str, line: int | None, field: str, *words: str) -> None:
    matching = [p for p in problems if p.file == file and p.field == field and p.line == line]
    assert matching, f"no problem at {file}:{line} {field}; got:\n" + "\n".join(map(str, problems))
    text = matching[0].message
    for word in words:
        assert word in text, f"{word!r} not in message {text!r}"


def first_egress(root: Path, site: str = SITE) -> str:
    text = (root / site / "site.yml").read_text(encoding="utf-8")
    return text.split("egress:\n", 1)[1].splitlines()[0].strip().lstrip("- ").strip()


# ------------------------------------------------------------------------------------------------
# site.yml
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("10.1.2.3", ("not a public address", "10.0.0.0/8")),
        ("192.168.10.0/24", ("not a public address",)),
        ("100.64.1.1", ("not a public address",)),
        ("0.0.0.0/0", ("whole internet",)),
        ("203.0.113.8/31", ("/31",)),
        ("2001:db8::1", ("IPv4 only",)),
        ("not-an-ip", ("not an IPv4 address",)),
        ("203.0.113.9/29", ("not an IPv4 address", "host bits")),
    ],
)
def test_bad_egress_is_refused_at_its_line(inventory_copy, bad, words):
    site_yml = inventory_copy / SITE / "site.yml"
    good = first_egress(inventory_copy)
    replace(site_yml, f"- {good}\n", f"- {bad}\n")
    problems = problems_of(inventory_copy)
    assert_one(problems, f"{SITE}/site.yml", line_of(site_yml, bad), "offices[0].egress[0]", *words)


def test_egress_of_another_site_overlaps(inventory_copy):
    site_yml = inventory_copy / SITE / "site.yml"
    theirs = first_egress(inventory_copy, OTHER)
    replace(site_yml, f"- {first_egress(inventory_copy)}\n", f"- {theirs}\n")
    problems = problems_of(inventory_copy)
    # The later site in address order carries the problem; either way it names the other site.
    overlap = [p for p in problems if "overlaps" in p.message]
    assert len(overlap) == 1, problems
    assert overlap[0].field == "offices[0].egress[0]"
    assert overlap[0].file in (f"{SITE}/site.yml", f"{OTHER}/site.yml")
    assert overlap[0].line == line_of(inventory_copy / overlap[0].file, theirs)
    assert ("site " + OTHER) in overlap[0].message or ("site " + SITE) in overlap[0].message


def test_documentation_range_refused_in_a_real_organisation(inventory_copy):
    replace(inventory_copy / "organisation.yml", "sample: true", "sample: false")
    problems = problems_of(inventory_copy)
    site_yml = inventory_copy / SITE / "site.yml"
    assert_one(problems, f"{SITE}/site.yml", line_of(site_yml, first_egress(inventory_copy)),
               "offices[0].egress[0]", "documentation range", "RFC 5737")


def test_misspelt_field(inventory_copy):
    site_yml = inventory_copy / SITE / "site.yml"
    replace(site_yml, "identity_mode:", "identity_mod:")
    assert_one(problems_of(inventory_copy), f"{SITE}/site.yml", line_of(site_yml, "identity_mod:"),
               "identity_mod", "unknown field", "spelling")


def test_identity_mode_choice(inventory_copy):
    site_yml = inventory_copy / SITE / "site.yml"
    replace(site_yml, "identity_mode: hybrid", "identity_mode: federated")
    assert_one(problems_of(inventory_copy), f"{SITE}/site.yml", line_of(site_yml, "identity_mode:"),
               "identity_mode", "'hybrid' or 'cloud_only'", "federated")


def test_missing_required_field_points_at_its_parent(inventory_copy):
    site_yml = inventory_copy / SITE / "site.yml"
    text = site_yml.read_text(encoding="utf-8")
    site_yml.write_text("\n".join(line for line in text.splitlines() if not line.startswith("cost_centre:")) + "\n",
                        encoding="utf-8")
    assert_one(problems_of(inventory_copy), f"{SITE}/site.yml", line_of(site_yml, "code:"), "cost_centre",
               "required field is missing")


def test_invalid_share_name(inventory_copy):
    site_yml = inventory_copy / SITE / "site.yml"
    replace(site_yml, "- name: shared\n", "- name: Shared_Docs\n")
    assert_one(problems_of(inventory_copy), f"{SITE}/site.yml", line_of(site_yml, "Shared_Docs"),
               "file_shares[0].name", "Azure Files share name", "Shared_Docs")


def test_folder_permission_names_unknown_group(inventory_copy):
    site_yml = inventory_copy / SITE / "site.yml"
    replace(site_yml, "      officers: change\n  - name: 全体会議", "      auditors: change\n  - name: 全体会議")
    assert_one(problems_of(inventory_copy), f"{SITE}/site.yml", line_of(site_yml, "auditors: change"),
               "file_shares[0].folders[0].permissions.auditors", "unknown group 'auditors'", "officers")


def test_permission_level_must_be_read_change_full(inventory_copy):
    site_yml = inventory_copy / SITE / "site.yml"
    replace(site_yml, "      officers: change\n  - name: 全体会議", "      officers: write\n  - name: 全体会議")
    assert_one(problems_of(inventory_copy), f"{SITE}/site.yml", line_of(site_yml, "officers: write"),
               "file_shares[0].folders[0].permissions.officers", "'read', 'change' or 'full'")


def test_restricted_upload_folder_allows_one_writer(inventory_copy):
    site_yml = inventory_copy / SITE / "site.yml"
    text = site_yml.read_text(encoding="utf-8")
    start = text.index("restricted_upload: true")
    patched = text[:start] + text[start:].replace("officers: read", "officers: change", 1)
    site_yml.write_text(patched, encoding="utf-8")
    problems = problems_of(inventory_copy)
    assert_one(problems, f"{SITE}/site.yml", line_of(site_yml, "- name: 各県機関紙"), "file_shares[0].folders[2]",
               "exactly one group", "found 2")


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        ("policy: endpoint-readiness", "policy: storage-sharedkey-off", "waivers[0].policy",
         ("unknown policy", "storage-shared-key-disabled")),
        ("policy: endpoint-readiness", "policy: storage-https-only", "waivers[0].policy",
         ("cannot be waived",)),
        ("  expires: 2027-12-28\n", "", "waivers[0].expires", ("required field is missing",)),
        ("  expires: 2027-12-28\n", "  expires: someday\n", "waivers[0].expires", ("valid date",)),
    ],
)
def test_waivers_name_known_policies_and_expire(inventory_copy, old, new, field, words):
    site_yml = inventory_copy / SITE / "site.yml"
    replace(site_yml, old, new)
    problems = problems_of(inventory_copy)
    matching = [p for p in problems if p.file == f"{SITE}/site.yml" and p.field == field]
    assert matching, problems
    assert matching[0].line is not None and matching[0].line >= line_of(site_yml, "waivers:")
    for word in words:
        assert word in matching[0].message


def test_endpoint_waiver_names_a_known_pc(inventory_copy):
    site_yml = inventory_copy / SITE / "site.yml"
    text = site_yml.read_text(encoding="utf-8")
    host = text.split("scope: ", 1)[1].splitlines()[0]
    replace(site_yml, f"scope: {host}", "scope: P18-XX-999")
    assert_one(problems_of(inventory_copy), f"{SITE}/site.yml", line_of(site_yml, "scope: P18-XX-999"),
               "waivers[0].scope", "not a PC listed", "endpoints.csv")


def test_wave_must_be_declared(inventory_copy):
    site_yml = inventory_copy / SITE / "site.yml"
    replace(site_yml, "wave: 0\n", "wave: 9\n")
    assert_one(problems_of(inventory_copy), f"{SITE}/site.yml", line_of(site_yml, "wave: 9"), "wave",
               "not declared in organisation.yml")


def test_duplicate_yaml_key(inventory_copy):
    site_yml = inventory_copy / SITE / "site.yml"
    replace(site_yml, "wave: 0\n", "wave: 0\nwave: 1\n")
    assert_one(problems_of(inventory_copy), f"{SITE}/site.yml", line_of(site_yml, "wave: 1"), "wave",
               "duplicate key")


def test_yaml_syntax_error(inventory_copy):
    site_yml = inventory_copy / SITE / "site.yml"
    replace(site_yml, "groupware_ids: ", "groupware_ids: [")
    problems = problems_of(inventory_copy)
    assert any(p.file == f"{SITE}/site.yml" and p.field == "(syntax)" and p.line and "YAML syntax" in p.message
               for p in problems), problems


def test_code_must_match_folder(inventory_copy):
    site_yml = inventory_copy / SITE / "site.yml"
    replace(site_yml, "code: '18'", "code: '19'")
    assert_one(problems_of(inventory_copy), f"{SITE}/site.yml", line_of(site_yml, "code:"), "code",
               "does not match the folder", "'18'")


def test_drive_mapping_to_unknown_share(inventory_copy):
    site_yml = inventory_copy / SITE / "site.yml"
    replace(site_yml, "  share: shared\n  letter: S", "  share: common\n  letter: S")
    assert_one(problems_of(inventory_copy), f"{SITE}/site.yml", line_of(site_yml, "share: common"),
               "drive_mappings[0].share", "unknown share 'common'")


def test_contact_email(inventory_copy):
    site_yml = inventory_copy / SITE / "site.yml"
    replace(site_yml, "email: it@fukui.union.example", "email: it-at-fukui")
    assert_one(problems_of(inventory_copy), f"{SITE}/site.yml", line_of(site_yml, "it-at-fukui"),
               "contacts[0].email", "not a valid e-mail")


# ------------------------------------------------------------------------------------------------
# endpoints.csv
# ------------------------------------------------------------------------------------------------


def csv_row_of(path: Path, needle: str) -> int:
    return line_of(path, needle)


def csv_lines(path: Path) -> list[str]:
    """Lines of a CSV written by the generator (CRLF, as Excel writes them)."""
    return path.read_bytes().decode("utf-8-sig").split("\r\n")


def write_csv_lines(path: Path, lines: list[str]) -> None:
    path.write_bytes(("\ufeff" + "\r\n".join(lines)).encode("utf-8"))


@pytest.mark.parametrize(
    ("column", "bad", "words"),
    [
        ("hostname", "P18-DESKTOP-0001", ("Windows computer name", "1-15")),
        ("hostname", "P18_DT_001", ("Windows computer name",)),
        ("hostname", "12345", ("not only digits",)),
        ("ram_gib", "eight", ("valid integer",)),
        ("disk_media", "nvme", ("'ssd' or 'hdd'",)),
        ("form_factor", "tower", ("'desktop' or 'notebook'",)),
        ("last_seen", "2026/13/01", ("valid date",)),
        ("os_edition", "Windows 7 Pro", ("Windows 10 Pro",)),
    ],
)
def test_bad_endpoint_cell(inventory_copy, column, bad, words):
    path = inventory_copy / SITE / "endpoints.csv"
    header, first, *rest = csv_lines(path)
    cells = first.split(",")
    cells[header.split(",").index(column)] = bad
    write_csv_lines(path, [header, ",".join(cells), *rest])
    problems = problems_of(inventory_copy)
    assert_one(problems, f"{SITE}/endpoints.csv", 2, column, *words)


def test_os_build_must_match_edition(inventory_copy):
    path = inventory_copy / SITE / "endpoints.csv"
    row = next(line for line in csv_lines(path) if "Windows 11 Pro" in line)
    build = row.split(",")[7]
    replace(path, row, row.replace(build, "19045.5131"))
    assert_one(problems_of(inventory_copy), f"{SITE}/endpoints.csv", csv_row_of(path, row.split(",")[0]),
               "os_build", "does not match Windows 11 Pro")


def test_hostname_unique_across_the_organisation(inventory_copy):
    theirs = inventory_copy / OTHER / "endpoints.csv"
    ours = csv_lines(inventory_copy / SITE / "endpoints.csv")[1]
    host = ours.split(",")[0]
    write_csv_lines(theirs, [line for line in csv_lines(theirs) if line] + [ours, ""])
    assert_one(problems_of(inventory_copy), f"{OTHER}/endpoints.csv", csv_row_of(theirs, host), "hostname",
               "already used in 18-fukui/endpoints.csv")


def test_missing_and_unknown_columns(inventory_copy):
    path = inventory_copy / SITE / "endpoints.csv"
    replace(path, "ram_gib,", "memory,")
    problems = problems_of(inventory_copy)
    assert_one(problems, f"{SITE}/endpoints.csv", 1, "ram_gib", "missing column")
    assert_one(problems, f"{SITE}/endpoints.csv", 1, "memory", "unknown column")


def test_row_with_wrong_cell_count(inventory_copy):
    path = inventory_copy / SITE / "endpoints.csv"
    lines = csv_lines(path)
    lines[3] = lines[3] + ",extra"
    write_csv_lines(path, lines)
    assert_one(problems_of(inventory_copy), f"{SITE}/endpoints.csv", 4, "(row)", "10 cells", "header has 9")


def test_shift_jis_csv_from_excel_is_accepted(inventory_copy):
    path = inventory_copy / SITE / "mail.csv"
    path.write_bytes(path.read_text(encoding="utf-8-sig").encode("cp932"))
    inventory = load_inventory(inventory_copy)
    owners = {m.owner for m in inventory.sites["pref-18-fukui"].mail}
    assert any("本部" in owner for owner in owners)


# ------------------------------------------------------------------------------------------------
# mail.csv
# ------------------------------------------------------------------------------------------------


def mail_row(path: Path, predicate) -> str:
    return next(line for line in csv_lines(path)[1:] if line and predicate(line))


def test_invalid_mail_address(inventory_copy):
    path = inventory_copy / SITE / "mail.csv"
    row = mail_row(path, lambda r: True)
    replace(path, row, row.replace("@", "#", 1))
    assert_one(problems_of(inventory_copy), f"{SITE}/mail.csv", 2, "address", "not a valid e-mail")


def test_mail_client_choice(inventory_copy):
    path = inventory_copy / SITE / "mail.csv"
    row = mail_row(path, lambda r: ",garoon," in r)
    replace(path, row, row.replace(",garoon,", ",gmail,"))
    assert_one(problems_of(inventory_copy), f"{SITE}/mail.csv", csv_row_of(path, ",gmail,"), "client",
               "'garoon'", "gmail")


def test_mail_address_unique_across_sites(inventory_copy):
    ours = mail_row(inventory_copy / SITE / "mail.csv", lambda r: ",garoon," in r)
    theirs = inventory_copy / OTHER / "mail.csv"
    write_csv_lines(theirs, [line for line in csv_lines(theirs) if line] + [ours, ""])
    assert_one(problems_of(inventory_copy), f"{OTHER}/mail.csv", csv_row_of(theirs, ours.split(",")[0]),
               "address", "already listed in 18-fukui/mail.csv")


def test_mail_endpoint_must_be_a_pc_of_the_site(inventory_copy):
    path = inventory_copy / SITE / "mail.csv"
    row = mail_row(path, lambda r: "outlook" in r and r.split(",")[-1])
    replace(path, row, row.rsplit(",", 1)[0] + ",P36-DT-001")
    assert_one(problems_of(inventory_copy), f"{SITE}/mail.csv", csv_row_of(path, "P36-DT-001"), "endpoints",
               "P36-DT-001 is not a PC of this site")


def test_garoon_only_address_has_no_pc(inventory_copy):
    path = inventory_copy / SITE / "mail.csv"
    row = mail_row(path, lambda r: ",garoon," in r and r.endswith(","))
    replace(path, row, row + "P18-DT-001")
    assert_one(problems_of(inventory_copy), f"{SITE}/mail.csv", csv_row_of(path, row.split(",")[0]),
               "endpoints", "Garoon-only")


# ------------------------------------------------------------------------------------------------
# the folder itself
# ------------------------------------------------------------------------------------------------


def test_missing_site_file(inventory_copy):
    (inventory_copy / SITE / "mail.csv").unlink()
    problems = problems_of(inventory_copy)
    assert_one(problems, f"{SITE}/mail.csv", None, "(file)", "missing")


def test_unknown_site_folder(inventory_copy):
    (inventory_copy / "48-mars").mkdir()
    assert_one(problems_of(inventory_copy), "48-mars", None, "(folder)", "unknown site", "JIS X 0401")


def test_every_problem_is_reported_at_once(inventory_copy):
    replace(inventory_copy / SITE / "site.yml", "identity_mode:", "identity_mod:")
    replace(inventory_copy / OTHER / "site.yml", "wave: 0\n", "wave: 9\n")
    files = {p.file for p in problems_of(inventory_copy)}
    assert {f"{SITE}/site.yml", f"{OTHER}/site.yml"} <= files
