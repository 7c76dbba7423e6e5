"""Callback plugin that prepares the controller process before Ansible forks its task workers."""

from __future__ import annotations

DOCUMENTATION = r"""
name: cutover_fork_prep
type: aggregate
short_description: Load plugins and compile templates once in the controller, freeze its heap, before workers fork
description:
  - Ansible forks one worker process per task and host. Each worker loaded every filter and test
    plugin (the roles' filter_plugins import cutover) and the connection plugin again, and its
    garbage collector touched the whole inherited heap (copy-on-write page copies).
  - At the start of each play (the play's roles, and so their filter_plugins folders, are known
    then) this plugin loads the filter and test plugins and the play's connection plugin in the
    controller, then moves the controller's objects to the permanent generation (gc.freeze), so
    every worker inherits them instead of redoing the work.
  - Every worker also compiled every Jinja template it rendered from scratch (ansible-core 2.19 keeps no
    compiled templates). This plugin memoises the compilation of template text to Python code (a pure
    function of the text and the environment's syntax settings; the code is bound to the rendering
    environment afterwards, as without the memo) and, at play start, compiles the template strings of
    the play's roles (every tasks, defaults and vars file) and of the variables of the play's first
    host (inventory, group_vars), so workers inherit the compiled code.
  - It changes no result and prints nothing. If a later ansible-core lacks the internals it wraps, it
    only loses the warm-up. Measured effect in docs/performance.md.
requirements:
  - enabled through callbacks_enabled (cutover.runner does it for its runs)
"""

import contextlib
import gc
from pathlib import Path

import yaml
from ansible.plugins.loader import connection_loader, filter_loader, test_loader

from ansible.plugins.callback import CallbackBase

CONNECTIONS = ("twin", "ansible.builtin.psrp")  # the twin (rehearsals, tests) and real PCs
# Environment settings Jinja's lexer, parser and code generator read: compiled code is reused only
# between environments that agree on all of them (and on the escape_backslashes compile context).
SYNTAX = ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
          "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
          "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized", "is_async",
          "autoescape")


def memoise_compilation():
    """Wrap ansible-core's Jinja environment so each template text is compiled once per process.

    Returns the cache (a dict), or None when this ansible-core has no such internals.
    """
    try:
        from ansible._internal._templating import _jinja_bits
    except ImportError:
        return None
    environment = getattr(_jinja_bits, "AnsibleEnvironment", None)
    context = getattr(_jinja_bits, "_TemplateCompileContext", None)
    if environment is None or context is None or not hasattr(environment, "compile"):
        return None
    if hasattr(environment.compile, "cutover_cache"):
        return environment.compile.cutover_cache
    original = environment.compile
    cache = {}

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):  # Jinja's signature
        if not isinstance(source, str) or getattr(self, "_debuggable_template_source", False):
            return original(self, source, name, filename, raw, defer_init)
        compiling = context.current(optional=True)
        key = (str(source), name, filename, raw, defer_init, compiling.escape_backslashes if compiling else None,
               type(self), tuple(getattr(self, field, None) for field in SYNTAX), self.finalize,
               tuple(sorted(self.extensions)))
        code = cache.get(key)
        if code is None:
            code = cache[key] = original(self, source, name, filename, raw, defer_init)
        return code

    compile.cutover_cache = cache
    environment.compile = compile
    return cache


def template_strings(value, found):
    """Every string of a loaded YAML document or variables mapping that holds Jinja markup."""
    if isinstance(value, str):
        if "{{" in value or "{%" in value:
            found.add(str(value))
    elif isinstance(value, dict):
        for item in value.values():
            template_strings(item, found)
    elif isinstance(value, list):
        for item in value:
            template_strings(item, found)
    return found


def play_templates(play):
    """The template strings a worker of this play renders: its roles' files and its first host's variables."""
    found = set()
    for role in play.get_roles():
        for folder in ("tasks", "defaults", "vars"):
            for path in sorted(Path(role._role_path).glob(f"{folder}/*.y*ml")):
                template_strings(yaml.safe_load(path.read_text(encoding="utf-8")), found)
    manager = getattr(play, "_variable_manager", None)
    inventory = getattr(manager, "_inventory", None)
    hosts = inventory.get_hosts(play.hosts) if inventory is not None else []
    if hosts:
        template_strings(dict(manager.get_vars(play=play, host=hosts[0], include_hostvars=False)), found)
    return found


def precompile(play) -> int:
    """Compile the play's template strings in the controller, as a worker would; returns how many compiled."""
    from ansible._internal._templating._engine import TemplateEngine, TemplateOptions

    engine = TemplateEngine()
    compiled = 0
    for text in sorted(play_templates(play)):
        try:
            engine._compile_template(text, TemplateOptions.DEFAULT)
        except Exception:  # a warm-up only: a template that does not compile fails in the worker, as before
            continue
        compiled += 1
    return compiled


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
        if memoise_compilation() is not None and play is not None:
            with contextlib.suppress(Exception):  # a warm-up only: workers compile what is not cached
                precompile(play)
        gc.collect()
        gc.freeze()
