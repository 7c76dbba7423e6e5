"""AWX objects as code (awx/configure.yml, awx/vars/controller.yml): checked without a running AWX.

Every option is checked against the installed awx.awx collection's documented options (the collection
the pinned `ansible` package ships), every job template points at a playbook of this repository, the
workflows follow the inventory's waves, and no secret value is in the definitions.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PLAYBOOK = ROOT / "awx" / "configure.yml"
sys.path.insert(0, str(ROOT / "awx" / "filter_plugins"))
import cutover_awx  # noqa: E402

# The list each task loops over, and the module it is given to.
MODULE_OF = {
    "cutover_awx_execution_environments": "execution_environment",
    "cutover_awx_credential_types": "credential_type",
    "cutover_awx_credentials": "credential",
    "cutover_awx_credential_input_sources": "credential_input_source",
    "cutover_awx_projects": "project",
    "cutover_awx_inventory_sources": "inventory_source",
    "cutover_awx_job_templates": "job_template",
}
# Credential types AWX ships (credential plugins of https://github.com/ansible/awx-plugins).
AWX_MANAGED_TYPES = {"Microsoft Azure Key Vault", "HashiCorp Vault Secret Lookup"}
AKV_SECRET_FIELDS = {"secret"}


def env() -> dict[str, str]:
    return {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
            "PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "")])}


@pytest.fixture(scope="module")
def definitions() -> dict:
    return DataLoader().load_from_file(str(ROOT / "awx" / "vars" / "controller.yml"))


@pytest.fixture(scope="module")
def resolved(definitions) -> dict:
    """The definitions with their own variables filled in (as the play sees them)."""
    values = json.loads(json.dumps(definitions, default=str))
    pattern = re.compile(r"^\{\{ (cutover_awx_[a-z_]+) \}\}$")

    def fill(value):
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, str) and (match := pattern.match(value)):
            return values[match.group(1)]
        return value

    return {k: fill(v) for k, v in values.items()}


@pytest.fixture(scope="module")
def module_docs() -> dict:
    names = sorted({*MODULE_OF.values(), "workflow_job_template"})
    result = subprocess.run([str(BIN / "ansible-doc"), "--json", *[f"awx.awx.{n}" for n in names]],
                            env=env(), capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return {name.split(".")[-1]: doc["doc"]["options"] for name, doc in json.loads(result.stdout).items()}


@pytest.fixture(scope="module")
def workflows(resolved) -> list[dict]:
    return cutover_awx.wave_workflows(
        str(ROOT / "inventories"), resolved["cutover_awx_organization"], resolved["cutover_awx_inventory"],
        resolved["cutover_awx_converge_template"], resolved["cutover_awx_migration_template"],
        resolved["cutover_awx_inventory_sources"][0]["name"], resolved["cutover_awx_approval_timeout"])


def misfits(value, options: dict, where: str) -> list[str]:
    """Keys the module does not document, values outside its choices, wrong basic types."""
    problems = []
    for key, item in value.items():
        spec = options.get(key)
        if spec is None:
            problems.append(f"{where}.{key}: not an option")
            continue
        kind = spec.get("type", "str")
        if spec.get("choices") and item not in spec["choices"]:
            problems.append(f"{where}.{key}: {item!r} not in {spec['choices']}")
        if kind == "bool" and not isinstance(item, bool):
            problems.append(f"{where}.{key}: not a bool")
        if kind == "int" and not isinstance(item, int):
            problems.append(f"{where}.{key}: not an int")
        if kind == "list" and not isinstance(item, list):
            problems.append(f"{where}.{key}: not a list")
        if spec.get("suboptions") and isinstance(item, dict):
            problems += misfits(item, spec["suboptions"], f"{where}.{key}")
        if spec.get("suboptions") and isinstance(item, list):
            for index, element in enumerate(item):
                problems += misfits(element, spec["suboptions"], f"{where}.{key}[{index}]")
    return problems


def test_playbook_syntax():
    result = subprocess.run([str(BIN / "ansible-playbook"), "--syntax-check", str(PLAYBOOK)], env=env(),
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_option_is_one_the_module_documents(resolved, module_docs, workflows):
    problems = []
    for variable, module in MODULE_OF.items():
        for index, item in enumerate(resolved[variable]):
            problems += misfits(item, module_docs[module], f"{variable}[{index}]")
    for workflow in workflows:
        problems += misfits(workflow, module_docs["workflow_job_template"], workflow["name"])
    assert problems == []


def test_the_option_check_catches_a_typo(module_docs):
    assert misfits({"playbok": "x.yml"}, module_docs["job_template"], "t") == ["t.playbok: not an option"]
    assert misfits({"kind": "machine"}, module_docs["credential_type"], "t")[0].startswith("t.kind: 'machine'")


def test_the_playbook_passes_every_defined_field():
    plays = yaml.safe_load(PLAYBOOK.read_text(encoding="utf-8"))
    tasks = {re.search(r"cutover_awx_[a-z_]+", str(t.get("loop", ""))).group(0): t
             for t in plays[0]["tasks"] if "loop" in t}
    definitions = DataLoader().load_from_file(str(ROOT / "awx" / "vars" / "controller.yml"))
    for variable, module in MODULE_OF.items():
        args = tasks[variable][f"awx.awx.{module}"]
        defined = {key for item in definitions[variable] for key in item}
        assert defined - set(args) == set(), f"{variable}: defined but never sent to awx.awx.{module}"
        for key in defined:
            assert f"item.{key}" in str(args[key]), f"{variable}.{key} is not passed through"


def test_job_templates_point_at_playbooks_of_this_repository(resolved):
    for template in resolved["cutover_awx_job_templates"]:
        path = ROOT / template["playbook"]
        assert path.is_file(), f"{template['name']}: {template['playbook']} does not exist"
        plays = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(plays, list) and all("hosts" in p for p in plays), f"{path} is not a playbook"
        assert template["project"] in {p["name"] for p in resolved["cutover_awx_projects"]}
        assert template["forks"] < 100, "ansible/ansible#87475"


def test_inventory_source_is_the_plugin_file(resolved):
    (source,) = resolved["cutover_awx_inventory_sources"]
    assert (ROOT / source["source_path"]).is_file()
    plugin = yaml.safe_load((ROOT / source["source_path"]).read_text(encoding="utf-8"))
    assert plugin["plugin"] == "cutover"
    plugin_doc = (ROOT / "ansible" / "plugins" / "inventory" / "cutover.py").read_text(encoding="utf-8")
    for name in source["source_vars"]:
        assert f"- name: {name}" in plugin_doc, f"the plugin does not read {name} from the environment"


def test_one_workflow_per_wave_with_its_sites(workflows, sample_inventory, resolved):
    waves = sample_inventory.organisation.waves
    assert [w["name"] for w in workflows] == [f"cutover – wave {w.number} ({w.name})" for w in waves]
    templates = {t["name"]: t for t in resolved["cutover_awx_job_templates"]}
    for wave, workflow in zip(waves, workflows, strict=True):
        nodes = {n["identifier"]: n for n in workflow["workflow_nodes"]}
        assert nodes["converge"]["limit"] == f"wave_{wave.number}"
        sites = [s.id for s in sample_inventory.sites_in_wave(wave.number)]
        assert sites, f"wave {wave.number} has no site"
        scanned = sorted(n["extra_data"]["file_migration_site"] for n in nodes.values()
                         if n.get("extra_data", {}).get("file_migration_pass") == "scan")
        seeded = [n for n in nodes.values() if n.get("extra_data", {}).get("file_migration_pass") == "seed"]
        assert scanned == sorted(sites) == sorted(n["extra_data"]["file_migration_site"] for n in seeded)
        approval = nodes["approve-seed"]
        assert approval["unified_job_template"]["type"] == "workflow_approval"
        # Nothing writes to a file share before a person approves it.
        executing = {n["identifier"] for n in nodes.values() if n.get("extra_data", {}).get("file_migration_execute")}
        assert executing == {s["identifier"] for s in approval["related"]["success_nodes"]} == \
            {n["identifier"] for n in seeded}
        for node in nodes.values():
            for child in node["related"]["success_nodes"]:
                assert child["identifier"] in nodes
            target = node["unified_job_template"]
            if target["type"] == "job_template":
                template = templates[target["name"]]
                if "limit" in node:
                    assert template.get("ask_limit_on_launch"), f"{target['name']} ignores the node's limit"
                if "extra_data" in node:
                    assert template.get("ask_variables_on_launch"), f"{target['name']} ignores extra_data"
            elif target["type"] == "inventory_source":
                assert target["name"] == resolved["cutover_awx_inventory_sources"][0]["name"]


def test_workflow_extra_vars_are_role_variables(workflows):
    defaults = yaml.safe_load((ROOT / "roles" / "file_migration" / "defaults" / "main.yml").read_text("utf-8"))
    for workflow in workflows:
        for node in workflow["workflow_nodes"]:
            assert set(node.get("extra_data", {})) <= set(defaults)


def test_credentials_hold_no_secret_values(definitions, resolved):
    types = {t["name"]: t for t in resolved["cutover_awx_credential_types"]}
    sourced = {(s["target_credential"], s["input_field_name"])
               for s in resolved["cutover_awx_credential_input_sources"]}
    for credential in definitions["cutover_awx_credentials"]:
        kind = credential["credential_type"]
        assert kind in types or kind in AWX_MANAGED_TYPES, f"{credential['name']}: unknown type {kind}"
        if kind in types:
            secret = {f["id"] for f in types[kind]["inputs"]["fields"] if f.get("secret")}
            assert secret & set(credential["inputs"]) == set(), f"{credential['name']} has a secret value"
            assert {(credential["name"], field) for field in secret} <= sourced, "every secret comes from Key Vault"
        else:
            for field in AKV_SECRET_FIELDS & set(credential["inputs"]):
                assert credential["inputs"][field] == "{{ lookup('ansible.builtin.env', 'CUTOVER_AKV_CLIENT_SECRET') }}"
    for source in resolved["cutover_awx_credential_input_sources"]:
        assert source["source_credential"] == resolved["cutover_awx_key_vault_credential"]
        assert re.fullmatch(r"[0-9A-Za-z-]{1,127}", source["metadata"]["secret_field"]), "Key Vault secret name"


def test_injected_variables_are_the_ones_the_repository_reads(resolved):
    read = (ROOT / "inventories" / "group_vars" / "all" / "connection.yml").read_text(encoding="utf-8")
    read += (ROOT / "roles" / "ngav" / "defaults" / "main.yml").read_text(encoding="utf-8")
    for kind in resolved["cutover_awx_credential_types"]:
        assert kind["kind"] in ("cloud", "net"), "custom credential types must be cloud or net"
        fields = {f["id"] for f in kind["inputs"]["fields"]}
        for variable, template in kind["injectors"]["extra_vars"].items():
            assert re.search(rf"\b{variable}\b", read), f"{variable} is injected but nothing reads it"
            assert re.fullmatch(r"\{\{ (\w+) \}\}", template).group(1) in fields


def test_no_secret_looking_literal_anywhere_in_the_awx_folder():
    pattern = re.compile(r"(password|secret|token)\s*[:=]\s*['\"]?(?!\{\{|\!unsafe|$)[^\s'\"]{6,}", re.I)
    for path in [*(ROOT / "awx").rglob("*.yml"), ROOT / "execution-environment.yml"]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not pattern.search(line), f"{path.name}:{number}: {line.strip()}"
