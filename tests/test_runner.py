"""cutover.runner: every run enables the warm-up before Ansible forks workers (callback cutover_fork_prep).

It must be found where cutover.runner points Ansible, enabled for every run, load the plugins a
worker would load, and freeze the controller's heap; docs/performance.md has what it saves.
"""

from __future__ import annotations

import gc
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from cutover.runner import FORK_PREP, PROJECT_ROOT

PLUGIN = PROJECT_ROOT / "ansible" / "plugins" / "callback" / "cutover_fork_prep.py"


def test_every_run_enables_it_from_the_project_folder():
    assert FORK_PREP["ANSIBLE_CALLBACKS_ENABLED"] == "cutover_fork_prep"
    assert Path(FORK_PREP["ANSIBLE_CALLBACK_PLUGINS"]) == PLUGIN.parent
    env = {**os.environ, **FORK_PREP, "ANSIBLE_CONFIG": str(PROJECT_ROOT / "ansible.cfg")}
    listed = subprocess.run([str(Path(sys.executable).parent / "ansible-doc"), "-t", "callback", "-l"], env=env,
                            capture_output=True, text=True, check=True).stdout
    assert "cutover_fork_prep" in listed


def test_play_start_loads_the_plugins_once_and_freezes_the_heap():
    from ansible.plugins.loader import connection_loader, filter_loader, init_plugin_loader

    init_plugin_loader()
    connection_loader.add_directory(str(PROJECT_ROOT / "ansible" / "plugins" / "connection"))
    spec = importlib.util.spec_from_file_location("cutover_fork_prep_under_test", PLUGIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    filter_loader._clear_caches()
    twin_module = "ansible.plugins.connection.twin"
    sys.modules.pop(twin_module, None)
    frozen = gc.get_freeze_count()
    try:
        module.CallbackModule().v2_playbook_on_play_start(play=None)
        assert "ansible.builtin.to_json" in filter_loader._cached_non_collection_wrappers
        assert twin_module in sys.modules  # a worker finds the twin connection already imported
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()


def _plugin():
    spec = importlib.util.spec_from_file_location("cutover_fork_prep_compile", PLUGIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _render(text, escape_backslashes=True, **variables):
    from ansible._internal._datatag._tags import TrustedAsTemplate
    from ansible._internal._templating._engine import TemplateEngine, TemplateOptions
    from ansible.module_utils._internal._datatag import AnsibleTagHelper

    options = TemplateOptions(escape_backslashes=escape_backslashes)
    return TemplateEngine(variables=variables).template(AnsibleTagHelper.tag(text, [TrustedAsTemplate()]),
                                                       options=options)


def test_compiled_templates_are_reused_only_where_the_compilation_would_be_the_same():
    """The memo is keyed on everything compilation reads: the text, the escape_backslashes context and the
    environment's syntax (a ``#jinja2:`` header changes the delimiters of the same text)."""
    from ansible.plugins.loader import init_plugin_loader

    init_plugin_loader()
    cache = _plugin().memoise_compilation()
    assert cache is not None, "ansible-core's templating internals moved: the warm-up is lost (see the plugin)"
    assert _render("{{ n + 1 }}", n=1) == 2
    assert "{{ n + 1 }}" in {key[0] for key in cache}
    size = len(cache)
    assert _render("{{ n + 1 }}", n=41) == 42 and len(cache) == size  # the same text: compiled once
    # escape_backslashes (YAML-sourced templates) keeps a backslash literal; without it '\n' is a newline
    assert _render("{{ 'a\\nb' }}") == "a\\nb"
    assert _render("{{ 'a\\nb' }}", escape_backslashes=False) == "a\nb"
    assert _render("{{ 'a\\nb' }}") == "a\\nb"
    # the same text after the header, other delimiters: another compilation
    assert _render("{{ 1 + 1 }} [% 2 + 2 %]") == "2 [% 2 + 2 %]"
    header = "#jinja2:variable_start_string:'[%', variable_end_string:'%]'\n"
    assert _render(header + "{{ 1 + 1 }} [% 2 + 2 %]") == "{{ 1 + 1 }} 4"
    assert _render("{{ 1 + 1 }} [% 2 + 2 %]") == "2 [% 2 + 2 %]"


def test_play_start_compiles_what_workers_render_from_roles_and_inventory(tmp_path):
    """Task arguments (also in files only an include reads), role defaults and group variables."""
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.playbook.play import Play
    from ansible.plugins.loader import init_plugin_loader
    from ansible.vars.manager import VariableManager

    init_plugin_loader()
    role = tmp_path / "roles" / "demo"
    (role / "tasks").mkdir(parents=True)
    (role / "defaults").mkdir()
    (role / "tasks" / "main.yml").write_text(
        "- ansible.builtin.debug: {msg: '{{ demo_default }} and {{ from_group }}'}\n"
        "- ansible.builtin.include_tasks: more.yml\n  when: demo_more\n", encoding="utf-8")
    (role / "tasks" / "more.yml").write_text("- ansible.builtin.debug: {msg: '{{ only_in_an_include }}'}\n",
                                             encoding="utf-8")
    (role / "defaults" / "main.yml").write_text("demo_default: \"{{ 'x' | upper }}\"\ndemo_more: false\n",
                                                encoding="utf-8")
    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=[])
    inventory.add_host("PC-1", group="all")
    inventory.groups["all"].set_variable("from_group", "{{ inventory_hostname | lower }}")
    manager = VariableManager(loader=loader, inventory=inventory)
    play = Play.load({"hosts": "all", "gather_facts": False, "roles": [{"role": str(role)}]},
                     variable_manager=manager, loader=loader)
    plugin = _plugin()
    found = plugin.play_templates(play)
    assert {"{{ demo_default }} and {{ from_group }}", "{{ only_in_an_include }}", "{{ 'x' | upper }}",
            "{{ inventory_hostname | lower }}"} <= found
    cache = plugin.memoise_compilation()
    assert plugin.precompile(play) == len(found)
    assert found <= {key[0] for key in cache}
    size = len(cache)
    assert _render("{{ inventory_hostname | lower }}", inventory_hostname="PC-1") == "pc-1"
    assert len(cache) == size  # compiled at play start: a worker forked after it compiles nothing
