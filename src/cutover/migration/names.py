"""Names a data-center file server accepts but an Azure file share refuses, found before the seed pass.

Azure Files rules (https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-shares--directories--files--and-metadata):
directory and file name components at most 255 characters; the characters " \\ / : | < > * ? and
control characters 0x00-0x1F are not allowed; reserved device names are not allowed.

UNCONFIRMED: the whole-path limit of 2,048 characters is remembered from the Azure Files scalability
targets page (https://learn.microsoft.com/azure/storage/files/storage-files-scale-targets) but could
not be re-checked from a stored copy; findings against it say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_COMPONENT = 255
MAX_PATH = 2048  # UNCONFIRMED, see the module docstring
MAX_PATH_CONFIRMED = False
_FORBIDDEN = re.compile(r'["\\/:|<>*?\x00-\x1f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


@dataclass(frozen=True)
class NameFinding:
    path: str  # relative to the share root, with backslashes
    kind: str  # component_too_long | path_too_long | invalid_character | reserved_name | trailing_dot_or_space
    detail: str


def check_path(relative: str, max_path: int = MAX_PATH) -> list[NameFinding]:
    """Findings for one relative path (``folder\\sub\\file.txt``)."""
    findings: list[NameFinding] = []
    if len(relative) > max_path:
        note = "" if MAX_PATH_CONFIRMED else ", limit unconfirmed"
        findings.append(NameFinding(relative, "path_too_long",
                                    f"{len(relative)} characters (limit {max_path}{note})"))
    for component in relative.split("\\"):
        if not component:
            continue
        if len(component) > MAX_COMPONENT:
            findings.append(NameFinding(relative, "component_too_long",
                                        f"{component[:40]}… has {len(component)} characters (limit {MAX_COMPONENT})"))
        bad = sorted(set(_FORBIDDEN.findall(component)))
        if bad:
            shown = ", ".join(repr(c) for c in bad)
            findings.append(NameFinding(relative, "invalid_character", f"{component!r} contains {shown}"))
        if component.split(".")[0].upper() in _RESERVED:
            findings.append(NameFinding(relative, "reserved_name", f"{component!r} is a reserved device name"))
        if component.endswith((".", " ")):
            findings.append(NameFinding(relative, "trailing_dot_or_space",
                                        f"{component!r} ends with a dot or a space"))
    return findings
