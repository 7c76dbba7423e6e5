"""Every role keeps lockdown's habits: a guard first, tags naming the check a task fixes, one reboot
signal, a README whose variable table is generated from meta/argument_specs.yml, and custom modules
documented the way ansible-doc shows them (EXAMPLES, RETURN with samples, notes, seealso).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from cutover import docgen
from cutover.evidence import facts

ROOT = Path(__file__).resolve().parents[2]
ROLES = sorted(p.parent.parent for p in ROOT.glob("roles/*/meta/argument_specs.yml"))
AREA_OF = {role: area for area, role in facts.ROLES.items()}
# Modules that only read or decide, and includes (they only choose which task file runs): they run for
# every check of the role (tagged with all of them).
READ_ONLY = {"ansible.builtin.assert", "ansible.builtin.set_fact", "cutover_ngav_facts", "cutover_office_facts",
             "cutover_mail_facts", "cutover_fileshare_readiness", "ansible.builtin.include_tasks"}
KEYWORDS = {"name", "tags", "when", "register", "loop", "loop_control", "vars", "become", "become_method",
            "become_user", "become_flags", "no_log", "ignore_errors", "failed_when", "changed_when", "async", "poll",
            "check_mode", "block", "rescue", "always", "notify", "delegate_to", "run_once", "environment", "until",
            "retries", "delay", "diff"}
MODULES = sorted([*ROOT.glob("roles/*/library/*.py"), *ROOT.glob("ansible/library/*.py")])


def tasks_of(role: Path) -> list[dict]:
    """Every task of the role's main.yml and of the task files it includes, blocks unfolded (the block
    itself is not a task; the include is)."""
    out = []

    def walk(items):
        for item in items or []:
            if any(k in item for k in ("block", "rescue", "always")):
                walk(item.get("block"))
                walk(item.get("rescue"))
                walk(item.get("always"))
            else:
                out.append(item)
                if "ansible.builtin.include_tasks" in item:
                    walk(yaml.safe_load((role / "tasks" / item["ansible.builtin.include_tasks"]).read_text("utf-8")))

    walk(yaml.safe_load((role / "tasks" / "main.yml").read_text(encoding="utf-8")))
    return out


def module_of(task: dict) -> str:
    [module] = [k for k in task if k not in KEYWORDS]
    return module


def producible_ids(role: Path) -> list[re.Pattern]:
    """Check ids the role's filter plugin can publish: literal ids, and f-string ids with their fixed parts."""
    patterns = []
    for path in (role / "filter_plugins").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.match(facts.CHECK_ID, node.value):
                patterns.append(re.compile(re.escape(node.value) + "$"))
            elif isinstance(node, ast.JoinedStr):
                parts = [re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z0-9_]+" for v in node.values]
                patterns.append(re.compile("".join(parts) + "$"))
    return patterns


def test_every_role_is_here():
    assert {r.name for r in ROLES} == set(facts.ROLES.values())


def remediation_tags(role: Path) -> set[str]:
    return {tag for task in tasks_of(role) if module_of(task) not in READ_ONLY for tag in task.get("tags") or []}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.name)
