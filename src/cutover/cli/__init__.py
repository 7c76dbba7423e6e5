"""The ``cutover`` command line."""

from cutover.cli.app import app, main

__all__ = ["app", "main"]
