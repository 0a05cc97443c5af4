"""What accrual reads about a batch of orders, one query per table for the whole batch.

Read-only joins over the tables of orders, org, catalog, auth and touchpoints: the order
and its attribution snapshot (the columns written at checkout, never the member's binding
of today), its lines' SKUs and categories, the stores' types, the guides' levels, the
guides' own memberships and the owners of touchpoint codes.

Orders and lines are read as plain rows (``OrderRow``, ``LineRow``), not as mapped objects:
accrual prices every line of a month of orders, and building a mapped object per row would
cost more than pricing it.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.auth.models import Staff
from newretail.catalog.models import Product, Sku
from newretail.commission import rules
from newretail.commission.plan_models import GuideMembership
from newretail.orders.models import Order, OrderLine
from newretail.orders.rules import OrderStatus
from newretail.org.models import Store
from newretail.touchpoints.models import TouchpointCode

UNPAID = frozenset({OrderStatus.CREATED.value, OrderStatus.CANCELLED.value})
WAREHOUSE = "warehouse"


@dataclass(frozen=True)
class SkuFacts:
    code: str
    category_id: int | None


NO_SKU = SkuFacts("", None)


@dataclass(frozen=True, slots=True)
class LineRow:
    """What accrual reads of an order line."""

    id: int
    sku_id: int
    title: str
    quantity: int
    total: int
    refunded_amount: int
    refunded_quantity: int
    location_id: int
    serving_guide_id: int | None


@dataclass(frozen=True, slots=True)
class OrderRow:
    """What accrual reads of an order: its money, its state and its attribution snapshot."""

    id: int
    brand_id: int
    number: str
    channel: str
    status: str
    currency: str
    member_id: int | None
    store_id: int
    bound_store_id: int | None
    bound_guide_id: int | None
    referring_guide_id: int | None
    touchpoint_code: str | None
    pickup_store_id: int | None
    paid_amount: int
    refunded_amount: int
    created_at: datetime
    paid_at: datetime | None
    closed_at: datetime | None
    lines: tuple[LineRow, ...] = ()

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None or self.paid_amount != 0


_ORDER_COLUMNS = tuple(
    getattr(Order, name) for name in OrderRow.__dataclass_fields__ if name != "lines"
)
_LINE_COLUMNS = (OrderLine.order_id, *(getattr(OrderLine, n) for n in LineRow.__dataclass_fields__))


def order_row(order: Order) -> OrderRow:
    """An order already loaded as a mapped object, as accrual reads it."""
    values = {column.key: getattr(order, column.key) for column in _ORDER_COLUMNS}
    lines = tuple(
        LineRow(**{name: getattr(line, name) for name in LineRow.__dataclass_fields__})
        for line in order.lines
    )
    return OrderRow(**values, lines=lines)


@dataclass
class Batch:
    """Everything the orders of one batch need, by id."""

    orders: list[OrderRow]
    skus: dict[int, SkuFacts]
    store_types: dict[int, str]
    levels: dict[int, str | None]
    own_members: dict[int, int]  # guide id -> their own membership id
    code_guides: dict[str, int]

    def guide(self, guide_id: int | None, order: OrderRow) -> rules.Guide | None:
        if guide_id is None:
            return None
        own = self.own_members.get(guide_id)
        buyer = own is not None and own == order.member_id
        return rules.Guide(guide_id, self.levels.get(guide_id), buyer)

    def share_guide(self, order: OrderRow, line: LineRow | None = None) -> rules.Guide | None:
        """The guide whose own share link or code brought the sale (or served the line)."""
        referring = referring_guide_id(order, line) if line is not None else None
        if referring is not None:
            return self.guide(referring, order)
        if order.referring_guide_id is not None:
            return self.guide(order.referring_guide_id, order)
        code_guide = self.code_guides.get(order.touchpoint_code or "")
        return self.guide(code_guide, order)

    def fulfilling_store(self, order: OrderRow, line: LineRow) -> int | None:
        """The store that hands over or ships the line; a warehouse earns no service fee."""
        store_id = order.pickup_store_id or line.location_id
        return None if self.store_types.get(store_id) == WAREHOUSE else store_id

    def sku(self, line: LineRow) -> SkuFacts:
        return self.skus.get(line.sku_id, NO_SKU)

    def line_facts(self, order: OrderRow, line: LineRow, base: int) -> rules.LineFacts:
        sku = self.sku(line)
        return rules.LineFacts(
            line_id=line.id,
            at=order.paid_at or order.created_at,
            channel=order.channel,
            base=base,
            sku_id=line.sku_id,
            category_id=sku.category_id,
            store_type=self.store_types.get(order.store_id),
            bound_guide=self.guide(order.bound_guide_id, order),
            referring_guide=self.guide(referring_guide_id(order, line), order),
            share_guide=self.share_guide(order, line),
            bound_store_id=order.bound_store_id,
            selling_store_id=order.store_id,
            fulfilling_store_id=self.fulfilling_store(order, line),
        )


def referring_guide_id(order: OrderRow, line: LineRow) -> int | None:
    """Who brought the line: the guide who served it at the counter, else the order's."""
    return line.serving_guide_id or order.referring_guide_id


