"""Pure inventory rules: movement kinds, reservation states, lines, absolute levels, ERP order.

A stock level holds, for one location (store or warehouse) and one SKU:

    on_hand    units physically there; the journal's movements add up to it exactly
    reserved   units promised to active reservations (carts, orders, pre-sales, tills)
    available  on_hand - reserved, never shown below zero
    shortfall  units an absolute level took away from under active reservations

An absolute level (an ERP sync, a stock count) is the truth about the shelf, so on_hand
takes it and the journal records the difference, even when it is below what is reserved.
Reservations are then kept, since they belong to carts and orders that other domains will
commit or release; available is zero, so nothing new can be reserved; and the shortfall is
reported and kept on the row, where it is the only slack the database allows between
reserved and on_hand. It shrinks as reservations end and grows only by another absolute
level. Committing a reservation needs the units on hand, so a sale of units the ERP says
are gone fails with ``insufficient_stock`` instead of driving on_hand below zero.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from newretail.inventory.errors import DuplicateLine, InvalidQuantity, InvalidReference

Key = tuple[int, int]
"""(location_id, sku_id): one stock level. Rows are always locked in ascending key order."""


class MovementKind(StrEnum):
    RECEIPT = "receipt"
    SALE = "sale"
    RETURN = "return"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    ADJUSTMENT = "adjustment"
    COUNT = "count"
    ERP_SYNC = "erp_sync"


class ReservationStatus(StrEnum):
    ACTIVE = "active"
    COMMITTED = "committed"
    RELEASED = "released"
    EXPIRED = "expired"


class Purpose(StrEnum):
    """What a reservation holds stock for; with its reference id it names the reservation."""

    CART = "cart"
    ORDER = "order"
    PRESALE = "presale"
    POS = "pos"


class SequenceVerdict(StrEnum):
    APPLY = "apply"
    DUPLICATE = "duplicate"
    STALE = "stale"


DEFAULT_TTL = {
    Purpose.CART: timedelta(minutes=15),
    Purpose.ORDER: timedelta(minutes=30),
    Purpose.PRESALE: timedelta(days=7),
    Purpose.POS: timedelta(minutes=10),
}
MAX_TTL = timedelta(days=90)
MAX_LINES = 200
MAX_REFERENCE_LENGTH = 64
_NEXT_STATES = {
    ReservationStatus.ACTIVE: frozenset(
        {ReservationStatus.COMMITTED, ReservationStatus.RELEASED, ReservationStatus.EXPIRED}
    ),
}


@dataclass(frozen=True, slots=True)
class Line:
    location_id: int
    sku_id: int
    quantity: int

    @property
    def key(self) -> Key:
        return self.location_id, self.sku_id


def check_quantity(quantity: object, *, what: str = "quantity") -> int:
    """A whole number of units greater than zero, or ``InvalidQuantity``."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise InvalidQuantity(f"{what} must be a whole number greater than zero, not {quantity!r}.")
    return quantity


def check_reference(reference_id: str) -> str:
    """A reservation's reference: the caller's own id for its cart, order or sale."""
    if not 0 < len(reference_id) <= MAX_REFERENCE_LENGTH or reference_id != reference_id.strip():
        raise InvalidReference()
    return reference_id


def check_level(level: object) -> int:
    """An absolute level: a whole number of units, zero or more."""
    if isinstance(level, bool) or not isinstance(level, int) or level < 0:
        raise InvalidQuantity(f"A stock level must be a whole number, zero or more, not {level!r}.")
    return level


def lock_ordered(lines: Iterable[Line]) -> list[Line]:
    """Lines checked (whole units > 0, one per location and SKU), in lock order."""
    checked = sorted(lines, key=lambda line: line.key)
    if not checked:
        raise InvalidQuantity("At least one line is needed.")
    if len(checked) > MAX_LINES:
        raise InvalidQuantity(f"At most {MAX_LINES} lines per request.")
    check_distinct(line.key for line in checked)
    for line in checked:
        check_quantity(line.quantity)
    return checked


def check_distinct(keys: Iterable[object]) -> None:
    """One line per SKU (and location): two would be ambiguous for a count, say."""
    seen: set[object] = set()
    for key in keys:
        if key in seen:
            raise DuplicateLine(f"{key} appears on more than one line.")
        seen.add(key)


def available(on_hand: int, reserved: int) -> int:
    return max(0, on_hand - reserved)


def shortfall(on_hand: int, reserved: int) -> int:
    return max(0, reserved - on_hand)


@dataclass(frozen=True, slots=True)
class AbsoluteLevel:
    on_hand: int
    delta: int
    shortfall: int


def absolute_level(*, on_hand: int, reserved: int, level: int) -> AbsoluteLevel:
    """What setting an absolute ``level`` does to a row: the journal delta and any shortfall."""
    level = check_level(level)
    return AbsoluteLevel(on_hand=level, delta=level - on_hand, shortfall=shortfall(level, reserved))


BELOW_RESERVED = "below_reserved"


def below_reserved_detail(on_hand: int, reserved: int, shortfall: int, source: str) -> str:
    return (
        f"{on_hand} {source} but {reserved} reserved: nothing more can be reserved here, "
        f"and committing the last {shortfall} reserved units will fail."
    )


def sequence_verdict(current: int | None, incoming: int) -> SequenceVerdict:
    """ERP messages apply only in sequence order: an older or repeated one is skipped."""
    if current is None or incoming > current:
        return SequenceVerdict.APPLY
    if incoming == current:
        return SequenceVerdict.DUPLICATE
    return SequenceVerdict.STALE


def expiry(purpose: Purpose, now: datetime, ttl_seconds: int | None = None) -> datetime:
    """When a reservation made ``now`` lapses: its own TTL or the purpose's default."""
    if ttl_seconds is None:
        return now + DEFAULT_TTL[purpose]
    ttl = timedelta(seconds=check_quantity(ttl_seconds, what="ttl_seconds"))
    if ttl > MAX_TTL:
        raise InvalidQuantity(f"A reservation is held for at most {MAX_TTL.days} days.")
    return now + ttl


def can_transition(current: ReservationStatus, target: ReservationStatus) -> bool:
    """Only an active reservation changes state; every other state is final."""
    return target in _NEXT_STATES.get(current, frozenset())


def is_expired(expires_at: datetime, now: datetime) -> bool:
    return expires_at <= now


@dataclass(frozen=True, slots=True)
class JournalMismatch:
    location_id: int
    sku_id: int
    on_hand: int
    journal_total: int


def journal_mismatches(
    on_hand: Mapping[Key, int], journal_totals: Mapping[Key, int]
) -> list[JournalMismatch]:
    """Every level whose on_hand is not the sum of its movements, in key order."""
    keys = sorted(set(on_hand) | set(journal_totals))
    return [
        JournalMismatch(key[0], key[1], on_hand.get(key, 0), journal_totals.get(key, 0))
        for key in keys
        if on_hand.get(key, 0) != journal_totals.get(key, 0)
    ]
