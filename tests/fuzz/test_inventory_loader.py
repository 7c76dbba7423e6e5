"""Any site.yml, endpoints.csv or mail.csv either loads or is refused with the file and line/row named."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cutover.inventory import Inventory, InventoryError, load_inventory
from tests.fuzz.conftest import SITE_FOLDER, corpus, outcome, snapshot

FILES = ("site.yml", "endpoints.csv", "mail.csv")
YAML_SPECIALS = "&*!|>%@`'\"{}[],:#-?<=~\t\n\r\x00\ufeff\u2028ー福井"
CSV_SPECIALS = ",;\t\"'\n\r=+-@\x00\ufeff福井"


def check(root: Path, rel: str, data: bytes) -> None:
    before = snapshot(root)
    try:
        loaded = load_inventory(root, overrides={rel: data})
    except InventoryError as exc:
        assert exc.exit_code == 2
        assert exc.problems
        for problem in exc.problems:
            assert problem.file and problem.field and problem.message, problem
            assert problem.line is None or problem.line >= 1, problem
        outcome("refused")
    else:
        assert isinstance(loaded, Inventory)
        outcome("loaded")
    assert snapshot(root) == before  # reading never writes


def mutate(draw, text: str, specials: str) -> str:
    """A person's edit gone wrong: characters replaced, inserted or deleted, lines duplicated or dropped."""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "replace_line", "delete_line", "duplicate_line", "truncate"]))
        index = draw(st.integers(0, max(len(lines) - 1, 0)))
        if kind == "insert" and lines:
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(st.text(alphabet=specials + "abc09 ", max_size=12)) + line[at:]
        elif kind == "replace_line":
            lines[index:index + 1] = [draw(st.text(alphabet=specials + "abcxyz09 ", max_size=40)) + "\n"]
        elif kind == "delete_line" and lines:
            del lines[index]
        elif kind == "duplicate_line" and lines:
            lines.insert(index, lines[index])
        elif kind == "truncate":
            lines = lines[:index]
    return "".join(lines)


@given(data=st.data(), name=st.sampled_from(FILES))
def test_an_edited_site_file_loads_or_is_refused_with_its_location(inventory_root, data, name):
    original = (inventory_root / SITE_FOLDER / name).read_text(encoding="utf-8-sig")
    edited = mutate(data.draw, original, YAML_SPECIALS if name.endswith(".yml") else CSV_SPECIALS)
    check(inventory_root, f"{SITE_FOLDER}/{name}", edited.encode("utf-8", "surrogatepass"))


@given(name=st.sampled_from(FILES), raw=st.binary(max_size=400))
@example(name="site.yml", raw=b"a: &a [1]\nb: *a\n")
@example(name="site.yml", raw=b"? [1, 2]\n: x\n")
@example(name="endpoints.csv", raw=b'hostname\n"unclosed')
@example(name="mail.csv", raw=b"\xff\xfe\x00a")
def test_any_bytes_load_or_are_refused_with_their_location(inventory_root, name, raw):
    check(inventory_root, f"{SITE_FOLDER}/{name}", raw)


@pytest.mark.parametrize("path", corpus("inventory"), ids=lambda p: p.name)
def test_corpus(inventory_root, path):
    name = next(f for f in FILES if path.name.endswith(f))
    check(inventory_root, f"{SITE_FOLDER}/{name}", path.read_bytes())
