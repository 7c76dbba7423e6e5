"""Fixtures shared with the report tests: an offline plan and ansible-runner artefacts."""

from tests.report.conftest import endpoint_artefacts, plan_dir

__all__ = ["endpoint_artefacts", "plan_dir"]
