"""AWX / Ansible Automation Platform: job events exported from the API, read like ansible-runner artefacts.

AWX runs the playbooks through ansible-runner and stores each runner event as a job event. Export a
job's events page by page from ``/api/v2/jobs/<id>/job_events/`` (docs/awx.md shows how) and save each
response as a ``*.json`` file under one folder; this collector reads every page below that folder.

A page is the API's paginated answer (``count``, ``next``, ``previous``, ``results``). Each result carries
``job``, ``counter`` (the runner's event counter within that job), ``event`` (``runner_on_ok``,
``runner_on_failed``, ``runner_on_unreachable`` …), ``event_data`` (the runner's event data: ``host``,
``task``, ``res``, ``ignore_errors`` …), ``host_name`` and ``created`` (field names from AWX's
JobEventSerializer, https://github.com/ansible/awx/blob/devel/awx/api/serializers.py).

The API lists events in output order (``start_line``), which with ``strategy: free`` is not the order
they happened in; events are replayed here by job, then ``counter``. The result is the same
:class:`~cutover.evidence.collectors.ansible.RunnerOutcome` the ansible-runner reader produces, so the
report is the same whichever engine ran the playbook. A page that is not a job events page, or a job whose
pages do not add up to its ``count``, is bad input: incomplete evidence must not read as a clean run.
"""

from __future__ import annotations

import json
from pathlib import Path

from cutover.evidence.collectors.ansible import RunnerOutcome


class JobEventsError(ValueError):
    """An export folder that is not a complete set of AWX job events pages (the message names the file)."""


def _load_page(path: Path) -> tuple[int | None, list[dict]]:
    try:
        page = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise JobEventsError(f"{path}: not readable as JSON ({exc})") from None
    if not isinstance(page, dict) or not isinstance(page.get("results"), list):
        raise JobEventsError(f"{path}: not an AWX job events page (no 'results' list)")
    for index, event in enumerate(page["results"]):
        if not isinstance(event, dict):
            raise JobEventsError(f"{path}: results[{index}] is not an object")
        for name in ("job", "counter", "event"):
            if name not in event:
                raise JobEventsError(f"{path}: results[{index}] has no '{name}' field")
        if not isinstance(event["job"], int) or not isinstance(event["counter"], int):
            raise JobEventsError(f"{path}: results[{index}] 'job' and 'counter' must be integers")
    count = page.get("count")
    return (count if isinstance(count, int) else None), page["results"]


def load_events(directory: Path) -> list[dict]:
    """Every job event below ``directory``, without duplicates, in the order they happened."""
    directory = Path(directory)
    pages = sorted(directory.rglob("*.json"))
    if not pages:
        raise JobEventsError(f"{directory}: no AWX job events pages (*.json)")
    events: dict[tuple[int, int], dict] = {}
    counts: dict[int, tuple[int, Path]] = {}
    for path in pages:
        declared, results = _load_page(path)
        for event in results:
            events[(event["job"], event["counter"])] = event
            if declared is not None:
                counts.setdefault(event["job"], (declared, path))
    for job, (declared, path) in counts.items():
        found = sum(1 for key in events if key[0] == job)
        if found != declared:
            raise JobEventsError(f"{path}: job {job} has count {declared} but the pages hold {found} events "
                                 "(export every page: follow 'next' until it is null)")
    return [events[key] for key in sorted(events)]


def read_job_events(directory: Path | None, into: RunnerOutcome | None = None) -> RunnerOutcome:
    """Unreachable hosts and failed tasks from AWX job events (added to ``into`` if given)."""
    outcome = into or RunnerOutcome()
    if directory is None:
        return outcome
    events = load_events(directory)
    outcome.runs += len({event["job"] for event in events})
    for event in events:
        data = event.get("event_data") or {}
        host = event.get("host_name") or data.get("host")
        if not host:
            continue
        host = str(host).upper()
        outcome.seen.add(host)
        kind = event["event"]
        if kind == "runner_on_unreachable":
            result = data.get("res") or {}
            outcome.unreachable[host] = str(result.get("msg") or "unreachable")
        elif kind == "runner_on_failed" and not data.get("ignore_errors"):
            outcome.failed.setdefault(host, []).append(str(data.get("task") or event.get("task") or "task"))
        elif kind == "runner_on_ok":
            outcome.unreachable.pop(host, None)  # reached later in the same or a later job
    return outcome
