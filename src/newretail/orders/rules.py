"""Pure order rules: the state machine, line amounts, refund shares and fulfilment routing.

The order state machine (``status``)::

    created ──pay──▶ paid ──allocate──▶ allocated ──ready──▶ ready ──hand over──▶ completed
       │               │                    │   └──ship───▶ shipped ──deliver──▶ completed
       │               │                    │
       └─cancel/expire─┴─▶ cancelled        └─ (a full refund before anything left) ─▶ refunded
                       └───── full refund ──────────────────────────────────────────▶ refunded

- ``created``: priced, stock reserved at the routed locations, waiting for payment until
  ``expires_at``; ``cancel`` (caller) and ``expire`` (the worker) end it as ``cancelled``
  and release the reservation.
- ``paid``: the payment succeeded and the reservation was committed (a sale movement).
- ``allocated``: fulfilments exist, one per location chosen by ``route``.
- ``ready``: every pickup fulfilment waits at the counter with its pickup code.
- ``shipped``: every fulfilment left its location (shipped, or out for same-city delivery).
- ``completed``: every fulfilment was handed over or delivered.
- ``refunded``: fully refunded before any fulfilment left (terminal).

Steps that always follow each other in one transaction are taken by one UPDATE: a payment
moves a ``created`` order through ``paid`` to ``allocated`` (``walk`` checks each step
against the table), and a purchase writes its order already ``allocated``; each step still
writes its own event, all of them in one INSERT. A carry-out purchase (a counter sale whose
buyer takes the goods at once) is written ``completed``: created → paid → allocated →
completed, its one fulfilment (kind ``carry_out``) handed over in the same transaction.

Money back is a second dimension, ``refund_state`` (``none`` → ``partial`` → ``full``), so a
partially refunded order keeps shipping. Every transition is one conditional UPDATE
(``WHERE status IN (allowed sources)``) in the service, and writes its outbox event
(``EVENT_OF``) in the same transaction; ``can_transition`` is the table it checks against.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from newretail.kernel.money import split


def units_by_sku(lines: Iterable[tuple[int, int]]) -> dict[int, int]:
    """The units of each SKU over (sku_id, quantity) lines, a SKU named twice added up."""
    units: dict[int, int] = {}
    for sku, quantity in lines:
        units[sku] = units.get(sku, 0) + quantity
    return units


class OrderStatus(StrEnum):
    CREATED = "created"
    PAID = "paid"
    ALLOCATED = "allocated"
    READY = "ready"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class OrderKind(StrEnum):
    STANDARD = "standard"
    DEPOSIT = "deposit"  # a pre-sale's deposit: paid, never allocated (see special.py)
    BALANCE = "balance"  # a pre-sale's balance: allocated, commits the pre-sale's hold


class CartStatus(StrEnum):
    OPEN = "open"
    CHECKED_OUT = "checked_out"


class RefundState(StrEnum):
    NONE = "none"
    PARTIAL = "partial"
    FULL = "full"


class DeliveryMethod(StrEnum):
    SHIP = "ship"  # express parcel from a store or a warehouse
    PICKUP = "pickup"  # picked up at a chosen store, with a pickup code
    SAME_CITY = "same_city"  # a courier from a nearby store
    CARRY_OUT = "carry_out"  # the buyer takes the goods from the selling store's counter now


class FulfilmentKind(StrEnum):
    SHIP_FROM_WAREHOUSE = "ship_from_warehouse"
    SHIP_FROM_STORE = "ship_from_store"
    PICKUP = "pickup"
    SAME_CITY = "same_city"
    CARRY_OUT = "carry_out"  # handed over when the sale is paid: completed at once


class FulfilmentStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"  # pickups: waiting at the counter
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


S = OrderStatus
TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = {
    S.CREATED: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.ALLOCATED, S.REFUNDED}),
    S.ALLOCATED: frozenset({S.READY, S.SHIPPED, S.COMPLETED, S.REFUNDED}),
    S.READY: frozenset({S.COMPLETED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}
EVENT_OF: Mapping[OrderStatus, str] = {
    S.CREATED: "order.created",
    S.PAID: "order.paid",
    S.ALLOCATED: "order.allocated",
    S.READY: "order.ready",
    S.SHIPPED: "order.shipped",
    S.COMPLETED: "order.fulfilled",
    S.CANCELLED: "order.cancelled",
    S.REFUNDED: "order.refunded",
}
REFUNDABLE = frozenset({S.PAID, S.ALLOCATED, S.READY, S.SHIPPED, S.COMPLETED})
NOTHING_LEFT_YET = frozenset({S.PAID, S.ALLOCATED, S.READY})


def can_transition(source: OrderStatus, target: OrderStatus) -> bool:
    return target in TRANSITIONS[source]


def sources_of(target: OrderStatus) -> frozenset[OrderStatus]:
    """Every status an order may move to ``target`` from: the guard of the UPDATE."""
    return frozenset(source for source, targets in TRANSITIONS.items() if target in targets)


def walk(source: OrderStatus, *steps: OrderStatus) -> tuple[OrderStatus, ...]:
    """``steps`` taken one after the other from ``source``, if the machine allows each."""
    current = source
    for step in steps:
        if not can_transition(current, step):
            raise ValueError(f"an order cannot go from {current.value} to {step.value}")
        current = step
    return steps


def purchase_steps(method: DeliveryMethod) -> tuple[OrderStatus, ...]:
    """The steps a purchase (paid as it is placed) takes: a carry-out ends completed."""
    steps = [OrderStatus.PAID, OrderStatus.ALLOCATED]
    if method is DeliveryMethod.CARRY_OUT:
        steps.append(OrderStatus.COMPLETED)
    return walk(OrderStatus.CREATED, *steps)


def lead_guide(guides: Sequence[int | None], amounts: Sequence[int]) -> int | None:
    """The guide who served the largest part of a sale (the first of equals), or None."""
    served: dict[int, int] = {}
    for guide, amount in zip(guides, amounts, strict=True):
        if guide is not None:
            served[guide] = served.get(guide, 0) + amount
    if not served:
        return None
    return max(served, key=lambda g: (served[g], -guides.index(g)))


def refund_state(paid: int, refunded: int) -> RefundState:
    if refunded <= 0:
        return RefundState.NONE
    return RefundState.FULL if refunded >= paid else RefundState.PARTIAL


def status_after_fulfilment(statuses: Sequence[FulfilmentStatus]) -> OrderStatus | None:
    """What the order becomes once its fulfilments are in ``statuses``; None: no change."""
    live = [s for s in statuses if s is not FulfilmentStatus.CANCELLED]
    if not live or any(s is FulfilmentStatus.PENDING for s in live):
        return None
    if all(s is FulfilmentStatus.COMPLETED for s in live):
        return S.COMPLETED
    if all(s is FulfilmentStatus.READY for s in live):
        return S.READY
    if all(s in (FulfilmentStatus.SHIPPED, FulfilmentStatus.COMPLETED) for s in live):
        return S.SHIPPED
    return None


# ---- amounts --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineAmounts:
    subtotal: int
    discount: int
    total: int


def line_amounts(
    unit_prices: Sequence[int], quantities: Sequence[int], discount: int
) -> list[LineAmounts]:
    """Each line's subtotal, its share of the order ``discount`` (by subtotal) and its total."""
    subtotals = [price * quantity for price, quantity in zip(unit_prices, quantities, strict=True)]
    if discount < 0 or discount > sum(subtotals):
        raise ValueError("the discount must be between zero and the subtotal")
    shares = split(discount, subtotals) if sum(subtotals) else [0] * len(subtotals)
    return [LineAmounts(s, d, s - d) for s, d in zip(subtotals, shares, strict=True)]


