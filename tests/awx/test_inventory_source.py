"""The cutover inventory plugin as an AWX inventory source ("Sourced from a Project").

Runs `ansible-inventory` exactly as AWX's inventory update does (awx/main/tasks/jobs.py,
RunInventoryUpdate.build_args/build_env, and STANDARD_INVENTORY_UPDATE_ENV in awx/main/constants.py,
https://github.com/ansible/awx): from a copy of the project as the working directory (so the project's
ansible.cfg applies, no ANSIBLE_CONFIG), `--list --export -i project/<source_path> --output
artifacts/<id>/output.json --playbook-dir <source folder>`, with the inventory source's source variables
as environment variables. Then it hands the exported data back to Ansible the way an AWX job does
(an inventory script printing what AWX stored) and checks the playbook sees plain values.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SOURCE_PATH = "inventories/cutover.yml"
UPDATE_ID = "42"
# awx/main/constants.py STANDARD_INVENTORY_UPDATE_ENV, plus the ANSIBLE_* settings of awx/settings/defaults.py
# that BaseTask.build_env copies into every job's environment.
AWX_ENV = {
    "ANSIBLE_INVENTORY_UNPARSED_FAILED": "True",
    "ANSIBLE_INVENTORY_EXPORT": "True",
    "ANSIBLE_VERBOSE_TO_STDERR": "True",
    "ANSIBLE_HOST_PATTERN_MISMATCH": "error",
    "ANSIBLE_HOST_KEY_CHECKING": "False",
    "ANSIBLE_PARAMIKO_RECORD_HOST_KEYS": "False",
    "ANSIBLE_FORCE_COLOR": "True",
}
SOURCE_VARS = {"CUTOVER_DNS_SUFFIX": ".ad.union.example"}  # the inventory source's source_vars
# Whole words of a variable name (not "secretariat", a folder permission group).
SECRET_KEY = re.compile(r"(^|_)(password|passwd|pass|secret|token|private_key|api_key)($|_)", re.I)


def private_data_dir(tmp: Path) -> Path:
    """What AWX lays out for an inventory update: the project synced into <private>/project."""
    private = tmp / "awx_42_private"
    project = private / "project"
    project.mkdir(parents=True)
    shutil.copy2(ROOT / "ansible.cfg", project / "ansible.cfg")
    for folder in ("ansible", "inventories"):
        shutil.copytree(ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (private / "artifacts" / UPDATE_ID).mkdir(parents=True)
    return private


def awx_environment(private: Path, **source_vars: str) -> dict[str, str]:
    env = {
        "PATH": os.pathsep.join([str(BIN), "/usr/bin", "/bin"]),
        "HOME": str(private),
        "LANG": "C.UTF-8",
        "AWX_PRIVATE_DATA_DIR": str(private),
        "INVENTORY_SOURCE_ID": "7",
        "INVENTORY_UPDATE_ID": UPDATE_ID,
        **AWX_ENV,
        **source_vars,
    }
    return env


def run_inventory_update(private: Path, **source_vars: str) -> subprocess.CompletedProcess:
    source = private / "project" / SOURCE_PATH
    args = ["ansible-inventory", "--list", "--export", "-i", str(source),
            "--output", str(private / "artifacts" / UPDATE_ID / "output.json"),
            "--playbook-dir", str(source.parent)]
    return subprocess.run(args, cwd=private / "project", env=awx_environment(private, **source_vars),
                          capture_output=True, text=True, timeout=300, check=False)


def plain(value):
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@pytest.fixture(scope="module")
def update(tmp_path_factory):
    private = private_data_dir(tmp_path_factory.mktemp("awx"))
    result = run_inventory_update(private, **SOURCE_VARS)
    assert result.returncode == 0, result.stderr
    exported = json.loads((private / "artifacts" / UPDATE_ID / "output.json").read_text(encoding="utf-8"))
    return private, exported, result


def test_the_project_ansible_cfg_is_used_without_ansible_config(update):
    _, _, result = update
    assert "ANSIBLE_CONFIG" not in awx_environment(Path("/nonexistent"))
    assert "Unable to parse" not in result.stderr
    assert "No inventory was parsed" not in result.stderr


def test_groups_per_site_wave_and_role(update, sample_inventory):
    _, exported, _ = update
    for site in sample_inventory.sites.values():
        group = "site_" + site.id.replace("-", "_")
        assert set(exported[group]["hosts"]) == {e.hostname for e in site.endpoints}, group
    for wave in sample_inventory.organisation.waves:
        members = {e.hostname for s in sample_inventory.sites_in_wave(wave.number) for e in s.endpoints}
        assert set(exported[f"wave_{wave.number}"]["hosts"]) == members
    for role in ("staff_pc", "web_meeting_laptop"):
        members = {e.hostname for s in sample_inventory.sites.values() for e in s.endpoints if e.role == role}
        assert set(exported[f"role_{role}"]["hosts"]) == members
    assert set(exported["file_servers"]["hosts"]) == {"DC-FS01"}
    assert {"windows", "file_servers"} <= set(exported["all"]["children"])


def test_hostvars_and_site_vars(update, sample_inventory):
    _, exported, _ = update
    fukui = sample_inventory.sites["pref-18-fukui"]
    endpoint = fukui.endpoints[0]
    hostvars = plain(exported["_meta"]["hostvars"][endpoint.hostname])
    assert hostvars["cutover_site"] == "pref-18-fukui"
    assert hostvars["cutover_wave"] == fukui.wave
    assert hostvars["cutover_last_seen"] == endpoint.last_seen.isoformat()
    # The source variable reached the plugin as an environment variable.
    assert hostvars["ansible_host"] == endpoint.hostname.lower() + ".ad.union.example"
    site_vars = plain(exported["site_pref_18_fukui"]["vars"])
    assert site_vars["cutover_storage_host"].endswith(".file.core.windows.net")
    # --export keeps group variables on their group (AWX stores them there): connection settings on all.
    connection = exported["all"]["vars"]
    assert connection["ansible_connection"] == "psrp"
    assert connection["ansible_psrp_cert_validation"] == "validate"


def test_without_source_vars_no_dns_suffix(tmp_path):
    private = private_data_dir(tmp_path)
    result = run_inventory_update(private)
    assert result.returncode == 0, result.stderr
    exported = json.loads((private / "artifacts" / UPDATE_ID / "output.json").read_text(encoding="utf-8"))
    assert not any("ansible_host" in v for v in exported["_meta"]["hostvars"].values())


def secret_values(value, path=""):
    """Every value under a secret-looking key that is a literal rather than a reference to a vault variable."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}"
            if SECRET_KEY.search(str(key)):
                literal = plain(item)
                if not (isinstance(literal, str) and literal.startswith("{{") and "vault_" in literal):
                    found.append((here, literal))
            found += secret_values(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += secret_values(item, f"{path}[{index}]")
    return found


def test_no_secrets_in_what_awx_stores(update):
    _, exported, _ = update
    assert secret_values(exported) == []
    # The only credential-looking keys are references that AWX credentials fill at run time.
    assert exported["all"]["vars"]["ansible_password"].startswith("{{ vault_windows_password")


def test_the_secret_scan_finds_a_literal_password(update):
    _, exported, _ = update
    tampered = json.loads(json.dumps(exported))
    tampered["_meta"]["hostvars"]["DC-FS01"]["ansible_password"] = {"__ansible_unsafe": "Hunter2!"}
    assert secret_values(tampered) == [("._meta.hostvars.DC-FS01.ansible_password", "Hunter2!")]


def test_invalid_inventory_fails_the_update_with_the_problem(tmp_path):
    private = private_data_dir(tmp_path)
    site_yml = private / "project" / "inventories" / "18-fukui" / "site.yml"
    site_yml.write_text(site_yml.read_text(encoding="utf-8").replace("wave: 0", "wave: 9"), encoding="utf-8")
    result = run_inventory_update(private)
    assert result.returncode != 0, "AWX must fail the sync, not import a partial inventory"
    assert "18-fukui/site.yml line" in result.stderr
    assert not (private / "artifacts" / UPDATE_ID / "output.json").exists()


def awx_job_inventory(private: Path, exported: dict) -> Path:
    """The inventory an AWX job runs with: a script printing what the import stored (Inventory.get_script_data)."""
    data = {name: group for name, group in exported.items() if name != "_meta"}
    data["_meta"] = {"hostvars": exported["_meta"]["hostvars"]}
    script = private / "inventory" / "hosts"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(f"#! {sys.executable}\nprint({json.dumps(data)!r})\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_a_job_sees_plain_values_and_credentials_fill_the_connection(update):
    private, exported, _ = update
    script = awx_job_inventory(private, exported)
    env = {k: v for k, v in awx_environment(private).items() if not k.startswith("INVENTORY_")}
    result = subprocess.run(
        ["ansible", "-i", str(script), "P18-DT-001", "-m", "ansible.builtin.debug",
         "-a", "msg={{ [cutover_site, ansible_host, ansible_user, ansible_password, cutover_storage_host] }}",
         # What the project's "cutover Windows service account" credential type injects (awx/vars/controller.yml).
         "-e", '{"vault_windows_user": "svc-test@AD.UNION.EXAMPLE", "vault_windows_password": "from-the-credential"}'],
        cwd=private / "project", env={**env, "ANSIBLE_FORCE_COLOR": "False"},
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    payload = yaml.safe_load(result.stdout.split("=>", 1)[1])  # the project's callback_result_format = yaml
    site, host, user, password, storage = payload["msg"]
    assert (site, host) == ("pref-18-fukui", "p18-dt-001.ad.union.example")
    assert (user, password) == ("svc-test@AD.UNION.EXAMPLE", "from-the-credential")
    assert storage.endswith(".file.core.windows.net")
