"""Callback plugin that prepares the controller process before Ansible forks its task workers."""

from __future__ import annotations

DOCUMENTATION = r"""
name: cutover_fork_prep
type: aggregate
short_description: Load plugins once in the controller and freeze its heap before workers fork
description:
  - Ansible forks one worker process per task and host. Each worker loaded every filter and test
    plugin (the roles' filter_plugins import cutover) and the connection plugin again, and its
    garbage collector touched the whole inherited heap (copy-on-write page copies).
  - At the start of each play (the play's roles, and so their filter_plugins folders, are known
    then) this plugin loads the filter and test plugins and the play's connection plugin in the
    controller, then moves the controller's objects to the permanent generation (gc.freeze), so
    every worker inherits them instead of redoing the work.
  - It changes no result and prints nothing. Measured effect in docs/performance.md.
requirements:
  - enabled through callbacks_enabled (cutover.runner does it for its runs)
"""

import gc

from ansible.plugins.loader import connection_loader, filter_loader, test_loader

from ansible.plugins.callback import CallbackBase

CONNECTIONS = ("twin", "ansible.builtin.psrp")  # the twin (rehearsals, tests) and real PCs


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "cutover_fork_prep"
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_play_start(self, play):
        for loader in (filter_loader, test_loader):
            # What the first template of every worker did (ansible-core 2.19's Jinja plugin loader; a
            # later core without it only loses the warm-up).
            warm_up = getattr(loader, "_ensure_non_collection_wrappers", None)
            if warm_up is not None:
                warm_up()
        for name in CONNECTIONS:
            try:
                connection_loader.get(name, class_only=True)
            except Exception:  # a warm-up only: a worker that needs the plugin loads it itself
                continue
        gc.collect()
        gc.freeze()
