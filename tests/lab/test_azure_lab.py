"""The azure-lab molecule scenario, as far as it can be checked without Azure: the Pulumi program under the SDK's
mocks, the certificate the listener presents, and the playbooks that wire them together.

What only a real lab run shows (VMs boot, the listener answers, the roles converge on real Windows) is in
docs/twin.md; this file makes sure a lab run does not fail on our side of the wiring.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import json
import re
import runpy
import sys
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import pkcs12
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "molecule" / "azure-lab"
LAB = SCENARIO / "lab"
PROJECT = yaml.safe_load((LAB / "Pulumi.yaml").read_text())["name"]
PREFIX, LOCATION = "cutover-lab-t1", "japaneast"
SECRET_SIG = "4dabf18193072939515e22adb298388d"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"lab_{name}", LAB / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(LAB))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(LAB))
    return module


labnames = _module("labnames")
certificates = _module("certificates")


class LabMocks(pulumi.runtime.Mocks):
    """Outputs as Azure gives them: ids, physical names, and the public IP's DNS name (not an echo of inputs)."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        outputs: dict[str, Any] = {"name": args.inputs.get("accountName") or args.inputs.get("shareName") or args.name}
        if args.typ == "azure-native:network:PublicIPAddress":
            label = args.inputs["dnsSettings"]["domainNameLabel"]
            outputs |= {"ipAddress": "203.0.113.10",
                        "dnsSettings": {"domainNameLabel": label, "fqdn": f"{label}.{LOCATION}.cloudapp.azure.com"}}
        if args.typ == "azure-native:storage:StorageAccount":
            outputs["name"] = "labst0a1b2c3"
        return f"/mock/{args.typ}/{args.name}", outputs

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


class RawMonitor(pulumi_mocks.MockMonitor):
    """Keeps each registration's serialized inputs, where secret values still carry the secret signature."""

    def __init__(self, mocks):
        super().__init__(mocks)
        self.raw: dict[str, dict] = {}

    def RegisterResource(self, request):
        from google.protobuf import json_format

        self.raw[f"{request.type}::{request.name}"] = json_format.MessageToDict(request.object)
        return super().RegisterResource(request)


def run_lab(config: dict[str, str], secrets: list[str]):
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi_settings.ROOT.set(None)
    monitor = RawMonitor(LabMocks())
    pulumi.runtime.set_mocks(monitor.mocks, project=PROJECT, stack="molecule-lab", preview=False, monitor=monitor)
    pulumi.runtime.set_all_config({f"{PROJECT}:{k}": v for k, v in config.items()},
                                  [f"{PROJECT}:{k}" for k in secrets])
    holder: dict[str, Any] = {}
    try:
        def program():
            holder["globals"] = runpy.run_path(str(LAB / "__main__.py"), run_name="__main__")
        _sync_await(run_pulumi_func(program))
        namespace = holder["globals"]
        exported = {"vms": _sync_await(pulumi.Output.from_input(namespace["vms"]).future()),
                    "storage_host": _sync_await(
                        namespace["account"].name.apply(lambda a: f"{a}.file.core.windows.net").future())}
        return exported, monitor.raw
    finally:
        pulumi.runtime.set_all_config({})
        loop.close()
        asyncio.set_event_loop(None)


CONFIG = {"location": LOCATION, "count": "2", "dnsPrefix": PREFIX, "allowedSource": "198.51.100.7/32",
          "adminPassword": "Example-Passw0rd-Lab", "listenerPfx": "QUJD", "listenerPfxPassword": "pfx-pass"}
SECRETS = ["adminPassword", "listenerPfx", "listenerPfxPassword"]


@pytest.fixture(scope="module")
def lab():
    return run_lab(CONFIG, SECRETS)


