"""Contracts: the twin's modules match the real ones, and roles only call modules the twin has.

- Upstream modules (ansible.windows / community.windows): the twin's options equal the documented ones of
  the installed collections.
- Our PowerShell modules, three ways: the `.py` documentation stub, the `.ps1` `$spec` (read with
  tree-sitter from the syntax tree) and the twin module agree on option names, types, defaults, choices,
  required and elements, and on check-mode support; the documented RETURN keys agree with the keys the
  `.ps1` sets on `$module.Result` and with what the twin module returns on the states of the shared vectors.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import ansible_collections.ansible.windows as ansible_windows
import ansible_collections.community.windows as community_windows
import pytest
import yaml

from cutover.twin import modules as twin_modules
from tests.pwsh import psast
from tests.vectors import vectorlib

twin_modules.load_all()
ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = {"ansible.windows": Path(ansible_windows.__path__[0]),
               "community.windows": Path(community_windows.__path__[0])}
NOT_WINDOWS = ("ansible.builtin.", "ansible.windows.setup")  # controller-side or gathered facts
CUSTOM = sorted([*ROOT.glob("roles/*/library/*.ps1"), *ROOT.glob("ansible/library/*.ps1")])
# Keys every module may return without documenting them (AnsibleModule's own).
COMMON_RETURNS = {"changed", "failed", "msg", "skipped", "warnings", "deprecations", "invocation"}
FIELDS = ("type", "default", "choices", "required", "elements")


def _doc_block(doc_source: Path, name: str) -> Any:
    tree = ast.parse(doc_source.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == name:
            return yaml.safe_load(node.value.value)
    raise AssertionError(f"no {name} in {doc_source}")


def documented_options(doc_source: Path) -> dict[str, dict]:
    options = _doc_block(doc_source, "DOCUMENTATION").get("options") or {}
    return {name: {"type": spec.get("type", "str"), "default": spec.get("default"),
                   "choices": spec.get("choices"), "required": bool(spec.get("required", False)),
                   "elements": spec.get("elements")} for name, spec in options.items()}


def documented_returns(doc_source: Path) -> dict[str, str]:
    """RETURN key -> its 'returned' condition."""
    return {key: str(spec.get("returned", "")) for key, spec in (_doc_block(doc_source, "RETURN") or {}).items()}


def spec_options(spec: dict[str, Any]) -> dict[str, dict]:
    """A .ps1 $spec's options in the same shape (Ansible.Basic: type defaults to str, required to false)."""
    return {name: {"type": o.get("type", "str"), "default": o.get("default"), "choices": o.get("choices"),
                   "required": bool(o.get("required", False)), "elements": o.get("elements")}
            for name, o in (spec.get("options") or {}).items()}


def option_differences(left: dict[str, dict], right: dict[str, dict], names: tuple[str, str]) -> list[str]:
    found = []
    for option in sorted(set(left) | set(right)):
        if option not in left or option not in right:
            found.append(f"option {option!r} only in {names[0] if option in left else names[1]}")
            continue
        for field in FIELDS:
            if left[option][field] != right[option][field]:
                found.append(f"{option}.{field}: {names[0]} {left[option][field]!r} "
                             f"!= {names[1]} {right[option][field]!r}")
    return found


def return_problems(documented: dict[str, str], returned: dict[str, list[set[str]]]) -> list[str]:
    """Documented keys against what each side returns: `returned` maps a side to the key sets it produced."""
    found = []
    always = {k for k, when in documented.items() if when == "always"}
    for side, results in returned.items():
        for keys in results:
            missing = always - keys
            if missing:
                found.append(f"{side} does not return documented key(s) {sorted(missing)}")
            extra = keys - set(documented) - COMMON_RETURNS
            if extra:
                found.append(f"{side} returns undocumented key(s) {sorted(extra)}")
    return sorted(set(found))


def real_doc_path(name: str) -> Path:
    if name.count(".") == 2:
        namespace, collection, module = name.split(".")
        return COLLECTIONS[f"{namespace}.{collection}"] / "plugins" / "modules" / f"{module}.py"
    found = [*ROOT.glob(f"roles/*/library/{name}.py"), *ROOT.glob(f"ansible/library/{name}.py")]
    assert len(found) == 1, f"{name}: expected one documentation file in roles/*/library or ansible/library, " \
                            f"found {found}"
    return found[0]


def twin_result_keys(name: str) -> list[set[str]]:
    """Keys of the twin module's result on every vector state of that module that does not fail."""
    results = []
    for path in vectorlib.vector_files():
        if path.parent.name == name:
            result, _ = vectorlib.run_on_twin(vectorlib.load(path))
            if not result.get("failed"):
                results.append(set(result))
    return results


# ------------------------------------------------------------------------------------------------
# upstream modules: twin == installed collection documentation
# ------------------------------------------------------------------------------------------------

