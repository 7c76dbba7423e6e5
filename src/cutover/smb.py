"""SMB channel encryption per site, from the Windows versions of its PCs and a deadline.

Azure Files negotiates AES-256-GCM only with Windows 11 and Windows Server 2022 clients; Windows 10
negotiates AES-128-GCM, and an account that allows AES-256-GCM alone refuses its SMB session setup
with STATUS_ACCESS_DENIED (https://learn.microsoft.com/azure/storage/files/files-smb-protocol).
So a site keeps AES-128-GCM beside AES-256-GCM while it still has Windows 10 PCs and the
organisation's Windows 10 deadline has not passed; otherwise it allows AES-256-GCM only. The stack,
the readiness check (``cutover_smb_channel_encryption``) and the docs use this one function.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

WINDOWS11_FIRST_BUILD = 22000
AES256_ONLY = "AES-256-GCM"
WITH_AES128 = "AES-128-GCM;AES-256-GCM"


def windows10_count(builds: Iterable[int]) -> int:
    return sum(1 for build in builds if build < WINDOWS11_FIRST_BUILD)


def channel_encryption(builds: Iterable[int], windows10_deadline: dt.date | None, as_of: dt.date) -> str:
    """``AES-256-GCM``, or ``AES-128-GCM;AES-256-GCM`` while Windows 10 PCs remain before the deadline."""
    if windows10_count(builds) and windows10_deadline is not None and as_of <= windows10_deadline:
        return WITH_AES128
    return AES256_ONLY


def aes128_allowed_until(builds: Iterable[int], windows10_deadline: dt.date | None) -> dt.date | None:
    """The last day AES-128-GCM may stay allowed at a site (None: never)."""
    return windows10_deadline if windows10_count(builds) else None


def channel_allows_aes256_only(channel_encryption: str | None) -> bool:
    """``AES-256-GCM`` alone (clients must offer it: Windows 10 cannot, Windows 11 after its cipher order is set)."""
    return {c.strip() for c in str(channel_encryption or "").split(";") if c.strip()} == {AES256_ONLY}