def test_the_lab_exports_what_create_reads(lab):
    exported, _ = lab
    assert exported["vms"] == [
        {"name": "LAB-W11-01", "address": f"{PREFIX}-01.{LOCATION}.cloudapp.azure.com", "port": 5986},
        {"name": "LAB-W11-02", "address": f"{PREFIX}-02.{LOCATION}.cloudapp.azure.com", "port": 5986}]
    create = (SCENARIO / "create.yml").read_text(encoding="utf-8")
    tasks = yaml.safe_load(create)[0]["tasks"]
    read_per_vm = set()
    for task in tasks:  # tasks looping over the exported VMs read item.<key>; the instance config reads vm.<key>
        text = yaml.safe_dump(task)
        if ".vms" in str(task.get("loop", "")):
            read_per_vm |= set(re.findall(r"\bitem\.(\w+)", text))
        read_per_vm |= set(re.findall(r"\bvm\.(\w+)", text))
    assert {"name", "address", "port"} <= read_per_vm <= set(exported["vms"][0]), f"create.yml reads {read_per_vm}"
    molecule = (SCENARIO / "molecule.yml").read_text(encoding="utf-8")
    read_outputs = set(re.findall(r"\blab_exports\.(\w+)", molecule)) | set(re.findall(r"\)\.(\w+)", create))
    source = (LAB / "__main__.py").read_text(encoding="utf-8")
    exports = set(re.findall(r'pulumi\.export\("(\w+)"', source))
    assert read_outputs <= exports, f"read but not exported: {read_outputs - exports}"
    assert exported["storage_host"].endswith(".file.core.windows.net")


def test_platform_names_match_the_vms_the_lab_makes(lab):
    exported, _ = lab
    molecule = yaml.safe_load((SCENARIO / "molecule.yml").read_text(encoding="utf-8"))
    assert [p["name"] for p in molecule["platforms"]] == [vm["name"] for vm in exported["vms"]]


def test_the_admin_password_and_the_listener_key_reach_azure_only_as_secrets(lab):
    _, raw = lab
    vm = raw["azure-native:compute:VirtualMachine::LAB-W11-01"]
    assert vm["osProfile"]["adminPassword"].get(SECRET_SIG), "the admin password is not a secret input"
    extension = raw["azure-native:compute:VirtualMachineExtension::LAB-W11-01-winrm"]
    assert extension["protectedSettings"]["commandToExecute"].get(SECRET_SIG)
    assert "settings" not in extension, "nothing goes into the extension's public settings"


def test_a_destroyed_lab_leaves_no_disk_behind(lab):
    _, raw = lab
    for n in (1, 2):
        disk = raw[f"azure-native:compute:VirtualMachine::LAB-W11-0{n}"]["storageProfile"]["osDisk"]
        assert disk["deleteOption"] == "Delete"


def test_the_listener_is_https_only_and_reachable_from_the_operator_only(lab):
    _, raw = lab
    (rule,) = raw["azure-native:network:NetworkSecurityGroup::lab"]["securityRules"]
    assert (rule["sourceAddressPrefix"], rule["destinationPortRange"], rule["access"]) == ("198.51.100.7/32", "5986",
                                                                                        "Allow")
    command = raw["azure-native:compute:VirtualMachineExtension::LAB-W11-01-winrm"]["protectedSettings"][
        "commandToExecute"]["value"]
    assert "-Transport HTTPS" in command and "Import-PfxCertificate" in command and "QUJD" in command
    assert "Service\\Auth\\Basic -Value $false" in command and "AllowUnencrypted -Value $false" in command
    assert "New-SelfSignedCertificate" not in command, "the listener uses the lab CA's certificate, not its own"


def test_create_sets_secrets_through_stdin_never_the_command_line():
    tasks = yaml.safe_load((SCENARIO / "create.yml").read_text(encoding="utf-8"))[0]["tasks"]
    secret_sets = [t for t in tasks if "--secret" in t.get("ansible.builtin.command", {}).get("argv", [])]
    assert {a for t in secret_sets for a in t["ansible.builtin.command"]["argv"] if not a.startswith(("-", "{"))} \
        >= {"adminPassword"}
    for task in secret_sets:
        command = task["ansible.builtin.command"]
        assert "stdin" in command and task.get("no_log") is True, task["name"]
        assert not any("LAB_ADMIN_PASSWORD" in a or "lookup('file'" in a for a in command["argv"]), task["name"]
    source = (LAB / "__main__.py").read_text(encoding="utf-8")
    for key in SECRETS:
        assert f'config.require_secret("{key}")' in source


def test_the_listener_certificate_names_the_addresses_and_chains_to_the_pinned_ca(tmp_path):
    assert certificates.main(["--prefix", PREFIX, "--location", LOCATION, "--count", "2", "--out", str(tmp_path)]) == 0
    ca = x509.load_pem_x509_certificate((tmp_path / "lab-ca.pem").read_bytes())
    password = (tmp_path / "listener.password").read_text().encode()
    import base64
    key, listener, _ = pkcs12.load_key_and_certificates(
        base64.b64decode((tmp_path / "listener.pfx.b64").read_text()), password)
    names = listener.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName)
    assert names == [labnames.fqdn(PREFIX, LOCATION, 1), labnames.fqdn(PREFIX, LOCATION, 2)]
    ca.public_key().verify(listener.signature, listener.tbs_certificate_bytes, padding.PKCS1v15(),
                           listener.signature_hash_algorithm)
    assert listener.issuer == ca.subject
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert listener.not_valid_after_utc - dt.datetime.now(dt.UTC) <= dt.timedelta(days=certificates.VALID_DAYS)
    for secret in ("listener.password", "listener.pfx.b64"):
        assert (tmp_path / secret).stat().st_mode & 0o077 == 0, f"{secret} is readable by others"
    assert key is not None


