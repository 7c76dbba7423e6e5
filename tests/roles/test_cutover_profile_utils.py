"""The shared PowerShell module_utils (Ansible.ModuleUtils.CutoverProfile): wired, read-only, every key disposed.

No PowerShell runs here: the rules are checked on the syntax tree (tree-sitter-powershell), and the
wiring with ansible-core's own module dependency finder, which is what builds the payload sent to a PC.
The behaviour is proven on Windows by the Pester suite and here through the twin modules.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell
from ansible.executor.powershell.module_manifest import PSModuleDepFinder
from ansible.plugins.loader import ps_module_utils_loader

ROOT = Path(__file__).resolve().parents[2]
UTILS = ROOT / "ansible" / "module_utils"
PSM1 = UTILS / "Ansible.ModuleUtils.CutoverProfile.psm1"
PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
DISCOVERY = sorted(p for p in ROOT.glob("roles/*/library/*.ps1")
                   if "Ansible.ModuleUtils.CutoverProfile" in p.read_text(encoding="utf-8"))
CHECKED = [PSM1, *DISCOVERY]


def tree(path: Path):
    return PARSER.parse(path.read_bytes()).root_node


def nodes(node, kind):
    if node.type == kind:
        yield node
    for child in node.children:
        yield from nodes(child, kind)


def text(node) -> str:
    return node.text.decode("utf-8")


def test_ansible_cfg_points_module_utils_at_the_shared_folder():
    config = configparser.ConfigParser()
    config.read(ROOT / "ansible.cfg")
    assert (ROOT / config["defaults"]["module_utils"]).resolve() == UTILS
    assert PSM1.is_file()


def test_ansible_packs_the_util_and_its_own_dependencies_with_a_module_that_requires_it():
    ps_module_utils_loader.add_directory(str(UTILS))
    finder = PSModuleDepFinder()
    module = (b"#!powershell\n#AnsibleRequires -CSharpUtil Ansible.Basic\n"
              b"#Requires -Module Ansible.ModuleUtils.CutoverProfile\n")
    dependencies = finder.scan_module(module)
    assert {"Ansible.ModuleUtils.CutoverProfile.psm1", "Ansible.ModuleUtils.PrivilegeUtil.psm1",
            "Ansible.ModuleUtils.AddType.psm1"} <= dependencies


@pytest.mark.parametrize("script", DISCOVERY, ids=lambda p: p.name)
def test_discovery_modules_load_the_util_with_requires(script):
    assert re.search(r"^#Requires -Module Ansible\.ModuleUtils\.CutoverProfile\s*$", script.read_text(encoding="utf-8"),
                     re.MULTILINE)


@pytest.mark.parametrize("script", CHECKED, ids=lambda p: p.name)
def test_strict_mode_2_and_no_native_commands(script):
    source = script.read_text(encoding="utf-8")
    assert re.search(r"^Set-StrictMode -Version 2\.0\s*$", source, re.MULTILINE)
    commands = set()
    for command in nodes(tree(script), "command"):
        words = text(command).split()
        # `& $ScriptBlock` runs the caller's script block; any other call operator could start a program.
        commands.add(" ".join(words[:2]).lower() if words[0] == "&" else words[0].lower())
    native = {c for c in commands if c.endswith(".exe") or c in ("reg", "cmd", "powershell")
              or (c.startswith("&") and c != "& $scriptblock")}
    assert not native, native
    data = bytearray(script.read_bytes())
    for comment in sorted(nodes(tree(script), "comment"), key=lambda n: -n.start_byte):
        del data[comment.start_byte:comment.end_byte]
    code = data.decode("utf-8")
    assert "2>&1" not in code and "reg.exe" not in code.lower()


@pytest.mark.parametrize("script", CHECKED, ids=lambda p: p.name)
def test_registry_is_read_through_disposed_keys_never_through_the_registry_provider(script):
    root = tree(script)
    source = text(root)
    # The registry provider's items hold key handles until the garbage collector runs (the defect
    # that left HKU\cutover_<SID> loaded): never walk user hives with *-Item* / Get-ChildItem.
    for command in nodes(root, "command"):
        line = text(command)
        if re.match(r"(?i)(Get-ChildItem|Get-Item|Get-ItemProperty|Set-ItemProperty|Test-Path)\b", line):
            assert not re.search(r"(?i)(Registry::|HKU:|HKEY_USERS|HKCU:)", line), line
    opened = 0
    for call in nodes(root, "invokation_expression"):
        member = next((c for c in call.children if c.type == "member_name"), None)
        if member is None or text(member) not in ("OpenSubKey", "CreateSubKey"):
            continue
        opened += 1
        parent = call
        while parent is not None and parent.type != "assignment_expression":
            parent = parent.parent
        assert parent is not None, f"{text(call)}: the key is used without being kept to dispose it"
        variable = text(next(nodes(parent.children[0], "variable")))
        finals = [text(f) for f in nodes(root, "finally_clause")]
        assert any(f"{variable}.Dispose()" in f for f in finals), f"{variable} is never disposed in a finally"
    assert opened or "OpenSubKey" not in source


def test_the_util_unloads_in_finally_after_collecting_stray_handles():
    finals = [text(f) for f in nodes(tree(PSM1), "finally_clause")]
    unload = [f for f in finals if "RegUnLoadKeyW" in f]
    assert len(unload) == 1
    body = unload[0]
    assert body.index("[System.GC]::Collect()") < body.index("WaitForPendingFinalizers") < body.index("RegUnLoadKeyW")
    assert "unload_error" in body  # reported, not thrown


def test_every_function_defined_is_exported_and_nothing_else():
    root = tree(PSM1)
    defined = {text(n.child_by_field_name("name") or n.children[1]) for n in nodes(root, "function_statement")}
    exported = set(re.findall(r"'([A-Za-z-]+)'", text(root).split("$exported = @(", 1)[1].split(")", 1)[0]))
    assert exported and exported <= defined
    internal = defined - exported
    assert internal == {"Format-CutoverWin32Error", "Enable-CutoverHivePrivilege"}


def test_profile_filter_takes_domain_local_and_entra_users_only():
    pattern = re.search(r"\$script:ProfileSid = '([^']+)'", PSM1.read_text(encoding="utf-8")).group(1)
    users = ["S-1-5-21-1004336348-1177238915-682003330-1001",
             "S-1-12-1-1111111111-2222222222-3333333333-4444444444"]
    others = ["S-1-5-18", "S-1-5-19", "S-1-5-20", "S-1-5-80-3139157870-2983391045-3678747466-658725712-1809340420",
              "S-1-5-21-1004336348-1177238915-682003330-1001.bak", "S-1-5-82-1036420768-1044797643"]
    assert all(re.match(pattern, sid) for sid in users)
    assert not any(re.match(pattern, sid) for sid in others)
