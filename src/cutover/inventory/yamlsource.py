"""Read YAML while remembering the line of every value, so errors can point at it.

Inventory files are plain data: aliases (``*name``) and merge keys (``<<:``) are refused while the document
is composed, before anything is expanded, so a small file cannot expand into gigabytes (the "billion
laughs" alias bomb, https://en.wikipedia.org/wiki/Billion_laughs_attack), and nesting deeper than any
inventory field is refused before it exhausts the stack.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from cutover.inventory.errors import Problem

Path_ = tuple[str | int, ...]


MAX_DEPTH = 40  # the deepest inventory field is a handful of levels down
MERGE_TAG = "tag:yaml.org,2002:merge"


class Refused(Exception):
    def __init__(self, line: int, field: str, message: str):
        self.line, self.field, self.message = line, field, message
        super().__init__(message)


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases, merge keys and deep nesting while composing."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(index, yaml.ScalarNode) and (index.tag == MERGE_TAG or index.value == "<<"):
            raise Refused(index.start_mark.line + 1, "<<", "merge keys (<<:) are not supported in the inventory: "
                          "write the fields out in full")
        if isinstance(event, yaml.AliasEvent):
            raise Refused(line, "(alias)", f"alias *{event.anchor} is not allowed in the inventory "
                          "(aliases can expand a small file into gigabytes): write the value out")
        if self._depth >= MAX_DEPTH:
            raise Refused(line, "(nesting)", f"nested more than {MAX_DEPTH} levels deep; no inventory field is")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct(node: yaml.Node, path: Path_, lines: dict[Path_, int], rel: str,
               problems: list[Problem], loader: _Loader) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(rel, key_node.start_mark.line + 1, _dotted(path) if path else "(top level)",
                                        "a key must be a plain name, not a list or mapping"))
                continue
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
    return parse(Path(path).read_bytes(), rel)


def parse(raw: bytes, rel: str) -> tuple[Any, dict[Path_, int], list[Problem]]:
    problems: list[Problem] = []
    lines: dict[Path_, int] = {}
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, lines, [Problem(rel, None, "(file)", f"not UTF-8 text ({exc.reason}); save it as UTF-8")]
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1 if exc.position is not None else None
        return None, lines, [Problem(rel, line, "(syntax)", f"character #x{exc.character:04x} is not allowed in YAML "
                                     "(a control character; retype the line)")]
    try:
        node = loader.get_single_node()
        if node is None:
            return None, lines, [Problem(rel, 1, "(file)", "the file is empty")]
        data = _construct(node, (), lines, rel, problems, loader)
    except Refused as exc:
        return None, lines, [Problem(rel, exc.line, exc.field, exc.message)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        return None, lines, [Problem(rel, line, "(syntax)", f"YAML syntax error: {exc.problem}")]
    except yaml.YAMLError as exc:  # errors without a position (e.g. a character the reader refuses)
        return None, lines, [Problem(rel, None, "(syntax)", f"YAML syntax error: {exc}")]
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
