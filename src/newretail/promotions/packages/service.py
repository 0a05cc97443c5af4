"""Coupon packages' use cases, for the router and the pages (import only this).

    assembly.py  the platform operator drafts a package (``create_package``), changes it
                 (``update_package``), has it assembled again (``assemble``), publishes or
                 closes it; everyone reads the packages open to them
    claims.py    a consumer claims a whole package at once (``claim_package``); which
                 packages they hold (``claimed_by``)

The optimiser itself is pure: ``rules.py`` (``assemble``, and ``exhaustive`` to check it).
"""

from newretail.promotions.packages.assembly import (
    assemble,
    candidates_of,
    close,
    create_package,
    get_package,
    list_packages,
    publish,
    update_package,
    use_rate,
)
from newretail.promotions.packages.claims import claim_package, claimed_by

__all__ = [
    "assemble",
    "candidates_of",
    "claim_package",
    "claimed_by",
    "close",
    "create_package",
    "get_package",
    "list_packages",
    "publish",
    "update_package",
    "use_rate",
]