def discounted_amounts(
    unit_prices: Sequence[int], quantities: Sequence[int], taken: Sequence[int], discount: int
) -> list[LineAmounts]:
    """Each line's subtotal, its discount (``taken`` off it by promotions and coupons, then
    its share of a further order ``discount`` by what is left) and its total."""
    subtotals = [price * quantity for price, quantity in zip(unit_prices, quantities, strict=True)]
    nets = [s - t for s, t in zip(subtotals, taken, strict=True)]
    if min(taken, default=0) < 0 or min(nets, default=0) < 0:
        raise ValueError("a line cannot take off more than its subtotal")
    if discount < 0 or discount > sum(nets):
        raise ValueError("the discount must be between zero and what is left to pay")
    shares = split(discount, nets) if sum(nets) else [0] * len(nets)
    return [
        LineAmounts(s, t + d, n - d)
        for s, t, n, d in zip(subtotals, taken, nets, shares, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class RefundableLine:
    line_id: int
    quantity: int
    total: int
    refunded_quantity: int
    refunded_amount: int

    @property
    def left(self) -> int:
        return self.total - self.refunded_amount


def quantity_refund(line: RefundableLine, quantity: int) -> int:
    """The amount of ``quantity`` more units of ``line``: the next units' exact shares.

    The line total is split over its units once; refunds take units in order, so refunding
    every unit, in any number of steps, gives back exactly the line total.
    """
    if quantity <= 0 or line.refunded_quantity + quantity > line.quantity:
        raise ValueError("cannot refund more units than the line has left")
    units = split(line.total, [1] * line.quantity)
    return sum(units[line.refunded_quantity : line.refunded_quantity + quantity])


def amount_refund(lines: Sequence[RefundableLine], amount: int) -> list[int]:
    """Spread ``amount`` over the lines by what each has left to refund, to the fen."""
    left = [line.left for line in lines]
    if amount <= 0 or amount > sum(left):
        raise ValueError("cannot refund more than is left")
    return split(amount, left)


# ---- routing --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Location:
    location_id: int
    warehouse: bool
    distance_km: float
    stock: Mapping[int, int]  # sku_id -> units available

    def covers(self, need: Mapping[int, int]) -> bool:
        return all(self.stock.get(sku, 0) >= n for sku, n in need.items())


@dataclass(frozen=True, slots=True)
class Allocation:
    location_id: int
    warehouse: bool
    distance_km: float
    sku_ids: tuple[int, ...]
    reason: str


class Unroutable(ValueError):
    """No set of locations holds every line; ``sku_id`` is one that nothing covers."""

    def __init__(self, sku_id: int):
        super().__init__(f"no location holds enough of SKU {sku_id}")
        self.sku_id = sku_id


def route(need: Mapping[int, int], locations: Sequence[Location]) -> list[Allocation]:
    """Where each SKU of an order ships from, and why.

    1. the nearest store that holds every line in full: one parcel, closest to the buyer;
    2. else the fewest locations that together hold every line (each line from one place),
       picked greedily by how many open lines a location covers in full;
    3. among locations covering as many lines, a store before a warehouse, nearer first:
       a warehouse is chosen where it saves a split, or where no store holds a line.
    """
    stores = sorted((x for x in locations if not x.warehouse), key=_nearest)
    for store in stores:
        if store.covers(need):
            reason = f"nearest store with full stock ({store.distance_km:.1f} km)"
            return [_allocation(store, sorted(need), reason)]
    left = dict(need)
    chosen: list[Allocation] = []
    pool = sorted(locations, key=lambda x: (x.warehouse, x.distance_km, x.location_id))
    while left:
        best = max(pool, key=lambda x: _covered_count(x, left), default=None)
        if best is None or _covered_count(best, left) == 0:
            raise Unroutable(min(left))
        skus = sorted(sku for sku, n in left.items() if best.stock.get(sku, 0) >= n)
        chosen.append(_allocation(best, skus, _split_reason(best, len(need))))
        pool.remove(best)
        for sku in skus:
            del left[sku]
    return chosen


def _nearest(location: Location) -> tuple[float, int]:
    return location.distance_km, location.location_id


def _covered_count(location: Location, left: Mapping[int, int]) -> int:
    # max() keeps the first of equals, and the pool is sorted stores-first, nearest-first.
    return sum(location.stock.get(sku, 0) >= n for sku, n in left.items())


def _split_reason(location: Location, lines: int) -> str:
    where = "warehouse" if location.warehouse else "store"
    return f"fewest splits: {where} holding the most of the {lines} lines still open"


def _allocation(location: Location, skus: Sequence[int], reason: str) -> Allocation:
    return Allocation(
        location.location_id, location.warehouse, location.distance_km, tuple(skus), reason
    )


def fulfilment_kind(method: DeliveryMethod, warehouse: bool) -> FulfilmentKind:
    if method is DeliveryMethod.CARRY_OUT:
        return FulfilmentKind.CARRY_OUT
    if method is DeliveryMethod.PICKUP:
        return FulfilmentKind.PICKUP
    if method is DeliveryMethod.SAME_CITY:
        return FulfilmentKind.SAME_CITY
    return FulfilmentKind.SHIP_FROM_WAREHOUSE if warehouse else FulfilmentKind.SHIP_FROM_STORE
