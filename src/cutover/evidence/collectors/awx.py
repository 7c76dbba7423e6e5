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
they happened in; events are replayed here by job, then ``counter``, and each job is one run, ordered
with the runner artefacts' runs by its start time. The result is the same
:class:`~cutover.evidence.collectors.ansible.RunnerOutcome` the ansible-runner reader produces, so the
report is the same whichever engine ran the playbook. A page that is not a job events page, or a job whose
pages do not add up to its ``count``, is bad input: incomplete evidence must not read as a clean run.
"""

from __future__ import annotations

import json
from pathlib import Path

from cutover.evidence.collectors.ansible import RunnerOutcome, run_from_events


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


def _as_runner_event(event: dict) -> dict:
    """An AWX job event in ansible-runner's shape (host, task and role may sit outside event_data)."""
    data = dict(event.get("event_data") or {})
    for name, field in (("host", "host_name"), ("task", "task"), ("role", "role")):
        if not data.get(name) and event.get(field):
            data[name] = event[field]
    return {"event": event["event"], "counter": event["counter"], "created": event.get("created"), "event_data": data}


def read_job_events(directory: Path | None, into: RunnerOutcome | None = None) -> RunnerOutcome:
    """One run per AWX job, judged like ansible-runner artefacts (added to ``into`` if given)."""
    outcome = into or RunnerOutcome()
    if directory is None:
        return outcome
    by_job: dict[int, list[dict]] = {}
    for event in load_events(directory):  # by job, then counter
        by_job.setdefault(event["job"], []).append(_as_runner_event(event))
    for job, events in by_job.items():
        run = run_from_events(Path(directory) / str(job), events, outcome.problems)
        if run is not None:
            outcome.runs.append(run)
    outcome.sort()
    return outcome
