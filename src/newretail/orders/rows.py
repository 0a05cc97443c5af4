"""Orders as frozen values, written and read with Core statements (the sale's hot path).

A checkout, a purchase and a payment write an order, its lines and its fulfilments with one
set-based INSERT each and read an order with its lines in one SELECT; what they return is
an ``OrderView`` built from what they wrote, not an ORM object loaded again. On PostgreSQL
an order and its lines are one statement, and so are a single fulfilment and its lines
(``bulk.insert_with_children``); a purchase writes its payment and its single fulfilment
in the order's statement too.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from newretail.kernel import bulk, stamps
from newretail.kernel.direct import Direct, inserting
from newretail.orders.models import Fulfilment, FulfilmentLine, Order, OrderLine, OrderLineDiscount


@dataclass(frozen=True, slots=True)
class LineView:
    id: int
    order_id: int
    brand_id: int
    sku_id: int
    title: str
    quantity: int
    unit_price: int
    price_source: dict[str, Any]
    subtotal: int
    discount: int
    total: int
    location_id: int
    routing_reason: str
    refunded_quantity: int = 0
    refunded_amount: int = 0
    serving_guide_id: int | None = None


@dataclass(frozen=True, slots=True)
class OrderView:
    """An order and its lines as the transaction that wrote or read them left them."""

    id: int
    brand_id: int
    number: str
    kind: str
    store_id: int
    channel: str
    consumer_id: int | None
    member_id: int | None
    bound_store_id: int | None
    bound_guide_id: int | None
    referring_guide_id: int | None
    touchpoint_code: str | None
    campaign: str | None
    note: str
    status: str
    refund_state: str
    currency: str
    subtotal: int
    discount: int
    total: int
    paid_amount: int
    refunded_amount: int
    delivery_method: str
    pickup_store_id: int | None
    address: dict[str, Any] | None
    reservation_id: int | None
    expires_at: datetime
    cancel_reason: str | None
    created_by_type: str
    created_by_id: int | None
    created_at: datetime
    paid_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    lines: tuple[LineView, ...] = ()

    def moved(self, **values: Any) -> "OrderView":
        return replace(self, **values)


ORDER_FIELDS = tuple(name for name in OrderView.__dataclass_fields__ if name != "lines")
LINE_FIELDS = tuple(LineView.__dataclass_fields__)
_ORDER_COLUMNS = [Order.__table__.c[name] for name in ORDER_FIELDS]
_LINE_COLUMNS = [OrderLine.__table__.c[name] for name in LINE_FIELDS]


def insert_order(
    session: Session,
    values: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    attached: bulk.Attached | None = None,
    fulfilment: Mapping[str, Any] | None = None,
) -> OrderView:
    """The order and its lines: one statement on PostgreSQL, two on SQLite; ``values`` has
    every field but ``id``. An ``attached`` row (the order's payment) goes in the same
    statement on PostgreSQL, in one of its own on SQLite; its ``id`` is set. So does the
    order's single ``fulfilment`` (every field but ``order_id``), every line under it."""
    connection = session.connection()
    kept = [{**line, "refunded_quantity": 0, "refunded_amount": 0} for line in lines]
    if connection.dialect.name == "postgresql" and kept:
        grouped = None
        if fulfilment is not None:
            grouped = bulk.Grouped(
                Fulfilment,
                "order_id",
                fulfilment,
                FulfilmentLine,
                "fulfilment_id",
                "order_line_id",
                ("sku_id", "quantity"),
            )
        found = bulk.insert_with_children(
            connection,
            Order,
            OrderLine,
            "order_id",
            ("id", "order_id"),
            values,
            kept,
            attached,
            grouped,
        ).all()
        order_id = found[0].order_id
        ids = sorted(row.id for row in found)  # numbered in the order of ``kept``
        if attached is not None:
            attached.id = found[0].attached_id
        fulfilment = None  # written
    else:
        order_id = inserting(Order).scalar(connection, values)
        ids = _insert_many(connection, OrderLine, [{**r, "order_id": order_id} for r in kept])
        if attached is not None:
            row = {**attached.values, attached.link: order_id}
            attached.id = inserting(attached.model).scalar(connection, row)
    views = tuple(
        LineView(id=i, order_id=order_id, **row) for i, row in zip(ids, kept, strict=True)
    )
    if fulfilment is not None:
        insert_fulfilments(session, [{**fulfilment, "order_id": order_id}], [views])
    return OrderView(id=order_id, lines=views, **values)


def insert_discounts(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Order lines' discounts by offer: one statement."""
    _insert_many(session.connection(), OrderLineDiscount, [dict(row) for row in rows])


def read_order(connection: Connection, order_id: int) -> OrderView | None:
    """The order and its lines in one statement."""
    rows = _READ.run(connection, {"order_id": order_id})
    return _view(rows) if rows else None


def lock_order(connection: Connection, order_id: int) -> tuple[OrderView, stamps.Version] | None:
    """The order and its lines, its row locked until the transaction ends (PostgreSQL; an
    SQLite writer holds the database), and its brand's cache stamp: one statement."""
    rows = _LOCK.run(connection, {"order_id": order_id})
    if not rows:
        return None
    first = rows[0]
    return _view(rows), (int(first.stamp_own), int(first.stamp_every))


def _view(rows: Sequence[Any]) -> OrderView:
    """An order from rows of ``_READ`` (a ``Direct`` row, or SQLAlchemy's: both name their
    columns)."""
    first = rows[0]
    lines = tuple(
        LineView(**{name: getattr(row, f"line_{name}") for name in LINE_FIELDS})
        for row in rows
        if row.line_id is not None
    )
    return OrderView(lines=lines, **{name: getattr(first, name) for name in ORDER_FIELDS})


def insert_fulfilments(
    session: Session, fulfilments: Sequence[Mapping[str, Any]], lines: Sequence[Sequence[LineView]]
) -> list[int]:
    """Fulfilments (pending) with their lines: two statements, one for a single fulfilment on
    PostgreSQL. Returns the fulfilment ids."""
    connection = session.connection()
    if connection.dialect.name == "postgresql" and len(fulfilments) == 1 and lines[0]:
        children = [
            {"order_line_id": line.id, "sku_id": line.sku_id, "quantity": line.quantity}
            for line in lines[0]
        ]
        found = bulk.insert_with_children(
            connection,
            Fulfilment,
            FulfilmentLine,
            "fulfilment_id",
            ("fulfilment_id",),
            fulfilments[0],
            children,
        )
        return [found.scalars().all()[0]]
    ids = _insert_many(connection, Fulfilment, [dict(f) for f in fulfilments])
    _insert_all(
        connection,
        _INSERT_FULFILMENT_LINES,
        [
            {
                "fulfilment_id": fulfilment_id,
                "order_line_id": line.id,
                "sku_id": line.sku_id,
                "quantity": line.quantity,
            }
            for fulfilment_id, its_lines in zip(ids, lines, strict=True)
            for line in its_lines
        ],
    )
    return list(ids)


def _insert_all(connection: Connection, statement: Direct, rows: list[dict[str, Any]]) -> None:
    """Rows without anything returned: one execute, a single row without executemany."""
    statement.run(connection, rows[0] if len(rows) == 1 else rows)


def _insert_many(
    connection: Connection,
    model: type[OrderLine] | type[Fulfilment] | type[OrderLineDiscount],
    rows: list[dict[str, Any]],
) -> list[int]:
    """Insert ``rows`` in one statement; their new ids, in the order of ``rows``.

    PostgreSQL is asked to return them in that order. SQLite cannot be, and SQLAlchemy would
    then insert row by row; but one INSERT there numbers its rows in the order of its VALUES
    (a new rowid is the largest so far plus one), so the ids sorted are in that order.
    """
    postgres = connection.dialect.name == "postgresql"
    if len(rows) == 1:  # most orders have one line: no many-rows machinery for it
        return [inserting(model).scalar(connection, rows[0])]
    ids = connection.execute(_insert_returning(model, postgres), rows).scalars()
    return list(ids) if postgres else sorted(ids)


@cache
def _insert_returning(
    model: type[OrderLine] | type[Fulfilment] | type[OrderLineDiscount], ordered: bool
) -> Any:
    return insert(model).returning(model.id, sort_by_parameter_order=ordered)


def sync_loaded(session: Session, order: OrderView) -> None:
    """An ORM copy of the order already in the session takes the values just written.

    Callers that loaded the order as an object before paying it go on with a current copy.
    """
    loaded = session.identity_map.get(identity_key(Order, order.id))
    if loaded is None:
        return
    for name in ORDER_FIELDS:
        set_committed_value(loaded, name, getattr(order, name))


_INSERT_FULFILMENT_LINES = Direct(insert(FulfilmentLine))
_READING = (
    select(*_ORDER_COLUMNS, *[c.label(f"line_{c.name}") for c in _LINE_COLUMNS])
    .outerjoin(OrderLine, OrderLine.order_id == Order.id)
    .where(Order.id == bindparam("order_id"))
    .order_by(OrderLine.id)
)
_READ = Direct(_READING)
_LOCK = Direct(
    _READING.add_columns(*stamps.version_columns(Order.brand_id)).with_for_update(of=Order)
)
