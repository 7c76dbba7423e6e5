"""Real connection defaults: PSRP over HTTPS with certificate validation and message encryption."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "inventories" / "group_vars" / "all" / "connection.yml"


def insecure_settings(settings: dict) -> list[str]:
    problems = []
    if settings.get("ansible_connection") not in ("psrp", "winrm"):
        problems.append("connection must be psrp (or winrm)")
    transport = str(settings.get("ansible_psrp_auth", settings.get("ansible_winrm_transport", ""))).lower()
    if "basic" in transport or "plaintext" in transport:
        problems.append("Basic authentication sends reusable credentials")
    if str(settings.get("ansible_psrp_protocol", settings.get("ansible_winrm_scheme", "https"))).lower() != "https":
        problems.append("HTTP is unencrypted transport")
    if int(settings.get("ansible_port", 5986)) == 5985:
        problems.append("port 5985 is the HTTP listener")
    if str(settings.get("ansible_psrp_cert_validation",
                        settings.get("ansible_winrm_server_cert_validation", "validate"))).lower() == "ignore":
        problems.append("certificate validation is off")
    if str(settings.get("ansible_psrp_message_encryption", "auto")).lower() == "never":
        problems.append("message encryption is off")
    return problems


def test_committed_connection_defaults_are_secure():
    settings = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert insecure_settings(settings) == []
    assert settings["ansible_connection"] == "psrp" and settings["ansible_port"] == 5986
    assert int(settings["ansible_psrp_read_timeout"]) > int(settings["ansible_psrp_operation_timeout"])


def test_basic_auth_and_plain_http_are_refused():
    base = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert insecure_settings({**base, "ansible_psrp_auth": "basic"})
    assert insecure_settings({**base, "ansible_psrp_protocol": "http"})
    assert insecure_settings({**base, "ansible_port": 5985})
    assert insecure_settings({**base, "ansible_psrp_cert_validation": "ignore"})
    assert insecure_settings({**base, "ansible_psrp_message_encryption": "never"})


def test_no_password_is_committed():
    settings = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert "vault_" in settings["ansible_password"]
