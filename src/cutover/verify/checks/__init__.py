"""The checks: raw state read by the probe, compared with what the inventory says it must be.

Every check returns ``pass``, ``fail`` (with the reason and, where a person must act, the hands-on
action) or ``error`` (could not check: an unreadable hive, a probe error). A converge module's word
is never taken: a setting that the converge reported ``pending`` (Outlook running) is simply not
there when read, and fails here with that reason.
"""

from __future__ import annotations

from cutover.verify.checks.fileshare import check_fileshare
from cutover.verify.checks.mail import check_outlook, check_shared, check_thunderbird
from cutover.verify.checks.migration import check_server
from cutover.verify.checks.model import CATALOGUE, Check, Finding
from cutover.verify.checks.ngav import check_ngav
from cutover.verify.checks.office import check_office
from cutover.verify.checks.raw import Raw
from cutover.verify.expect import PcExpectation

__all__ = ["CATALOGUE", "Check", "Finding", "Raw", "check_pc", "check_server"]

PC_CHECKS = (check_ngav, check_office, check_outlook, check_thunderbird, check_shared, check_fileshare)


def check_pc(pc: PcExpectation, raw: Raw) -> list[Finding]:
    findings = []
    for check in PC_CHECKS:
        findings += check(pc, raw)
    return findings
