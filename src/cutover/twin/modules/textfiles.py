"""Twin counterpart of ``community.windows.win_lineinfile`` (text files on the twin PC).

Follows community.windows' ``plugins/modules/win_lineinfile.ps1``
(https://github.com/ansible-collections/community.windows/blob/main/plugins/modules/win_lineinfile.ps1):
the last line matching ``regex`` is replaced, otherwise the line is added at the end; the file is
rewritten with ``\\r\\n`` (``newline: windows``) and keeps a final newline if it had one; a missing
file fails unless ``create``, and upstream creates that empty file **even in check mode** (the twin
does the same, so a role must not rely on check mode there). A UNC path is not reachable from a
remote session without credential delegation: the file "does not exist" and cannot be created.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from cutover.twin.modules import opt, register


def _find(state: dict[str, Any], path: str) -> str | None:
    wanted = path.replace("/", "\\").lower()
    return next((name for name in state["files"] if name.lower() == wanted), None)


def _write(state: dict[str, Any], name: str, text: str) -> None:
    data = text.encode("utf-8")
    state["files"][name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "content": text}


@register("community.windows.win_lineinfile", {
    "path": opt("path", required=True), "backup": opt("bool", False), "regex": opt("str"),
    "state": opt("str", "present", ["absent", "present"]), "line": opt("str"), "backrefs": opt("bool", False),
    "insertafter": opt("str", "EOF", ["EOF", "*regex*"]), "insertbefore": opt("str", None, ["BOF", "*regex*"]),
    "create": opt("bool", False), "validate": opt("str"), "encoding": opt("str", "auto"),
    "newline": opt("str", "windows", ["unix", "windows"]),
}, modelled={"path", "regex", "state", "line", "create", "newline"})
def win_lineinfile(state, p, check_mode, diff):
    path, linesep = p["path"].replace("/", "\\"), "\r\n" if p["newline"] == "windows" else "\n"
    unc = path.startswith("\\\\")
    name = None if unc else _find(state, path)
    if p["state"] == "absent":
        if name is None:
            return {"failed": True, "msg": f"Path {path} does not exist !"}
        if not p["regex"] and not p["line"]:
            return {"failed": True, "msg": "one of line= or regexp= is required with state=absent"}
    elif not p["line"]:
        return {"failed": True, "msg": "line= is required with state=present"}
    if name is None:
        if not p["create"]:
            return {"failed": True, "msg": f"Path {path} does not exist !"}
        if unc:
            return {"failed": True, "msg": f"Access to the path '{path}' is denied."}
        # Upstream writes the new file (one empty line) before it looks at check mode, then reads it back.
        _write(state, path, "\r\n")
        name, text, ends_with_newline = path, "\r\n", False
    else:
        text = state["files"][name].get("content", "")
        ends_with_newline = text.endswith(("\n", "\r"))
    lines = text.splitlines()
    before = [*lines, ""] if ends_with_newline else list(lines)
    result: dict[str, Any] = {"changed": False, "msg": "", "backup": "", "encoding": "utf-8"}
    pattern = re.compile(p["regex"]) if p["regex"] else None
    if p["state"] == "present":
        index = -1
        for number, current in enumerate(lines):
            if (pattern.search(current) if pattern else current == p["line"]):
                index = number
        if index >= 0:
            if lines[index] != p["line"]:
                lines[index] = p["line"]
                result |= {"changed": True, "msg": "line replaced"}
        else:
            lines.append(p["line"])
            result |= {"changed": True, "msg": "line added"}
    else:
        kept = [line for line in (before if ends_with_newline else lines)
                if not (pattern.search(line) if pattern else line == p["line"])]
        found = len(before if ends_with_newline else lines) - len(kept)
        result |= {"changed": found > 0, "found": found, "msg": f"{found} line(s) removed"}
        lines, ends_with_newline = kept, False
    after = linesep.join([*lines, ""] if ends_with_newline and p["state"] == "present" else lines)
    if result["changed"] and not check_mode:
        _write(state, name, after)
    if diff:
        result["diff"] = {"before": linesep.join(before)} | ({"after": after} if result["changed"] else {})
    return result
