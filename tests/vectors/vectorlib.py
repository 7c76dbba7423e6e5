"""Shared test vectors: load and validate them, build the twin state, run the twin module, match results.

The format is described in tests/vectors/README.md. The PowerShell side of the same rules lives in
tests/pester/CutoverVectors.psm1; tests/vectors/matcher-cases.json keeps the two matchers equal.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from cutover.twin import hives
from cutover.twin import modules as twin_modules
from cutover.twin import session as twin_session
from cutover.twin import state as twin_state

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCHEMA = json.loads((HERE / "vector.schema.json").read_text(encoding="utf-8"))
BASE = json.loads((HERE / "base.json").read_text(encoding="utf-8"))
OPERATORS = ("$absent", "$any", "$unordered", "$contains")
ABSENT = {"$absent": True}


class VectorError(ValueError):
    """A vector file that does not follow tests/vectors/README.md."""


@dataclass(frozen=True)
class Vector:
    path: Path
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.path.parent.name}/{self.path.stem}"

    @property
    def module(self) -> str:
        return self.data["module"]

    @property
    def windows(self) -> dict[str, Any]:
        return self.data["windows"]

    @property
    def known_defect(self) -> dict[str, Any] | None:
        return self.data.get("known_defect")


def vector_files(directory: Path = HERE) -> list[Path]:
    return sorted(p for p in directory.glob("*/*.json"))


def load(path: Path) -> Vector:
    """Parse and validate one vector; errors name the file and the field."""
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise VectorError(f"{where}:{exc.lineno}: not valid JSON: {exc.msg}") from exc
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        field = "/".join(str(p) for p in first.absolute_path) or "(top level)"
        raise VectorError(f"{where}: field {field}: {first.message}")
    if data["module"] != path.parent.name:
        raise VectorError(f"{where}: field module: {data['module']!r} but the folder is {path.parent.name!r}")
    unknown = sorted(set(data["state"]) - set(BASE))
    if unknown:
        raise VectorError(f"{where}: field state: unknown section(s) {unknown}; the state document has {sorted(BASE)}")
    for dotted in data["windows"].get("host_dependent", []):
        if _walk(data["expect"], dotted.split(".")) is None:
            raise VectorError(f"{where}: field windows/host_dependent: {dotted!r} is not a path in expect")
    for section in ("result", "state"):
        _check_operators(data["expect"].get(section, {}), f"{where}: field expect/{section}")
    return Vector(path, data)


def load_all(directory: Path = HERE) -> list[Vector]:
    return [load(p) for p in vector_files(directory)]


def _walk(value: Any, parts: list[str]) -> Any:
    for part in parts:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _check_operators(value: Any, where: str) -> None:
    if isinstance(value, dict):
        ops = [k for k in value if k.startswith("$")]
        if ops:
            if len(value) != 1 or ops[0] not in OPERATORS:
                raise VectorError(f"{where}: {sorted(value)} is not one of the operators {list(OPERATORS)}")
            inner = value[ops[0]]
            if ops[0] in ("$absent", "$any") and inner is not True:
                raise VectorError(f"{where}: {ops[0]} takes true")
            if ops[0] in ("$unordered", "$contains") and not isinstance(inner, list):
                raise VectorError(f"{where}: {ops[0]} takes a list")
            if isinstance(inner, list):
                for item in inner:
                    _check_operators(item, where)
            return
        for key, item in value.items():
            _check_operators(item, f"{where}/{key}")
    elif isinstance(value, list):
        for item in value:
            _check_operators(item, where)


# ------------------------------------------------------------------------------------------------
# matching
# ------------------------------------------------------------------------------------------------

def _same_scalar(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, int | float) or isinstance(actual, int | float):
        return isinstance(expected, int | float) and isinstance(actual, int | float) and expected == actual
    return type(expected) is type(actual) and expected == actual


def _assign(expected: list, actual: list, path: str, allow_extra: bool) -> list[str]:
    """Match each expected item to a different actual item (backtracking; the lists are small)."""
    if not allow_extra and len(expected) != len(actual):
        return [f"{path}: expected {len(expected)} items, got {len(actual)}"]
    fits = [[j for j, a in enumerate(actual) if not mismatches(e, a, path)] for e in expected]
    used: set[int] = set()

    def place(i: int) -> bool:
        if i == len(expected):
            return True
        for j in fits[i]:
            if j not in used:
                used.add(j)
                if place(i + 1):
                    return True
                used.discard(j)
        return False

    if place(0):
        return []
    for i, options in enumerate(fits):
        if not options:
            return [f"{path}: no actual item matches expected item {i}: {json.dumps(expected[i], ensure_ascii=False)}"]
    return [f"{path}: the expected items cannot each be matched to a different actual item"]


def mismatches(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Everything that does not match, as readable lines; empty when ``actual`` matches ``expected``."""
    where = path or "(top)"
    if isinstance(expected, dict) and len(expected) == 1 and next(iter(expected)).startswith("$"):
        op, inner = next(iter(expected.items()))
        if op == "$any":
            return []
        if op == "$absent":
            return [f"{where}: expected to be absent"]
        if not isinstance(actual, list):
            return [f"{where}: expected a list, got {type(actual).__name__}"]
        return _assign(inner, actual, where, allow_extra=op == "$contains")
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {json.dumps(actual, ensure_ascii=False)[:80]}"]
        found: list[str] = []
        for key, value in expected.items():
            sub = f"{path}.{key}" if path else key
            if value == ABSENT:
                if key in actual:
                    shown = json.dumps(actual[key], ensure_ascii=False)[:80]
                    found.append(f"{sub}: expected to be absent, got {shown}")
            elif key not in actual:
                found.append(f"{sub}: missing")
            else:
                found += mismatches(value, actual[key], sub)
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: expected a list, got {json.dumps(actual, ensure_ascii=False)[:80]}"]
        if len(expected) != len(actual):
            return [f"{where}: expected {len(expected)} items, got {len(actual)}"]
        found = []
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            found += mismatches(e, a, f"{path}[{i}]")
        return found
    if not _same_scalar(expected, actual):
        return [f"{where}: expected {json.dumps(expected, ensure_ascii=False)}, "
                f"got {json.dumps(actual, ensure_ascii=False)[:120]}"]
    return []


