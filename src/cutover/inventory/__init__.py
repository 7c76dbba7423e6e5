"""The single source of truth: organisation, sites, PCs and mail addresses."""

from cutover.inventory.errors import InventoryError, Problem
from cutover.inventory.loader import default_root, load_inventory
from cutover.inventory.model import Endpoint, Inventory, MailAddress, Organisation, Site, SiteFile

__all__ = [
    "Endpoint",
    "Inventory",
    "InventoryError",
    "MailAddress",
    "Organisation",
    "Problem",
    "Site",
    "SiteFile",
    "default_root",
    "load_inventory",
]