UPSTREAM = sorted(n for n in twin_modules.REGISTRY if n.count(".") == 2)


@pytest.mark.parametrize("name", UPSTREAM)
def test_twin_upstream_module_options_equal_the_collection(name):
    assert twin_modules.REGISTRY[name].options == documented_options(real_doc_path(name))


# ------------------------------------------------------------------------------------------------
# our modules: .py documentation == .ps1 $spec == twin
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("script", CUSTOM, ids=lambda p: p.stem)
def test_custom_module_options_agree_doc_ps1_and_twin(script):
    documented = documented_options(script.with_suffix(".py"))
    declared = spec_options(psast.module_spec(script))
    assert script.stem in twin_modules.REGISTRY, f"{script.stem}: no twin module"
    twin = twin_modules.REGISTRY[script.stem].options
    found = option_differences(documented, declared, (".py", ".ps1"))
    found += option_differences(documented, twin, (".py", "twin"))
    assert not found, f"{script.stem}:\n  " + "\n  ".join(found)


@pytest.mark.parametrize("script", CUSTOM, ids=lambda p: p.stem)
def test_custom_module_check_mode_support_agrees(script):
    declared = bool(psast.module_spec(script).get("supports_check_mode", False))
    assert twin_modules.REGISTRY[script.stem].supports_check_mode is declared


@pytest.mark.parametrize("script", CUSTOM, ids=lambda p: p.stem)
def test_custom_module_returns_what_it_documents(script):
    documented = documented_returns(script.with_suffix(".py"))
    twin = twin_result_keys(script.stem)
    assert twin, f"{script.stem}: no vector gives a successful twin result to check the returns against"
    found = return_problems(documented, {".ps1 ($module.Result)": [psast.result_keys(script)], "twin": twin})
    assert not found, f"{script.stem}:\n  " + "\n  ".join(found)


def test_the_option_contract_catches_a_changed_default():
    script = ROOT / "roles/mail_client/library/cutover_mail_facts.ps1"
    source = script.read_text(encoding="utf-8")
    assert "load_unloaded_hives = @{ type = 'bool'; default = $true }" in source
    split_and_changed = "load_unloaded_hives = @{\n            type = 'bool'\n            default = $false\n        }"
    source = source.replace("load_unloaded_hives = @{ type = 'bool'; default = $true }", split_and_changed)
    changed = psast.literal(psast.assignments(psast.parse(source.encode()), "$spec")[0])
    found = option_differences(documented_options(script.with_suffix(".py")), spec_options(changed), (".py", ".ps1"))
    assert found == ["load_unloaded_hives.default: .py True != .ps1 False"]


def test_the_return_contract_catches_a_renamed_key():
    documented = documented_returns(ROOT / "roles/mail_client/library/cutover_mail_facts.py")
    renamed = [{"changed", "users", "outlook_accounts", "thunderbird", "running"}]
    assert return_problems(documented, {"twin": renamed}) == [
        "twin does not return documented key(s) ['outlook']", "twin returns undocumented key(s) ['outlook_accounts']"]


def test_the_spec_is_read_from_the_syntax_tree_not_the_layout():
    one_line = (b"$spec = @{ options = @{ a = @{ type = 'list'; elements = 'str'; default = 'x', 'y' } }; "
                b"supports_check_mode = $true }")
    commented = (b"$spec = @{\n    # the options\n    options = @{\n        a = @{\n"
                 b"            type = 'list' # a list\n            elements = 'str'\n"
                 b"            default = @('x', 'y')\n        }\n    }\n    supports_check_mode = $true\n}")
    spec = {"options": {"a": {"type": "list", "elements": "str", "default": ["x", "y"]}}, "supports_check_mode": True}
    for source in (one_line, commented):
        assert psast.literal(psast.assignments(psast.parse(source), "$spec")[0]) == spec
    with pytest.raises(psast.NotALiteral):
        psast.literal(psast.assignments(psast.parse(b"$spec = @{ options = $shared }"), "$spec")[0])


# ------------------------------------------------------------------------------------------------
# roles only call what the twin has
# ------------------------------------------------------------------------------------------------

def role_task_modules() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    keywords = {"name", "when", "register", "loop", "no_log", "block", "always", "rescue", "tags", "notify",
                "changed_when", "failed_when", "vars", "become", "become_user", "become_method", "become_flags",
                "delegate_to", "run_once", "until", "retries", "delay", "ignore_errors", "loop_control", "check_mode",
                "environment", "args", "listen", "async", "poll", "throttle", "any_errors_fatal", "timeout"}

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
    module = twin_modules.REGISTRY["ansible.windows.win_package"]
    with pytest.raises(twin_modules.TwinError, match="does not model option 'chdir'"):
        twin_modules.bind(module, {"path": "C:\\setup.msi", "chdir": "C:\\Temp"})