# ------------------------------------------------------------------------------------------------
# the twin side
# ------------------------------------------------------------------------------------------------

def _merge(base: Any, fragment: Any) -> Any:
    if isinstance(base, dict) and isinstance(fragment, dict):
        merged = dict(base)
        for key, value in fragment.items():
            if value == ABSENT:
                merged.pop(key, None)
            else:
                merged[key] = _merge(base.get(key), value) if key in base else _strip_absent(value)
        return merged
    return _strip_absent(fragment)


def _strip_absent(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_absent(v) for k, v in value.items() if v != ABSENT}
    if isinstance(value, list):
        return [_strip_absent(v) for v in value]
    return value


def _normalise_registry(fragment: dict[str, Any]) -> dict[str, Any]:
    if "registry" not in fragment:
        return fragment
    out = dict(fragment)
    out["registry"] = {twin_state.norm_key(key): values for key, values in fragment["registry"].items()}
    return out


def twin_state_for(vector: Vector) -> dict[str, Any]:
    return _merge(copy.deepcopy(BASE), _normalise_registry(copy.deepcopy(vector.data["state"])))


def run_on_twin(vector: Vector) -> tuple[dict[str, Any], dict[str, Any]]:
    """(result, state after) of the twin module for this vector."""
    twin_modules.load_all()
    state = twin_state_for(vector)
    args = {**vector.data["args"], "_ansible_check_mode": vector.data["check_mode"]}
    # The Pester harness runs a module in the runner's own logon, which holds network credentials;
    # "session": "psrp" states the remote session of a real run (no credentials for a second hop).
    logon = twin_session.Session() if vector.data.get("session") == "psrp" else twin_session.LOCAL
    try:
        with twin_session.active(logon):
            result = twin_modules.execute(state, vector.module, args)
    except twin_modules.TwinError as exc:  # the twin refuses what AnsibleModule refuses (bad options)
        result = {"failed": True, "changed": False, "msg": str(exc)}
    return result, state


def twin_mismatches(vector: Vector) -> list[str]:
    result, state = run_on_twin(vector)
    state = hives.document_view(state)  # users' hives under HKU\<SID>, as the Windows harness observes them
    found = mismatches(vector.data["expect"]["result"], result, "result")
    expected_state = _normalise_registry(vector.data["expect"].get("state", {}))
    found += mismatches(expected_state, state, "state")
    return found


# ------------------------------------------------------------------------------------------------
# what a case needs from the Windows harness
# ------------------------------------------------------------------------------------------------

def _is_empty(value: Any) -> bool:
    return value in (None, False, [], {}, "")


def windows_needs(vector: Vector) -> set[str]:
    """Capabilities the Pester harness must declare to arrange and observe this case."""
    state, needs = vector.data["state"], set()
    for section, value in state.items():
        if section in ("faults", "network"):
            needs |= {f"arrange.{section}.{k}" for k, v in value.items() if not _is_empty(v)}
        elif section == "services":
            needs |= {"arrange.services." + ("absent" if v == ABSENT else str(v.get("state"))) for v in value.values()}
        elif section == "users":
            needs.add("arrange.users")
            if any(u.get("thunderbird_profiles") for u in value):
                needs.add("arrange.users.thunderbird_profiles")
        elif section == "smb_shares":
            needs.add("arrange.smb_shares")
            if any(s.get("saved_access") for s in value.values()):
                needs.add("arrange.smb_shares.saved_access")
        elif not _is_empty(value):
            needs.add(f"arrange.{section}")
    for section in vector.data["expect"].get("state", {}):
        if section == "users":
            needs.add("observe.users.thunderbird_profiles")
        else:
            needs.add(f"observe.{section}")
    return needs
