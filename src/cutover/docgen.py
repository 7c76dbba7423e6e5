"""Generated documentation: the published JSON Schemas and the roles' variable tables.

``bash scripts/docs`` writes them; tests fail when a committed file differs from what this module
generates (change the model or ``meta/argument_specs.yml``, then run the script).

- docs/evidence-schema.json from :mod:`cutover.evidence.model`
- docs/role-fact-schema.json from :mod:`cutover.evidence.facts`
- in every ``roles/<role>/README.md``, the table between ``<!-- BEGIN VARIABLES -->`` and
  ``<!-- END VARIABLES -->``, from the role's ``meta/argument_specs.yml`` (as ansible-doc reads it:
  https://docs.ansible.com/ansible/latest/playbook_guide/playbooks_reuse_roles.html#role-argument-validation)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from cutover.atomic import write_text
from cutover.evidence import facts, model

BEGIN, END = "<!-- BEGIN VARIABLES -->", "<!-- END VARIABLES -->"
NOTICE = "<!-- generated from meta/argument_specs.yml by `bash scripts/docs`; do not edit by hand -->"


def schemas() -> dict[str, str]:
    """Relative path -> content of every published schema."""
    return {f"docs/{name}": json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
            for name, schema in (("evidence-schema.json", model.json_schema()),
                                 ("role-fact-schema.json", facts.json_schema()))}


def _cell(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text.replace("|", "\\|").replace("\n", " ")


_UNSET = object()


def _default(spec: dict, fallback: Any = _UNSET) -> str:
    """The spec's default, else the one in defaults/main.yml; long values are left to that file."""
    value = spec.get("default", fallback)
    if value is _UNSET:
        return "(required)" if spec.get("required") else "—"
    text = _cell(value)
    if len(text) > 60 or "\n" in str(value):
        return "see defaults/main.yml"
    return f"`{text}`" if text else '`""`'


def variables_table(role_dir: Path) -> str:
    """The Markdown table of the role's ``main`` entry point: variable, type, default, description."""
    specs = yaml.safe_load((role_dir / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))
    options = (specs.get("argument_specs") or {}).get("main", {}).get("options") or {}
    defaults_file = role_dir / "defaults" / "main.yml"
    defaults = yaml.safe_load(defaults_file.read_text(encoding="utf-8")) if defaults_file.is_file() else None
    rows = ["| Variable | Type | Default | Description |", "|---|---|---|---|"]
    for name, spec in options.items():
        kind = spec.get("type", "str")
        if kind == "list" and spec.get("elements"):
            kind = f"list of {spec['elements']}"
        if spec.get("choices"):
            kind += " (" + ", ".join(f"`{c}`" for c in spec["choices"]) + ")"
        description = spec.get("description", "")
        if isinstance(description, list):
            description = " ".join(description)
        fallback = (defaults or {}).get(name, _UNSET)
        rows.append(f"| `{name}` | {kind} | {_default(spec, fallback)} | {_cell(description.strip())} |")
    return "\n".join(rows)


def readme_with_table(readme: str, table: str) -> str:
    """The README with its generated block replaced (appended under "## Variables" when missing)."""
    block = f"{BEGIN}\n{NOTICE}\n\n{table}\n{END}"
    if BEGIN in readme and END in readme:
        head, rest = readme.split(BEGIN, 1)
        return head + block + rest.split(END, 1)[1]
    return readme.rstrip("\n") + f"\n\n## Variables\n\n{block}\n"


def role_readmes(root: Path) -> dict[str, str]:
    """Relative path -> content of every role README with a table from its argument specs."""
    out = {}
    for role in sorted(p.parent.parent for p in (root / "roles").glob("*/meta/argument_specs.yml")):
        readme = role / "README.md"
        current = readme.read_text(encoding="utf-8") if readme.is_file() else f"# {role.name}\n"
        out[str(readme.relative_to(root))] = readme_with_table(current, variables_table(role))
    return out


def generated(root: Path) -> dict[str, str]:
    return {**schemas(), **role_readmes(root)}


def main(argv: list[str] | None = None) -> int:
    root = Path(argv[0] if argv else ".").resolve()
    for relative, content in generated(root).items():
        path = root / relative
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            write_text(path, content)
            print(f"wrote {relative}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
