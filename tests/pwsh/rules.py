"""Static rules for the PowerShell of this repository: Windows PowerShell 5.1 syntax and the Windows pitfalls.

Every custom module runs on the PCs under Windows PowerShell 5.1 inside Ansible's module wrapper, which sets
``$ErrorActionPreference = 'Stop'``. The rules (ids in ``RULES``):

- PowerShell 7 syntax that 5.1 rejects: ``&&``/``||`` pipeline chains, ``ForEach-Object -Parallel``,
  ``??``/``??=``, ``?.``/``?[]`` and the ternary ``a ? b : c`` (tree-sitter-powershell parses the PowerShell 7
  grammar: chains and ``-Parallel`` parse, so they are looked for; the others do not parse, and the syntax
  error is named after the construct);
- native programs (``reg.exe``, ``robocopy.exe``, ``schtasks.exe`` ...): no redirection of their error stream
  (``2>&1``, ``2>$null``, ``*>``), their exit code checked (``$LASTEXITCODE`` after the call), and the call
  inside ``try`` with a ``catch``: under ``Stop``, Windows PowerShell 5.1 turns the first line a native
  program writes to stderr into a terminating error (PowerShell 7.2 changed this, 5.1 never did:
  https://learn.microsoft.com/powershell/scripting/learn/experimental-features#psnotapplyerroractiontostderr);
- every custom module (``roles/*/library/*.ps1``) calls ``Set-StrictMode``;
- a registry key opened through .NET (``OpenSubKey``, ``CreateSubKey``, ``OpenBaseKey``, ``OpenRemoteBaseKey``)
  is held in a variable and disposed (``Dispose()``/``Close()``) in a ``finally`` that covers it: an open key
  keeps a loaded hive from unloading.

What is not checked, and why: keys returned by the registry *provider* (``Get-Item``/``Get-ChildItem`` on
``HKLM:``/``Registry::`` paths) also hold handles, but whether a call reaches the registry depends on a path
that is usually in a variable, and the objects flow through pipelines and loops; a static rule would either
miss them or flag every file cmdlet. The Windows runners check the consequence instead: after every vector
no hive may be left loaded (tests/pester/CutoverVectors.psm1). Native programs invoked through a variable
(``& $exe``) are not recognised either; use ``[System.Diagnostics.Process]`` or Ansible's ``Run-Command``.

Usage: ``python -m tests.pwsh.rules [FILE ...]`` (default: every .ps1/.psm1 of the repository).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import tree_sitter

from tests.pwsh import psast

RULES = {
    "parse-error": "does not parse as PowerShell",
    "ps51-pipeline-chain": "'&&' and '||' pipeline chains are PowerShell 7 syntax; Windows PowerShell 5.1 rejects them",
    "ps51-parallel": "ForEach-Object -Parallel is PowerShell 7 only",
    "ps51-null-coalescing": "'??' and '??=' are PowerShell 7 syntax; Windows PowerShell 5.1 rejects them",
    "ps51-null-conditional": "'?.' and '?[]' are PowerShell 7 syntax; Windows PowerShell 5.1 rejects them",
    "ps51-ternary": "the ternary 'a ? b : c' is PowerShell 7 syntax; Windows PowerShell 5.1 rejects it",
    "native-stderr-redirect": "redirects a native program's stderr: under $ErrorActionPreference='Stop' Windows "
                              "PowerShell 5.1 turns its first stderr line into a terminating error",
    "native-exit-code": "runs a native program without checking $LASTEXITCODE afterwards",
    "native-outside-try": "runs a native program outside try/catch: under $ErrorActionPreference='Stop' its "
                          "stderr ends the module with an unhandled error",
    "strict-mode": "a custom module must call Set-StrictMode",
    "registry-key-dispose": "opens a registry key without disposing it in a finally block that covers it",
}

NATIVE_PROGRAMS = {"reg", "robocopy", "schtasks", "sc", "net", "net1", "netsh", "icacls", "takeown", "cmd", "dsregcmd",
                   "msiexec", "wmic", "whoami", "certutil", "auditpol", "gpupdate", "bcdedit", "manage-bde",
                   "vssadmin", "wevtutil", "shutdown", "setup", "powershell", "pwsh", "klist", "nltest", "cscript",
                   "wscript", "rundll32", "regsvr32", "dism", "sfc", "fsutil", "attrib", "xcopy", "ntrmv"}
FOREACH_NAMES = {"foreach-object", "foreach", "%"}
REGISTRY_OPENERS = {"opensubkey", "createsubkey", "openbasekey", "openremotebasekey"}
SCOPES = {"function_statement", "script_block_expression", "program"}


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {RULES[self.rule]} ({self.detail})"


def _ancestors(node: tree_sitter.Node):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _scope(node: tree_sitter.Node) -> tree_sitter.Node:
    return next(a for a in _ancestors(node) if a.type in SCOPES)


def _statement(node: tree_sitter.Node) -> tree_sitter.Node:
    """The statement holding ``node``: its ancestor (or itself) that sits directly in a statement_list."""
    current = node
    while current.parent is not None and current.parent.type not in ("statement_list", "program"):
        current = current.parent
    return current


# ------------------------------------------------------------------------------------------------
# PowerShell 7 syntax
# ------------------------------------------------------------------------------------------------

def _syntax(tree: tree_sitter.Tree, source: bytes) -> list[tuple[int, str, str]]:
    found = []
    for node in psast.walk(tree.root_node):
        if node.type == "pipeline_chain_tail":
            found.append((psast.line(node), "ps51-pipeline-chain", psast.text(node).strip()))
        elif node.type == "command":
            name = node.child_by_field_name("command_name") or next(
                (c for c in node.children if c.type in ("command_name", "command_name_expr")), None)
            if name is not None and psast.text(name).lower() in FOREACH_NAMES:
                for part in psast.walk(node):
                    if part.type == "command_parameter" and "-parallel".startswith(psast.text(part).lower()) \
                            and len(psast.text(part)) > 2:
                        found.append((psast.line(part), "ps51-parallel", psast.text(node)[:60]))
    for error in psast.parse_errors(tree):
        if any(a.type == "ERROR" for a in _ancestors(error)):
            continue  # the outermost error names the problem
        start, end = error.start_byte, error.end_byte
        around = source[start:min(len(source), end + 2)].decode("utf-8", errors="replace")
        statement = psast.text(_statement(error))
        if "??" in around:
            rule = "ps51-null-coalescing"
        elif re.search(r"\?\s*[.\[]", around):
            rule = "ps51-null-conditional"
        elif "?" in around and ":" in statement[statement.find("?"):]:
            rule = "ps51-ternary"
        else:
            rule = "parse-error"
        found.append((psast.line(error), rule, statement.strip().splitlines()[0][:60] if statement.strip() else ""))
    return found


# ------------------------------------------------------------------------------------------------
# native programs
# ------------------------------------------------------------------------------------------------

def _command_name(node: tree_sitter.Node) -> str | None:
    for child in node.children:
        if child.type == "command_name":
            return psast.text(child)
        if child.type == "command_name_expr":
            inner = psast.unwrap(child.named_children[0]) if child.named_child_count else child
            if inner.type == "string_literal":
                try:
                    return psast.literal(inner)
                except psast.NotALiteral:
                    return None
            return psast.text(inner) if inner.type == "command_name" else None
    return None


def _is_native(name: str) -> bool:
    base = name.replace("/", "\\").rsplit("\\", 1)[-1].lower()
    return base.endswith((".exe", ".com", ".bat", ".cmd")) or base in NATIVE_PROGRAMS


def _native_calls(tree: tree_sitter.Tree) -> list[tuple[tree_sitter.Node, str]]:
    calls = []
    for node in psast.walk(tree.root_node):
        if node.type == "command":
            name = _command_name(node)
            if name and _is_native(name):
                calls.append((node, name))
    return calls


def _redirects_stderr(command: tree_sitter.Node) -> str | None:
    for part in psast.walk(command):
        if part.type in ("merging_redirection_operator", "file_redirection_operator"):
            if psast.text(part).strip().startswith(("2>", "*>")):
                return psast.text(part).strip()
        elif part.type == "generic_token" and re.match(r"^[2*]>", psast.text(part)):
            return psast.text(part)
    return None


def _exit_code_checked(command: tree_sitter.Node, native_nodes: set[int]) -> bool:
    statement = _statement(command)
    sibling = statement.next_named_sibling
    while sibling is not None:
        nested = [n.start_byte for n in psast.walk(sibling) if n.id in native_nodes]
        until = min(nested) if nested else sibling.end_byte
        if any(n.type == "variable" and psast.text(n).lower() == "$lastexitcode" and n.start_byte < until
               for n in psast.walk(sibling)):
            return True
        if nested:
            return False  # another native call: its exit code replaces this one's
        sibling = sibling.next_named_sibling
    return False


def _inside_try_with_catch(node: tree_sitter.Node) -> bool:
    scope = _scope(node)
    for ancestor in _ancestors(node):
        if ancestor.id == scope.id:
            return False
        is_try_body = ancestor.type == "statement_block" and ancestor.parent is not None \
            and ancestor.parent.type == "try_statement" and ancestor.parent.children[1].id == ancestor.id
        if is_try_body and any(c.type == "catch_clauses" for c in ancestor.parent.children):
            return True
    return False


def _natives(tree: tree_sitter.Tree) -> list[tuple[int, str, str]]:
    found = []
    calls = _native_calls(tree)
    ids = {c.id for c, _ in calls}
    for command, name in calls:
        where = psast.line(command)
        redirect = _redirects_stderr(command)
        if redirect:
            found.append((where, "native-stderr-redirect", f"{name} {redirect}"))
        if not _exit_code_checked(command, ids):
            found.append((where, "native-exit-code", name))
        if not _inside_try_with_catch(command):
            found.append((where, "native-outside-try", name))
    return found


# ------------------------------------------------------------------------------------------------
# Set-StrictMode, registry keys
# ------------------------------------------------------------------------------------------------

def _strict_mode(tree: tree_sitter.Tree) -> list[tuple[int, str, str]]:
    for node in psast.walk(tree.root_node):
        if node.type == "command" and (_command_name(node) or "").lower() == "set-strictmode" \
                and _scope(node).type == "program":
            return []
    return [(1, "strict-mode", "no Set-StrictMode at the top level of the module")]


def _disposes(node: tree_sitter.Node, variable: str) -> bool:
    for part in psast.walk(node):
        if part.type == "invokation_expression" and part.named_child_count >= 2:
            target = psast.unwrap(part.named_children[0])
            member = next((c for c in part.named_children if c.type == "member_name"), None)
            if target.type == "variable" and psast.text(target).lower() == variable \
                    and member is not None and psast.text(member).lower() in ("dispose", "close"):
                return True
    return False


def _finally_of(try_node: tree_sitter.Node) -> tree_sitter.Node | None:
    return next((c for c in try_node.children if c.type == "finally_clause"), None)


def _disposed_in_finally(assignment: tree_sitter.Node, variable: str) -> bool:
    scope = _scope(assignment)
    for ancestor in _ancestors(assignment):  # assigned inside a try whose finally disposes it
        if ancestor.id == scope.id:
            break
        if ancestor.type == "try_statement":
            block = _finally_of(ancestor)
            if block is not None and _disposes(block, variable):
                return True
    following = _statement(assignment).next_named_sibling  # or: $key = ...; try { ... } finally { $key.Dispose() }
    while following is not None and following.type == "comment":
        following = following.next_named_sibling
    if following is not None and following.type == "try_statement":
        block = _finally_of(following)
        return block is not None and _disposes(block, variable)
    return False


def _registry_keys(tree: tree_sitter.Tree) -> list[tuple[int, str, str]]:
    found = []
    for node in psast.walk(tree.root_node):
        if node.type != "invokation_expression":
            continue
        member = next((c for c in node.named_children if c.type == "member_name"), None)
        if member is None or psast.text(member).lower() not in REGISTRY_OPENERS:
            continue
        holder = node.parent
        while holder is not None and holder.type in psast._WRAPPERS:
            holder = holder.parent
        if holder is not None and holder.type == "flow_control_statement" \
                and psast.text(holder).lower().startswith("return"):
            continue  # handed to the caller, who owns it
        if holder is None or holder.type != "assignment_expression":
            found.append((psast.line(node), "registry-key-dispose",
                          f"{psast.text(member)}(...) is not kept in a variable"))
            continue
        variable = psast.text(psast.unwrap(holder.named_children[0])).lower()
        if not variable.startswith("$") or not _disposed_in_finally(holder, variable):
            found.append((psast.line(node), "registry-key-dispose", f"{variable} = ...{psast.text(member)}(...)"))
    return found


# ------------------------------------------------------------------------------------------------
# entry points
# ------------------------------------------------------------------------------------------------

def is_custom_module(path: Path) -> bool:
    parts = path.parts
    return path.suffix.lower() == ".ps1" and len(parts) >= 3 and parts[-2] == "library" and "roles" in parts


def check_source(source: bytes, path: str = "<source>", custom_module: bool = False) -> list[Finding]:
    tree = psast.parse(source)
    found = _syntax(tree, source) + _natives(tree) + _registry_keys(tree)
    if custom_module:
        found += _strict_mode(tree)
    return sorted({Finding(path, line, rule, detail) for line, rule, detail in found})


def check_file(path: Path, root: Path = psast.ROOT) -> list[Finding]:
    relative = path.resolve().relative_to(root) if path.resolve().is_relative_to(root) else path
    return check_source(path.read_bytes(), relative.as_posix(), is_custom_module(relative))


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or psast.powershell_files()
    findings = [f for path in files for f in check_file(path)]
    for finding in findings:
        print(finding)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
