"""PCs done / failed / unreachable from ansible-runner's events: counted right, shown as a bar or plain lines.

The events have the shape ansible-runner's event stream gives an ``event_handler`` (and writes to
``artifacts/<ident>/job_events/<counter>-<uuid>.json``): ``event`` and ``event_data`` with the host,
task, ``res`` and, on a failure, ``ignore_errors``; ``playbook_on_stats`` carries Ansible's recap.
test_run_folders.py feeds the events a real rehearsal wrote.
"""

from __future__ import annotations

import io

from rich.console import Console

from cutover.progress import PcCounts, PcProgress

PLAY = {"playbook": "ansible/playbooks/endpoints.yml", "play": "Converge Windows endpoints", "play_pattern": "windows"}
HOSTS = [f"P18-DT-{n:03d}" for n in range(1, 31)]
_counter = iter(range(1, 1_000_000))


def event(kind: str, host: str | None = None, *, task: str = "NGAV | Discover", **data) -> dict:
    n = next(_counter)
    event_data = {**PLAY, "task": task, "task_action": "cutover.endpoint.discover", **data}
    if host:
        event_data |= {"host": host, "remote_addr": host}
    return {"uuid": f"u{n}", "counter": n, "runner_ident": "0b6f", "event": kind,
            "created": "2026-11-24T01:00:00.000000+00:00", "stdout": "", "event_data": event_data}


def ok(host: str, **data) -> dict:
    return event("runner_on_ok", host, res={"changed": False}, **data)


def failed(host: str, ignore_errors: bool = False) -> dict:
    return event("runner_on_failed", host, res={"failed": True, "msg": "installer exit 1603"},
                 ignore_errors=ignore_errors)


def unreachable(host: str) -> dict:
    return event("runner_on_unreachable", host, res={"unreachable": True, "msg": "psrp connection failed"})


def stats(ok_hosts, failures=(), dark=()) -> dict:
    return event("playbook_on_stats", ok={h: 5 for h in ok_hosts}, changed={h: 2 for h in ok_hosts},
                 failures={h: 1 for h in failures}, dark={h: 1 for h in dark}, skipped={}, ignored={}, rescued={})


def test_a_converge_counts_failures_as_they_happen_and_the_rest_at_the_recap():
    counts = PcCounts(HOSTS[:4])
    events = [event("playbook_on_start"), ok(HOSTS[0]), unreachable(HOSTS[1]), failed(HOSTS[2]),
              failed(HOSTS[3], ignore_errors=True), ok(HOSTS[2]), ok("P99-DT-001")]
    changed = [counts.feed(e) for e in events]
    assert changed == [False, False, True, True, False, False, False]  # an ignored failure goes on; strangers
    assert (counts.count("done"), counts.count("failed"), counts.count("unreachable")) == (0, 1, 1)
    assert counts.feed(stats([HOSTS[0], HOSTS[2], HOSTS[3]], failures=[HOSTS[2]], dark=[HOSTS[1]]))
    assert counts.state == {HOSTS[0]: "done", HOSTS[1]: "unreachable", HOSTS[2]: "failed", HOSTS[3]: "done"}
    assert counts.line("converge pref-18-fukui") == "converge pref-18-fukui: 2/4 PCs done, 1 failed, 1 unreachable"


def test_a_verification_finishes_a_pc_with_its_one_answer():
    counts = PcCounts([h.lower() for h in HOSTS[:3]], one_task=True)  # names compared case-blind
    counts.feed(ok(HOSTS[0], task="Verify | Probe"))
    counts.feed(unreachable(HOSTS[1]))
    assert (counts.count("done"), counts.count("unreachable"), counts.finished) == (1, 1, 2)
    counts.feed(failed(HOSTS[2]))
    assert counts.line("verify") == "verify: 1/3 PCs done, 1 failed, 1 unreachable"


def test_piped_output_is_plain_lines_every_tenth_of_the_pcs_and_a_last_one():
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=200)
    now = [0.0]
    with PcProgress("verify pref-18-fukui", HOSTS, console, one_task=True, clock=lambda: now[0]) as on_event:
        kept = [on_event(ok(host, task="Verify | Probe")) for host in HOSTS[:29]]
        on_event(unreachable(HOSTS[29]))
    assert all(kept)  # every event is kept: the evidence collector reads job_events
    text = out.getvalue()
    assert "\x1b" not in text
    lines = text.splitlines()
    assert lines[:3] == [f"verify pref-18-fukui: {n}/30 PCs done, 0 failed, 0 unreachable" for n in (3, 6, 9)]
    assert lines[-1] == "verify pref-18-fukui: 29/30 PCs done, 0 failed, 1 unreachable"
    assert len(lines) == len(set(lines)) == 10  # no line twice, not one per PC


def test_piped_output_also_speaks_after_a_while_when_few_pcs_finish():
    out = io.StringIO()
    now = [0.0]
    with PcProgress("converge wave 1, 2 sites", HOSTS, Console(file=out, force_terminal=False), every=10,
                    clock=lambda: now[0]) as on_event:
        on_event(unreachable(HOSTS[0]))  # 1 of 30: not yet a tenth
        assert out.getvalue() == ""
        now[0] = 11.0
        on_event(failed(HOSTS[1]))
        assert out.getvalue() == "converge wave 1, 2 sites: 0/30 PCs done, 1 failed, 1 unreachable\n"
        for host in HOSTS[2:]:
            on_event(ok(host))  # a converge's PCs are done at the recap, not at a task
        on_event(stats(HOSTS[2:], failures=[HOSTS[1]], dark=[HOSTS[0]]))
    assert out.getvalue().splitlines()[-1] == "converge wave 1, 2 sites: 28/30 PCs done, 1 failed, 1 unreachable"


def test_a_terminal_gets_a_bar_with_the_counts():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with PcProgress("converge pref-18-fukui", HOSTS[:4], console) as on_event:
        on_event(unreachable(HOSTS[0]))
        on_event(stats(HOSTS[1:], dark=[HOSTS[0]]))
    text = out.getvalue()
    assert "\x1b" in text and "━" in text  # a live bar, not lines
    assert "4/4" in text and "3 done, 0 failed, 1 unreachable" in text