def test_the_guard_comes_first_and_runs_for_every_check(role):
    first = yaml.safe_load((role / "tasks" / "main.yml").read_text(encoding="utf-8"))[0]
    assert module_of(first) == "ansible.builtin.assert", role.name
    assert set(first["tags"]) == remediation_tags(role)
    that = " ".join(first["ansible.builtin.assert"]["that"])
    assert f"ansible_version.full is version({role.name}_min_ansible" in that
    assert "ansible_shell_type" in that and "powershell" in that


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.name)
def test_every_task_is_tagged_with_the_check_it_fixes(role):
    """``--tags <check id>`` runs the guard, the discovery, the tasks that fix that check and the record.

    Never ``always``: it would run another role's discovery under ``--tags office`` (module calls, and a
    fact for a role that was not asked for).
    """
    area = AREA_OF[role.name]
    ids = producible_ids(role)
    every = remediation_tags(role)
    assert every, role.name
    for task in tasks_of(role):
        tags = task.get("tags")
        assert tags, f"{role.name}: task without tags: {task['name']}"
        assert "always" not in tags, f"{role.name}: {task['name']} runs under every other role's tags"
        if module_of(task) in READ_ONLY:
            assert set(tags) == every, f"{role.name}: {task['name']} must run for every check of the role"
        for tag in tags:
            assert tag.startswith(f"{area}.") and re.match(facts.CHECK_ID, tag), f"{task['name']}: {tag}"
            assert any(p.match(tag) for p in ids), f"{role.name}: {tag} is not a check the role publishes"


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.name)
def test_defaults_and_argument_specs_name_the_same_variables(role):
    specs = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))
    options = specs["argument_specs"]["main"]["options"]
    defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text(encoding="utf-8"))
    assert set(options) == set(defaults)
    assert all(spec.get("description") for spec in options.values()), "every variable is described"


def test_role_readmes_have_the_generated_variable_tables():
    """Run ``bash scripts/docs`` after changing meta/argument_specs.yml or defaults/main.yml."""
    for relative, content in docgen.role_readmes(ROOT).items():
        current = (ROOT / relative).read_text(encoding="utf-8")
        assert docgen.BEGIN in current, f"{relative}: no generated variable table"
        assert current == content, f"{relative} is out of date: run bash scripts/docs"


def test_the_table_generator_reads_the_specs(tmp_path):
    role = tmp_path / "demo"
    (role / "meta").mkdir(parents=True)
    (role / "defaults").mkdir()
    (role / "meta" / "argument_specs.yml").write_text(
        "argument_specs:\n  main:\n    options:\n"
        "      demo_mode: {type: str, choices: [a, b], description: Which one.}\n"
        "      demo_list: {type: list, elements: int, default: [1], description: [Two, lines.]}\n"
        "      demo_token: {type: str, required: true, description: A | pipe.}\n", encoding="utf-8")
    (role / "defaults" / "main.yml").write_text("demo_mode: a\ndemo_list: [1]\n", encoding="utf-8")
    assert docgen.variables_table(role).splitlines()[2:] == [
        "| `demo_mode` | str (`a`, `b`) | `a` | Which one. |",
        "| `demo_list` | list of int | `[1]` | Two lines. |",
        "| `demo_token` | str | (required) | A \\| pipe. |"]
    readme = docgen.readme_with_table("# demo\n\nText.\n", "TABLE")
    assert readme.endswith(f"## Variables\n\n{docgen.BEGIN}\n{docgen.NOTICE}\n\nTABLE\n{docgen.END}\n")
    assert docgen.readme_with_table(readme, "NEW").count("NEW") == 1 and "TABLE" not in docgen.readme_with_table(
        readme, "NEW")


def _doc(path: Path, name: str):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return node.value.value
    return None


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.stem)
def test_custom_modules_are_documented_like_ansible_windows(module):
    documentation = yaml.safe_load(_doc(module, "DOCUMENTATION") or "{}")
    examples = yaml.safe_load(_doc(module, "EXAMPLES") or "[]")
    returns = yaml.safe_load(_doc(module, "RETURN") or "{}")
    assert documentation.get("module") == module.stem and documentation.get("short_description")
    assert examples and any(module.stem in task for task in examples), "EXAMPLES call the module"
    notes = " ".join(documentation.get("notes") or [])
    assert re.search(r"check mode", notes, re.IGNORECASE), "notes say how check mode behaves"
    assert documentation.get("seealso"), "seealso names the upstream modules or vendor pages"
    assert returns and all("sample" in spec for spec in returns.values()), \
        f"every return value has a sample: missing {[k for k, v in returns.items() if 'sample' not in v]}"
