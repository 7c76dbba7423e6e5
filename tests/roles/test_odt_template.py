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
    # Installed from the distribution point, never from the CDN on every PC (issue #11, defect 9).
    assert add.get("SourcePath") == "\\\\dist.union.example\\office\\m365"
    assert add.get("AllowCdnFallback") == "FALSE"
    properties = {e.get("Name"): e.get("Value") for e in root.findall("Property")}
    assert properties["FORCEAPPSHUTDOWN"] == "FALSE"  # open apps are never closed (unsaved work)
    assert root.find("Remove") is None  # nothing to remove unless the PC has a Click-to-Run suite


def test_channel_and_excluded_apps_follow_the_variables():
    root = render(office_m365_channel="Current", office_m365_excluded_apps=["Access"])
    assert root.find("Add").get("Channel") == "Current"
    assert root.find("Updates").get("Channel") == "Current"
    assert [e.get("ID") for e in root.iter("ExcludeApp")] == ["Access"]


def test_only_the_click_to_run_suites_found_are_removed_never_visio_or_project():
    root = render(office_m365_remove_ids=["HomeBusiness2019Retail"])
    remove = root.find("Remove")
    assert remove.get("All") is None
    assert [e.get("ID") for e in remove.findall("Product")] == ["HomeBusiness2019Retail"]


def test_without_a_source_path_the_cdn_is_used_and_updates_can_come_from_the_distribution_point():
    root = render(office_m365_source_path="", office_m365_update_path="\\\\dist.union.example\\office\\updates")
    assert root.find("Add").get("SourcePath") is None
    assert root.find("Updates").get("UpdatePath") == "\\\\dist.union.example\\office\\updates"