def bases(order: OrderRow) -> dict[int, int]:
    """Each line's net collected amount that the order keeps now."""
    lines = list(order.lines)
    weights = [max(0, line.total - line.refunded_amount) for line in lines]
    kept = order.paid_amount - order.refunded_amount
    if order.status in UNPAID:
        kept = 0
    amounts = rules.line_bases(kept, weights)
    return {line.id: amount for line, amount in zip(lines, amounts, strict=True)}


def fulfilled_at(order: OrderRow, now: datetime) -> datetime | None:
    if order.status != OrderStatus.COMPLETED.value:
        return None
    return order.closed_at or now


def load(session: Session, order_ids: Iterable[int]) -> Batch:
    ids = sorted(set(order_ids))
    return complete(session, _orders(session, ids) if ids else [])


def _orders(session: Session, ids: list[int]) -> list[OrderRow]:
    """The orders ``ids`` with their lines, by id: one query for the orders, one for lines."""
    lines: dict[int, list[LineRow]] = defaultdict(list)
    for order_id, *values in session.execute(
        select(*_LINE_COLUMNS).where(OrderLine.order_id.in_(ids)).order_by(OrderLine.id)
    ):
        lines[order_id].append(LineRow(*values))
    rows = session.execute(select(*_ORDER_COLUMNS).where(Order.id.in_(ids)).order_by(Order.id))
    return [OrderRow(*[*values, tuple(lines[values[0]])]) for values in rows]


def complete(session: Session, orders: Sequence[OrderRow]) -> Batch:
    """The facts around already loaded ``orders``."""
    sku_ids = {line.sku_id for order in orders for line in order.lines}
    store_ids = {
        s
        for order in orders
        for s in (order.store_id, order.bound_store_id, order.pickup_store_id)
        if s is not None
    } | {line.location_id for order in orders for line in order.lines}
    codes = {order.touchpoint_code for order in orders if order.touchpoint_code}
    code_guides = _code_guides(session, codes)
    guide_ids = {
        g
        for order in orders
        for g in (order.bound_guide_id, order.referring_guide_id)
        if g is not None
    } | set(code_guides.values())
    guide_ids |= {
        line.serving_guide_id
        for order in orders
        for line in order.lines
        if line.serving_guide_id is not None
    }
    return Batch(
        orders=list(orders),
        skus=_skus(session, sku_ids),
        store_types=store_types(session, store_ids),
        levels=levels(session, guide_ids),
        own_members=own_members(session, guide_ids),
        code_guides=code_guides,
    )


def _skus(session: Session, ids: set[int]) -> dict[int, SkuFacts]:
    if not ids:
        return {}
    rows = session.execute(
        select(Sku.id, Sku.code, Product.category_id)
        .join(Product, Product.id == Sku.product_id)
        .where(Sku.id.in_(ids))
    )
    return {sku_id: SkuFacts(code, category) for sku_id, code, category in rows}


def skus_of(session: Session, brand_id: int, ids: set[int]) -> dict[int, SkuFacts]:
    """The brand's SKUs among ``ids`` (others are left out)."""
    if not ids:
        return {}
    rows = session.execute(
        select(Sku.id, Sku.code, Product.category_id)
        .join(Product, Product.id == Sku.product_id)
        .where(Sku.id.in_(ids), Sku.brand_id == brand_id)
    )
    return {sku_id: SkuFacts(code, category) for sku_id, code, category in rows}


def store_types(session: Session, ids: set[int], *, brand_id: int | None = None) -> dict[int, str]:
    if not ids:
        return {}
    query = select(Store.id, Store.type).where(Store.id.in_(ids))
    if brand_id is not None:
        query = query.where(Store.brand_id == brand_id)
    return {store_id: kind for store_id, kind in session.execute(query)}


def levels(
    session: Session, ids: set[int], *, brand_id: int | None = None
) -> dict[int, str | None]:
    if not ids:
        return {}
    query = select(Staff.id, Staff.guide_level).where(Staff.id.in_(ids))
    if brand_id is not None:
        query = query.where(Staff.brand_id == brand_id)
    return {staff_id: level for staff_id, level in session.execute(query)}


def own_members(session: Session, ids: set[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(GuideMembership.staff_id, GuideMembership.member_id).where(
            GuideMembership.staff_id.in_(ids)
        )
    )
    return {staff_id: member_id for staff_id, member_id in rows}


def _code_guides(session: Session, codes: set[str]) -> dict[str, int]:
    if not codes:
        return {}
    rows = session.execute(
        select(TouchpointCode.code, TouchpointCode.guide_id).where(
            TouchpointCode.code.in_(codes), TouchpointCode.guide_id.is_not(None)
        )
    )
    return {code: guide_id for code, guide_id in rows if guide_id is not None}
