"""Pure rules of touchpoint codes (布码): the codes themselves, targets, scanners, sheets.

A code is eight characters from an alphabet without look-alikes (no 0/O, 1/l/I), so it can
be typed from a printed label and is safe in a URL path: 56**8 (about 1e14) values, far
too many to find live ones by guessing at the rate a public endpoint allows.

    placement      where the code is stuck: shelf_tag, floor_sticker, guide_badge, poster,
                   ad, product_page
    target         where a scan leads: the store's cloud store page, a product page of it,
                   or the join-member page

A scan of a guide's badge, or of any code leading to the store or the join page, offers
membership; a product code leads to the product and offers nothing.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from newretail.members.binding_rules import BindingSource
from newretail.org.rules import cloud_store_code

ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE_PATTERN = f"^[{ALPHABET}]{{{CODE_LENGTH}}}$"


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown or printed."""
    return message


class Placement(StrEnum):
    SHELF_TAG = "shelf_tag"
    FLOOR_STICKER = "floor_sticker"
    GUIDE_BADGE = "guide_badge"
    POSTER = "poster"
    AD = "ad"
    PRODUCT_PAGE = "product_page"


class Target(StrEnum):
    STORE = "store"
    PRODUCT = "product"
    JOIN = "join"


PLACEMENT_LABELS = {
    Placement.SHELF_TAG: N_("Shelf tag"),
    Placement.FLOOR_STICKER: N_("Floor sticker"),
    Placement.GUIDE_BADGE: N_("Guide badge"),
    Placement.POSTER: N_("Poster"),
    Placement.AD: N_("Ad"),
    Placement.PRODUCT_PAGE: N_("Product page"),
}

BINDING_SOURCES = {
    Placement.SHELF_TAG: BindingSource.SHELF_CODE,
    Placement.FLOOR_STICKER: BindingSource.FLOOR_CODE,
    Placement.GUIDE_BADGE: BindingSource.BADGE_CODE,
    Placement.POSTER: BindingSource.POSTER_CODE,
    Placement.AD: BindingSource.AD_CODE,
    Placement.PRODUCT_PAGE: BindingSource.PRODUCT_CODE,
}


def generate_code(pick: Callable[[str], str] = secrets.choice) -> str:
    """A fresh code; ``pick`` chooses one character (a seeded ``Random.choice`` in the demo)."""
    return "".join(pick(ALPHABET) for _ in range(CODE_LENGTH))


def is_code(text: str) -> bool:
    return len(text) == CODE_LENGTH and all(c in ALPHABET for c in text)


def binding_source(placement: Placement) -> BindingSource:
    """The binding source a join through a code of ``placement`` records."""
    return BINDING_SOURCES[placement]


def default_target(placement: Placement) -> Target:
    """Badges recruit, product-page codes show the product, everything else the store."""
    if placement == Placement.GUIDE_BADGE:
        return Target.JOIN
    if placement == Placement.PRODUCT_PAGE:
        return Target.PRODUCT
    return Target.STORE


def check_target(target: Target, product_id: int | None) -> str | None:
    """Why ``target`` and ``product_id`` do not go together, or None when they do."""
    if target == Target.PRODUCT and product_id is None:
        return "product_id: a code leading to a product says which product."
    if target != Target.PRODUCT and product_id is not None:
        return "product_id: only a code leading to a product has one."
    return None


def offers_membership(placement: Placement, target: Target) -> bool:
    return placement == Placement.GUIDE_BADGE or target in (Target.STORE, Target.JOIN)


def store_page_path(brand_code: str, store_code: str) -> str:
    return f"/s/{cloud_store_code(brand_code, store_code)}"


@dataclass(frozen=True)
class Destination:
    """What a code points at, enough to build the URL a scan is sent to."""

    code: str
    target: Target
    brand_code: str
    store_code: str
    product_id: int | None = None


def target_path(destination: Destination) -> str:
    """The path a scan redirects to: the cloud store, a product of it, or the join page."""
    store_page = store_page_path(destination.brand_code, destination.store_code)
    if destination.target == Target.PRODUCT:
        return f"{store_page}/p/{destination.product_id}"
    if destination.target == Target.JOIN:
        return join_path(destination.code)
    return store_page


def scan_path(code: str) -> str:
    """The public path printed in the QR code."""
    return f"/c/{code}"


def join_path(code: str) -> str:
    return f"/c/{code}/join"


def scan_url(base_url: str, code: str) -> str:
    return base_url.rstrip("/") + scan_path(code)


def scanner_key(consumer_id: int | None, anonymous_id: str | None) -> str | None:
    """Who scanned, for counting unique scanners: the consumer if known, else the device id."""
    if consumer_id is not None:
        return f"c:{consumer_id}"
    if anonymous_id:
        return f"a:{anonymous_id}"
    return None


# ---- print sheets ---------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    page: int
    x: float
    y: float


@dataclass(frozen=True)
class Grid:
    """A sheet's grid in points: ``columns`` x ``rows`` cells inside ``margin``."""

    width: float
    height: float
    columns: int
    rows: int
    margin: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def cell_width(self) -> float:
        return (self.width - 2 * self.margin) / self.columns

    @property
    def cell_height(self) -> float:
        return (self.height - 2 * self.margin) / self.rows

    def cell(self, index: int) -> Cell:
        """Where the ``index``-th label goes: left to right, top to bottom, page by page.

        ``y`` is the cell's lower edge, measured from the bottom of the page as PDF does.
        """
        page, slot = divmod(index, self.per_page)
        row, column = divmod(slot, self.columns)
        x = self.margin + column * self.cell_width
        y = self.height - self.margin - (row + 1) * self.cell_height
        return Cell(page, x, y)

    def pages(self, count: int) -> int:
        return max(1, -(-count // self.per_page))


A4_POINTS = (595.2756, 841.8898)
A4_GRID = Grid(width=A4_POINTS[0], height=A4_POINTS[1], columns=3, rows=4, margin=28.35)
