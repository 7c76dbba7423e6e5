"""PowerShell source through tree-sitter-powershell: parse errors, literal values, a module's ``$spec``.

Only what the contract tests and the Windows PowerShell 5.1 rules need. Literals are read from the syntax
tree, never with regular expressions over the text, so a spec written on one line, split over several,
or with comments in it reads the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import tree_sitter
import tree_sitter_powershell

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "build", "node_modules", ".git", ".cache"}

# Expression levels the grammar wraps every value in; a node of these types with one child is that child.
_WRAPPERS = {"pipeline", "pipeline_chain", "logical_expression", "bitwise_expression", "comparison_expression",
             "additive_expression", "multiplicative_expression", "format_expression", "range_expression",
             "array_literal_expression", "unary_expression", "statement_list", "left_assignment_expression"}


class NotALiteral(ValueError):
    """A node whose value is only known when the script runs (a variable, a call, an interpolated string)."""


def parse(source: bytes) -> tree_sitter.Tree:
    return PARSER.parse(source)


def walk(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def line(node: tree_sitter.Node) -> int:
    return node.start_point[0] + 1


def text(node: tree_sitter.Node) -> str:
    return node.text.decode("utf-8", errors="replace")


def parse_errors(tree: tree_sitter.Tree) -> list[tree_sitter.Node]:
    return [n for n in walk(tree.root_node) if n.type == "ERROR" or n.is_missing]


def powershell_files(root: Path = ROOT) -> list[Path]:
    """Every .ps1 and .psm1 of the repository (not the virtual environment or build output)."""
    found = []
    for path in root.rglob("*"):
        if path.suffix.lower() in (".ps1", ".psm1") and path.is_file() \
                and not SKIP_DIRS.intersection(path.relative_to(root).parts):
            found.append(path)
    return sorted(found)


def unwrap(node: tree_sitter.Node) -> tree_sitter.Node:
    while node.type in _WRAPPERS and node.named_child_count == 1 and node.child_count == 1:
        node = node.children[0]
    return node


def _named(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    return [c for c in node.named_children if c.type != "comment"]


def _string(node: tree_sitter.Node) -> str:
    inner = node.named_children[0] if node.named_child_count else node
    raw = text(inner)
    if inner.type == "verbatim_string_characters":
        return raw[1:-1].replace("''", "'")
    if inner.type == "expandable_string_literal":
        body = raw[1:-1]
        if "$" in body or "`" in body:
            raise NotALiteral(f"line {line(node)}: {raw} is expanded when the script runs")
        return body
    raise NotALiteral(f"line {line(node)}: {inner.type} {raw!r} is not a plain string")


def literal(node: tree_sitter.Node) -> Any:
    """The value of a literal expression: strings, integers, $true/$false/$null, @(...), a, b, @{...}."""
    node = unwrap(node)
    kind = node.type
    if kind == "hash_literal_expression":
        body = next((c for c in _named(node) if c.type == "hash_literal_body"), None)
        result: dict[str, Any] = {}
        for entry in _named(body) if body else []:
            if entry.type != "hash_entry":
                continue
            key_node, value_node = _named(entry)[0], _named(entry)[-1]
            key_inner = unwrap(_named(key_node)[0]) if _named(key_node) else key_node
            key = _string(key_inner) if key_inner.type == "string_literal" else text(key_inner)
            result[key] = literal(value_node)
        return result
    if kind == "array_expression":
        inner = _named(node)
        if not inner:
            return []
        value = literal(inner[0])
        return value if isinstance(value, list) else [value]
    if kind == "array_literal_expression":
        return [literal(c) for c in _named(node)]
    if kind == "string_literal":
        return _string(node)
    if kind == "integer_literal":
        return int(text(node))
    if kind == "expression_with_unary_operator" and text(node.children[0]) == "-":
        return -literal(node.children[1])
    if kind == "variable":
        name = text(node).lower()
        if name in ("$true", "$false", "$null"):
            return {"$true": True, "$false": False, "$null": None}[name]
    raise NotALiteral(f"line {line(node)}: {kind} {text(node)[:60]!r} is not a literal")


def assignments(tree: tree_sitter.Tree, variable: str) -> list[tree_sitter.Node]:
    """Right-hand sides of ``$variable = ...`` anywhere in the script."""
    found = []
    for node in walk(tree.root_node):
        if node.type != "assignment_expression":
            continue
        left = unwrap(node.named_children[0])
        if left.type == "variable" and text(left).lower() == variable.lower():
            found.append(node.named_children[-1])
    return found


def module_spec(path: Path) -> dict[str, Any]:
    """The ``$spec`` hashtable a custom module passes to AnsibleModule::Create."""
    tree = parse(path.read_bytes())
    specs = assignments(tree, "$spec")
    if len(specs) != 1:
        raise AssertionError(f"{path}: expected one $spec assignment, found {len(specs)}")
    spec = literal(specs[0])
    if not isinstance(spec, dict):
        raise AssertionError(f"{path}: $spec is not a hashtable")
    return spec


def result_keys(path: Path) -> set[str]:
    """Keys a module sets with ``$module.Result.<key> = ...`` (or ``$module.Result['<key>'] = ...``)."""
    tree = parse(path.read_bytes())
    keys = set()
    for node in walk(tree.root_node):
        if node.type != "assignment_expression":
            continue
        left = text(unwrap(node.named_children[0])).replace(" ", "")
        lowered = left.lower()
        if lowered.startswith("$module.result."):
            keys.add(left[len("$module.result."):].split(".", 1)[0].split("[", 1)[0])
        elif lowered.startswith("$module.result["):
            keys.add(left[len("$module.result["):].split("]", 1)[0].strip("'\""))
    return keys
