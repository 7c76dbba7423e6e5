"""Which stacks a change touches, so a pull request plans only those (and everything when shared code moves)."""

from __future__ import annotations

from collections.abc import Iterable

from cutover import sites

# Paths whose change can alter every stack's plan.
SHARED_PREFIXES = (
    "pulumi/", "Pulumi.yaml", "src/cutover/cloud/", "src/cutover/inventory/", "src/cutover/policy_catalog.py",
    "src/cutover/naming.py", "src/cutover/smb.py", "inventories/organisation.yml", "requirements.txt",
    "pyproject.toml",
)


def changed_stacks(paths: Iterable[str], known_sites: Iterable[str]) -> list[str]:
    """Stacks to plan for a change touching ``paths``: ``core`` plus affected site stacks, in JIS order."""
    known = list(known_sites)
    touched: set[str] = set()
    for path in paths:
        if path.startswith(SHARED_PREFIXES):
            return ["core", *sorted(known, key=sites.site_sort_key)]
        if path.startswith("inventories/"):
            folder = path.split("/")[1]
            try:
                site_id = sites.canonical_site_id(folder)
            except sites.UnknownSiteError:
                continue
            if site_id in known:
                touched.add(site_id)
    if not touched:
        return []
    return ["core", *sorted(touched, key=sites.site_sort_key)]
