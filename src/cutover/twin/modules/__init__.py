"""Twin modules: Python counterparts of the Windows modules the roles call, same options and returns.

Each module registers its option spec (checked against the real module's documentation by the
contract tests) and a function ``run(state, params, check_mode, diff) -> result``. An option the
twin does not model is refused loudly rather than ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cutover.twin import hives
from cutover.twin.state import TwinError

Spec = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class TwinModule:
    name: str  # as tasks call it: ansible.windows.win_package, cutover_ngav_facts ...
    options: Spec
    run: Callable[[dict, dict, bool, bool], dict]
    supports_check_mode: bool = True
    modelled: frozenset[str] | None = None  # options the twin acts on; others must stay at their default
    internal: frozenset[str] = frozenset()  # undocumented arguments the module's own action plugin sends


REGISTRY: dict[str, TwinModule] = {}


def opt(type_: str = "str", default: Any = None, choices: list | None = None, required: bool = False,
        elements: str | None = None) -> dict[str, Any]:
    return {"type": type_, "default": default, "choices": choices, "required": required, "elements": elements}


def register(name: str, options: Spec, modelled: set[str] | None = None, supports_check_mode: bool = True,
             internal: set[str] | None = None):
    def decorate(fn: Callable[[dict, dict, bool, bool], dict]) -> Callable:
        REGISTRY[name] = TwinModule(name, options, fn, supports_check_mode,
                                    frozenset(modelled) if modelled is not None else None,
                                    frozenset(internal or ()))
        return fn
    return decorate


def bind(module: TwinModule, args: dict[str, Any]) -> dict[str, Any]:
    """Apply defaults, check required options, choices and unknown options, like AnsibleModule does."""
    params = {k: v for k, v in args.items() if not k.startswith("_ansible_")}
    unknown = sorted(set(params) - set(module.options) - module.internal)
    if unknown:
        raise TwinError(f"Unsupported parameters for ({module.name}) module: {', '.join(unknown)}")
    bound = {}
    for name, spec in module.options.items():
        value = params.get(name, spec["default"])
        if spec["required"] and value is None:
            raise TwinError(f"missing required arguments: {name}")
        if value is not None and spec["choices"] and value not in spec["choices"]:
            raise TwinError(f"value of {name} must be one of: {', '.join(map(str, spec['choices']))}, got: {value}")
        if value is not None and spec["type"] == "int":
            value = int(value)
        if value is not None and spec["type"] == "bool" and isinstance(value, str):
            value = value.lower() in ("yes", "true", "1", "on")
        if module.modelled is not None and name not in module.modelled and value != spec["default"]:
            raise TwinError(f"the twin does not model option {name!r} of {module.name}")
        bound[name] = value
    bound.update({k: v for k, v in params.items() if k in module.internal})
    return bound


def execute(state: dict[str, Any], name: str, args: dict[str, Any]) -> dict[str, Any]:
    module = REGISTRY.get(name)
    if module is None:
        raise TwinError(f"the endpoint twin has no module {name!r}; add one under src/cutover/twin/modules")
    check_mode = bool(args.get("_ansible_check_mode"))
    if check_mode and not module.supports_check_mode:
        return {"skipped": True, "msg": "remote module does not support check mode", "changed": False}
    params = bind(module, args)
    mounted_before = hives.start_of_call(state)
    try:
        result = module.run(state, params, check_mode, bool(args.get("_ansible_diff")))
    finally:  # the module's process ends, whatever happened: its keys close, its hives stay loaded
        ended = hives.end_of_call(state, name, mounted_before)
    result.setdefault("changed", False)
    left = [leak for leak in ended if leak["cause"] == "module"]
    if left:  # Windows would carry on; the twin fails the call so no test passes over a leaked hive
        where = ", ".join(f"{leak['mount']} ({leak['file']})" for leak in left)
        return result | {"failed": True, "msg": f"twin: {name} left registry hive(s) loaded: {where} "
                                                "(the user would get a temporary profile at the next logon)"}
    return result


def load_all() -> None:
    """Import every twin module so it registers itself."""
    from cutover.twin.modules import (  # noqa: F401
        fileshare,
        mail,
        migration,
        ngav,
        office,
        probe,
        registry,
        textfiles,
        windows,
    )
