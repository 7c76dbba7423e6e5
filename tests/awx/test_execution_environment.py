"""The execution environment definition: `ansible-builder create` writes a build context whose pins are ours.

Building the image needs a container engine (not on the test machine); the build context is what the
engine would build, so its Containerfile, Python requirements and collection list are checked here
against requirements.txt and the collections the pinned `ansible` package ships.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = Path(importlib.metadata.distribution("ansible").locate_file("ansible_collections"))
ANSIBLE_BUILDER = Path(sys.executable).with_name("ansible-builder")
# Built in the EE only (Kerberos through Negotiate needs krb5-devel); the test machine does not use them.
EE_ONLY = {"gssapi", "krb5"}
# Where the project calls collection content by its fully qualified name (what runs on AWX).
PROJECT_CONTENT = ("roles", "ansible/playbooks")


def pins(lines) -> dict[str, str]:
    found = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"not an exact pin: {line}"
        found[canonicalize_name(req.name)] = specs[0].version
    return found


def requirements_txt() -> dict[str, str]:
    return pins((ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines())


def shipped_collection(fqcn: str) -> dict:
    namespace, name = fqcn.split(".")
    return json.loads((COLLECTIONS / namespace / name / "MANIFEST.json").read_text())["collection_info"]


def used_collections() -> set[str]:
    pattern = re.compile(r"\b([a-z_]+)\.([a-z_]+)\.[a-z_]+\s*:")
    used = set()
    for folder in PROJECT_CONTENT:
        for path in (ROOT / folder).rglob("*.yml"):
            for namespace, name in pattern.findall(path.read_text(encoding="utf-8")):
                if (namespace, name) != ("ansible", "builtin") and (COLLECTIONS / namespace / name).is_dir():
                    used.add(f"{namespace}.{name}")
    return used


def runtime_closure(*roots: str) -> set[str]:
    """Installed distributions the roots need at run time (no extras), transitively."""
    seen: set[str] = set()
    todo = [canonicalize_name(r) for r in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for line in importlib.metadata.requires(name) or []:
            req = Requirement(line)
            if req.marker and not req.marker.evaluate({"extra": ""}):
                continue
            todo.append(canonicalize_name(req.name))
    return seen


@pytest.fixture(scope="module")
def context(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("ee") / "context"
    result = subprocess.run(
        [str(ANSIBLE_BUILDER), "create", "-f", str(ROOT / "execution-environment.yml"), "--context", str(target),
         "--output-filename", "Containerfile"],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return target


def test_builder_is_the_pinned_version():
    assert importlib.metadata.version("ansible-builder") == requirements_txt()["ansible-builder"] == "3.2.0"


def test_containerfile_installs_the_pinned_core_and_runner(context):
    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    refs = re.search(r'^ARG ANSIBLE_INSTALL_REFS="(.*)"$', containerfile, re.M).group(1).split()
    pinned = requirements_txt()
    assert pins(refs) == {"ansible-core": pinned["ansible-core"], "ansible-runner": pinned["ansible-runner"]}
    assert re.search(r'^ARG PYCMD="/usr/bin/python3\.11"$', containerfile, re.M), "EE Python must match the venv's"
    assert "FROM $EE_BASE_IMAGE AS base" in containerfile


def test_collections_are_the_ones_the_ansible_package_ships(context):
    listed = yaml.safe_load((context / "_build" / "requirements.yml").read_text(encoding="utf-8"))
    collections = {c["name"]: c["version"] for c in listed["collections"]}
    used = used_collections()
    assert used, "no collection content found in the project: the scan is broken"
    assert set(collections) == used, "the EE must carry exactly the collections the roles and playbooks call"
    for fqcn, version in collections.items():
        info = shipped_collection(fqcn)
        assert version == info["version"], f"{fqcn}: EE pins {version}, ansible {requirements_txt()['ansible']} " \
                                           f"ships {info['version']}"
        for dependency in info.get("dependencies") or {}:
            assert dependency in collections, f"{fqcn} needs {dependency}"


def test_python_requirements_match_requirements_txt(context):
    ee = pins((context / "_build" / "requirements.txt").read_text(encoding="utf-8").splitlines())
    pinned = requirements_txt()
    for name, version in ee.items():
        if name in EE_ONLY:
            continue
        assert name in pinned, f"{name} is in the EE but not pinned in requirements.txt"
        assert version == pinned[name], f"{name}: EE {version}, requirements.txt {pinned[name]}"
    assert set(ee) >= EE_ONLY, "Kerberos (gssapi, krb5) must be in the EE"


def test_python_requirements_cover_what_plugins_and_transport_import(context):
    ee = set(pins((context / "_build" / "requirements.txt").read_text(encoding="utf-8").splitlines()))
    needed = runtime_closure("cutover", "pypsrp", "pywinrm") - {"cutover"}
    assert needed - ee == set(), f"missing from the EE: {sorted(needed - ee)}"


def test_the_cutover_package_is_copied_and_installed(context):
    package = context / "_build" / "cutover"
    assert (package / "pyproject.toml").is_file()
    assert (package / "src" / "cutover" / "inventory" / "ansible_view.py").is_file()
    assert (package / "src" / "cutover" / "lifecycle.py").is_file()
    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    final = containerfile.split("AS final", 1)[1]
    assert "COPY _build/cutover /opt/cutover" in final
    assert re.search(r"pip install .*--no-deps /opt/cutover", final)


def test_kerberos_system_packages(context):
    bindep = (context / "_build" / "bindep.txt").read_text(encoding="utf-8")
    assert re.search(r"^krb5-workstation \[platform:rpm\]$", bindep, re.M)
    assert re.search(r"^krb5-devel \[platform:rpm compile\]$", bindep, re.M)
