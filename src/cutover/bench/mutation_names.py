"""pytest plugin for mutation runs only: role filter plugins loaded from a file get their dotted name.

Tests load a role's filter plugin from its file (``spec_from_file_location("mail_client_filters",
…/roles/mail_client/filter_plugins/mail_client.py)``), as Ansible does. mutmut switches a mutant on
only inside the module whose name matches the file's path (``roles.mail_client.filter_plugins.
mail_client``), so during ``scripts/mutation`` such a module is given that name. The tests and the
code are unchanged; the normal test command never loads this plugin.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_original = importlib.util.spec_from_file_location


def dotted_name(location: object) -> str | None:
    """``roles.<role>.filter_plugins.<name>`` for a filter plugin file, else None."""
    try:
        parts = Path(str(location)).parts
    except TypeError:
        return None
    if len(parts) >= 4 and parts[-4] == "roles" and parts[-2] == "filter_plugins" and parts[-1].endswith(".py"):
        return f"roles.{parts[-3]}.filter_plugins.{parts[-1][:-3]}"
    return None


def _named_by_path(name, location=None, *args, **kwargs):
    return _original(dotted_name(location) or name, location, *args, **kwargs)


def pytest_configure(config) -> None:
    importlib.util.spec_from_file_location = _named_by_path


def pytest_unconfigure(config) -> None:
    importlib.util.spec_from_file_location = _original
