"""Contracts: the twin's modules match the real ones, roles only call modules the twin has, PowerShell parses."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import ansible_collections.ansible.windows as ansible_windows
import ansible_collections.community.windows as community_windows
import pytest
import tree_sitter
import tree_sitter_powershell
import yaml

from cutover.twin import modules as twin_modules

twin_modules.load_all()
ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = {"ansible.windows": Path(ansible_windows.__path__[0]),
               "community.windows": Path(community_windows.__path__[0])}
NOT_WINDOWS = ("ansible.builtin.", "ansible.windows.setup")  # controller-side or gathered facts


def documented_options(doc_source: Path) -> dict[str, dict]:
    tree = ast.parse(doc_source.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DOCUMENTATION":
            options = yaml.safe_load(node.value.value).get("options") or {}
            return {name: {"type": spec.get("type", "str"), "default": spec.get("default"),
                           "choices": spec.get("choices"), "required": bool(spec.get("required", False)),
                           "elements": spec.get("elements")} for name, spec in options.items()}
    raise AssertionError(f"no DOCUMENTATION in {doc_source}")


def real_doc_path(name: str) -> Path:
    if name.count(".") == 2:
        namespace, collection, module = name.split(".")
        return COLLECTIONS[f"{namespace}.{collection}"] / "plugins" / "modules" / f"{module}.py"
    found = list(ROOT.glob(f"roles/*/library/{name}.py"))
    assert len(found) == 1, f"{name}: expected one documentation file in roles/*/library, found {found}"
    return found[0]


@pytest.mark.parametrize("name", sorted(twin_modules.REGISTRY))
def test_twin_module_options_equal_the_real_modules(name):
    assert twin_modules.REGISTRY[name].options == documented_options(real_doc_path(name))


@pytest.mark.parametrize("doc", sorted(ROOT.glob("roles/*/library/*.py")), ids=lambda p: p.stem)
def test_our_powershell_modules_declare_what_they_document(doc):
    script = doc.with_suffix(".ps1").read_text(encoding="utf-8")
    spec_block = script.split("$spec = @{", 1)[1].split("supports_check_mode", 1)[0]
    declared = set(re.findall(r"^\s{8}(\w+) = @\{", spec_block, flags=re.MULTILINE))
    assert declared == set(documented_options(doc))


def role_task_modules() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    keywords = {"name", "when", "register", "loop", "no_log", "block", "always", "rescue", "tags", "notify",
                "changed_when", "failed_when", "vars", "become", "delegate_to", "run_once", "until", "retries",
                "delay", "ignore_errors", "loop_control", "check_mode", "environment", "args", "listen",
                "become_method", "become_user", "become_flags", "async", "poll"}

    def walk(tasks, where):
        for task in tasks or []:
            for key in ("block", "always", "rescue"):
                walk(task.get(key), where)
            modules = [k for k in task if k not in keywords]
            for module in modules:
                found.setdefault(module, set()).add(where)

    for path in ROOT.glob("roles/*/tasks/*.yml"):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), str(path.relative_to(ROOT)))
    return found


def test_every_windows_module_a_role_calls_exists_in_the_twin():
    used = role_task_modules()
    assert used, "no role tasks found"
    windows = {m for m in used if not m.startswith(NOT_WINDOWS)}
    missing = {m: sorted(w) for m, w in used.items() if m in windows and m not in twin_modules.REGISTRY}
    assert missing == {}, f"roles call modules the twin lacks: {missing}"


def test_a_module_the_twin_lacks_fails_loudly():
    state = {"module_calls": {"total": 0, "by_module": {}}}
    with pytest.raises(twin_modules.TwinError, match="has no module"):
        twin_modules.execute(state, "ansible.windows.win_updates", {})


def test_unmodelled_option_is_refused_not_ignored():
    module = twin_modules.REGISTRY["ansible.windows.win_regedit"]
    with pytest.raises(twin_modules.TwinError, match="does not model option 'hive'"):
        twin_modules.bind(module, {"path": "HKLM:\\SOFTWARE\\X", "hive": "C:\\Users\\u\\NTUSER.DAT"})


PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def parse_errors(source: bytes) -> list[str]:
    errors = []

    def walk(node):
        if node.type == "ERROR" or node.is_missing:
            errors.append(f"line {node.start_point[0] + 1}: {node.text[:60]!r}")
        for child in node.children:
            walk(child)

    walk(PARSER.parse(source).root_node)
    return errors


POWERSHELL = sorted(p for p in ROOT.rglob("*.ps*1") if ".venv" not in p.parts and "build" not in p.parts
                    and p.suffix in (".ps1", ".psm1"))


def test_there_is_powershell_to_check():
    assert len(POWERSHELL) >= 5


@pytest.mark.parametrize("script", POWERSHELL, ids=lambda p: str(p.relative_to(ROOT)))
def test_powershell_parses_with_tree_sitter(script):
    assert parse_errors(script.read_bytes()) == []


def test_the_parser_does_catch_broken_powershell():
    assert parse_errors(b"function Get-X {\n  $a = @{ b = 1\n") != []
