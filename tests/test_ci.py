from typer.testing import CliRunner

from cutover.ci import changed_stacks
from cutover.cli import app

SITES = ["hq", "pref-01-hokkaido", "pref-13-tokyo", "pref-18-fukui"]


def test_site_files_touch_core_and_that_site():
    paths = ["inventories/18-fukui/endpoints.csv", "inventories/13-tokyo/site.yml", "docs/inventory.md"]
    assert changed_stacks(paths, SITES) == ["core", "pref-13-tokyo", "pref-18-fukui"]


def test_shared_code_touches_every_stack():
    assert changed_stacks(["src/cutover/cloud/site.py"], SITES) == ["core", *SITES]
    assert changed_stacks(["inventories/organisation.yml"], SITES) == ["core", *SITES]


def test_docs_only_change_plans_nothing():
    assert changed_stacks(["docs/README.md", "roles/ngav/README.md"], SITES) == []


def test_wave_sites_lists_the_pilot():
    result = CliRunner().invoke(app, ["ci", "wave-sites", "0"])
    assert result.exit_code == 0
    assert result.stdout.strip() == '["pref-18-fukui", "pref-36-tokushima"]'


def test_wave_without_sites_is_an_error():
    result = CliRunner().invoke(app, ["ci", "wave-sites", "17"])
    assert result.exit_code == 2


def test_all_stacks_is_core_then_48_sites():
    import json

    result = CliRunner().invoke(app, ["ci", "all-stacks"])
    stacks = json.loads(result.stdout)
    assert stacks[0] == "core" and stacks[1] == "hq" and len(stacks) == 49