def test_a_prefix_azure_would_refuse_is_a_clear_error(tmp_path, capsys):
    assert certificates.main(["--prefix", "Cutover_Lab", "--location", LOCATION, "--out", str(tmp_path)]) == 2
    assert "--prefix" in capsys.readouterr().err
    assert not (tmp_path / "lab-ca.pem").exists()


def test_ansible_validates_the_listener_against_the_lab_ca():
    molecule = yaml.safe_load((SCENARIO / "molecule.yml").read_text(encoding="utf-8"))
    windows = molecule["provisioner"]["inventory"]["group_vars"]["windows"]
    assert windows["ansible_psrp_cert_validation"] == "validate"
    assert windows["ansible_psrp_ca_cert"].endswith("/lab-ca.pem")
    assert windows["ansible_psrp_protocol"] == "https" and windows["ansible_port"] == 5986
    create = (SCENARIO / "create.yml").read_text(encoding="utf-8")
    assert "--out" in create and "lab-ca.pem" in create


def test_molecule_never_reaches_galaxy_and_prepares_before_converge():
    molecule = yaml.safe_load((SCENARIO / "molecule.yml").read_text(encoding="utf-8"))
    assert molecule["dependency"] == {"name": "galaxy", "enabled": False}
    sequence = molecule["scenario"]["test_sequence"]
    assert sequence.index("create") < sequence.index("prepare") < sequence.index("converge") < sequence.index("verify")
    libraries = molecule["provisioner"]["env"]["ANSIBLE_LIBRARY"].split(":")
    assert {Path(p).parent.name for p in libraries} == {p.parent.name for p in ROOT.glob("roles/*/library")}


def test_prepare_seeds_what_every_role_reads():
    text = (SCENARIO / "prepare.yml").read_text(encoding="utf-8")
    converge = (SCENARIO / "converge.yml").read_text(encoding="utf-8")
    seeded = {
        "ngav (old antivirus)": ["Uninstall\\OfficeScanNT", "ntrtscan", "TmListen", "\\TrendMicro\\",
                                 "lab-apexone-uninstall.ps1"],
        "office_m365": ["O365BusinessRetail", "{90160000-0012-0000-0000-0000000FF1CE}"],
        "mail_client (Outlook)": ["9375CFF0413111d3B88A00104B2A6676", "{ED475411-B0D6-11D2-8C3B-00104B2A6676}"],
        "mail_client (Thunderbird)": ["profiles.ini", "prefs.js", '"mail.server.server1.type", "pop3"'],
        "file_migration": ["ansible.windows.win_share", "soumu$"],
    }
    missing = {role: [s for s in needles if s not in text] for role, needles in seeded.items()}
    assert not {r: m for r, m in missing.items() if m}
    assert "endpoints.yml" in converge and "file-migration.yml" in converge
    assert (SCENARIO / "files" / "lab-apexone-uninstall.ps1").is_file()


def test_outlook_email_bytes_in_prepare_are_the_address_in_utf16():
    tasks = yaml.safe_load((SCENARIO / "prepare.yml").read_text(encoding="utf-8"))[0]["tasks"]
    block = next(t for t in tasks if "block" in t and any("Outlook" in s["name"] for s in t["block"]))
    values = next(s for s in block["block"] if "Outlook POP account" in s["name"])["loop"]
    by_name = {v["name"]: v["data"] for v in values}
    host_vars = yaml.safe_load((SCENARIO / "molecule.yml").read_text())["provisioner"]["inventory"]["host_vars"]
    address = host_vars["LAB-W11-01"]["cutover_mail_accounts"][0]["address"]
    assert bytes(by_name["Email"]) == (address + "\0").encode("utf-16-le")
    assert bytes(by_name["POP3 Server"]) == "pop.union.example\0".encode("utf-16-le")
    assert json.dumps(by_name["Leave on Server"]) == "1"
