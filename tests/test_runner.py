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
