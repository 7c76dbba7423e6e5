"""Read YAML while remembering the line of every value, so errors can point at it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from cutover.inventory.errors import Problem

Path_ = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader without implicit timestamp→datetime surprises for unquoted times like 22:00."""


def _construct(node: yaml.Node, path: Path_, lines: dict[Path_, int], rel: str,
               problems: list[Problem], loader: _Loader) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in result:
                problems.append(Problem(rel, key_node.start_mark.line + 1, _dotted((*path, key)),
                                        "duplicate key (a later value would silently replace the first)"))
                continue
            result[key] = _construct(value_node, (*path, key), lines, rel, problems, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(child, (*path, index), lines, rel, problems, loader)
            for index, child in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


def load(path: Path, rel: str) -> tuple[Any, dict[Path_, int], list[Problem]]:
    """Return (data, line of each path, problems). A syntax error is a problem, not an exception."""
    problems: list[Problem] = []
    lines: dict[Path_, int] = {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, lines, [Problem(rel, None, "(file)", f"not UTF-8 text ({exc.reason}); save it as UTF-8")]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, lines, [Problem(rel, 1, "(file)", "the file is empty")]
        data = _construct(node, (), lines, rel, problems, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return None, lines, [Problem(rel, line, "(syntax)", f"YAML syntax error: {exc.problem}")]
    finally:
        loader.dispose()
    return data, lines, problems


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def line_for(lines: dict[Path_, int], path: Path_) -> int | None:
    """Line of the deepest known prefix of ``path`` (a missing field points at its parent)."""
    for end in range(len(path), -1, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return line
    return None


dotted = _dotted
