"""The Office Deployment Tool configuration the office_m365 role renders."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import jinja2
import yaml

ROOT = Path(__file__).resolve().parents[2]
ROLE = ROOT / "roles" / "office_m365"


def render(**overrides) -> ET.Element:
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text(encoding="utf-8"))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(ROLE / "templates"), trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    text = env.get_template("odt-configuration.xml.j2").render(**{**defaults, **overrides})
    return ET.fromstring(text)


def test_defaults_render_microsoft_365_apps_in_japanese():
    root = render()
    add = root.find("Add")
    assert add.get("Channel") == "MonthlyEnterprise" and add.get("OfficeClientEdition") == "64"
    product = add.find("Product")
    assert product.get("ID") == "O365BusinessRetail"
    assert product.find("Language").get("ID") == "ja-jp"
    assert {e.get("ID") for e in product.findall("ExcludeApp")} == {"Groove", "Lync", "OneNote", "Teams"}
    assert root.find("RemoveMSI") is not None  # MSI Office 2016 goes
    assert root.find("Display").get("Level") == "None"


def test_channel_and_excluded_apps_follow_the_variables():
    root = render(office_m365_channel="Current", office_m365_excluded_apps=["Access"])
    assert root.find("Add").get("Channel") == "Current"
    assert root.find("Updates").get("Channel") == "Current"
    assert [e.get("ID") for e in root.iter("ExcludeApp")] == ["Access"]
