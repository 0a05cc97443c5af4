"""Order transitions: pay, allocate, cancel, expire; each one guarded UPDATE and one event.

``transition`` moves an order only from the statuses ``rules.sources_of`` allows, in one
``UPDATE ... WHERE status IN (...)``, so of two racing callers (pay and cancel, two pays,
a cancel and the expiry job) exactly one moves it and the other learns it lost.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from newretail.db import utcnow
from newretail.inventory import errors as inventory_errors
from newretail.inventory import service as inventory_service
from newretail.kernel.scope import Scope
from newretail.orders import access, errors, events, rules
from newretail.orders.models import Fulfilment, FulfilmentLine, Order
from newretail.orders.rules import DeliveryMethod, FulfilmentStatus, OrderStatus
from newretail.org import service as org_service
from newretail.org.models import Store
from newretail.org.rules import StoreType

_NO_SYNC = {"synchronize_session": False}
_ORDER_COLUMNS = [getattr(Order, a.key).label(a.key) for a in inspect(Order).column_attrs]


def transition(
    session: Session,
    order_id: int,
    target: OrderStatus,
    now: datetime,
    *,
    unexpired: bool = False,
    extra: dict[str, Any] | None = None,
    **values: Any,
) -> Order | None:
    """Move the order to ``target`` if its status allows it; the order, or None if it lost."""
    conditions = [
        Order.id == order_id,
        Order.status.in_([s.value for s in rules.sources_of(target)]),
    ]
    if unexpired:
        conditions.append(Order.expires_at > now)
    # The moved row comes back whole from the UPDATE itself (fresh, under its row lock) and
    # refreshes the order already in the session, so nothing is read again; a transition
    # never changes the lines.
    statement = (
        update(Order)
        .where(*conditions)
        .values(status=target.value, updated_at=now, **values)
        .returning(*_ORDER_COLUMNS)
    )
    row = session.execute(statement, execution_options=_NO_SYNC).first()
    if row is None:
        return None
    order = session.get(Order, order_id)
    assert order is not None
    for key, value in row._mapping.items():
        set_committed_value(order, key, value)
    events.publish(session, order, target, extra=extra)
    return order


def current_status(session: Session, order_id: int) -> OrderStatus:
    status = session.scalar(select(Order.status).where(Order.id == order_id))
    if status is None:
        raise errors.OrderNotFound()
    return OrderStatus(status)


# ---- paying ---------------------------------------------------------------------------


def mark_paid(*, session: Session, order_id: int, amount: int, now: datetime) -> Order | None:
    """The order is paid: its stock is sold and its fulfilments created. None if it lost.

    Only an unexpired ``created`` order can be paid; the caller (payments) gives the money
    back when this answers None.
    """
    order = transition(
        session, order_id, OrderStatus.PAID, now, unexpired=True, paid_amount=amount, paid_at=now
    )
    if order is None:
        return None
    if order.kind == "deposit":
        return order  # a deposit only holds its pre-sale's stock; the balance order takes it
    allocate(session=session, order=order, now=now)
    if order.reservation_id is not None:
        # Last, so the hot stock rows stay locked only until the commit that follows.
        inventory_service.commit_reservation(
            session=session,
            scope=access.system_for(order.brand_id),
            reservation_id=order.reservation_id,
        )
    return order


def collect_later(*, session: Session, order_id: int, amount: int) -> bool:
    """Money collected after the order was paid (a pay-later balance): added atomically.

    Never above the order's total; False if the order is gone or would be overpaid.
    """
    collected = session.execute(
        update(Order)
        .where(Order.id == order_id, Order.paid_amount + amount <= Order.total)
        .values(paid_amount=Order.paid_amount + amount)
        .returning(Order.id)
        .execution_options(synchronize_session=False)
    ).first()
    return collected is not None


def allocate(*, session: Session, order: Order, now: datetime) -> list[Fulfilment]:
    """One fulfilment per location the order's lines were routed to, then ``allocated``."""
    method = DeliveryMethod(order.delivery_method)
    by_location: dict[int, list[Any]] = {}
    for line in order.lines:
        by_location.setdefault(line.location_id, []).append(line)
    fulfilments = []
    system = access.system_for(order.brand_id)
    lat, lng, seller = _destination(session, order)
    for location_id, lines in sorted(by_location.items()):
        location = seller if seller is not None and seller.id == location_id else None
        location = location or org_service.get_store(
            session=session, scope=system, store_id=location_id
        )
        warehouse = location.type == StoreType.WAREHOUSE.value
        distance = round(org_service.geodesic_km(lat, lng, location.lat, location.lng), 3)
        fulfilment = Fulfilment(
            brand_id=order.brand_id,
            order_id=order.id,
            kind=rules.fulfilment_kind(method, warehouse).value,
            location_id=location_id,
            status=FulfilmentStatus.PENDING.value,
            reason=lines[0].routing_reason,
            distance_km=None if method is DeliveryMethod.PICKUP else distance,
            created_at=now,
            lines=[
                FulfilmentLine(order_line_id=line.id, sku_id=line.sku_id, quantity=line.quantity)
                for line in lines
            ],
        )
        session.add(fulfilment)
        fulfilments.append(fulfilment)
    session.flush()
    moved = transition(session, order.id, OrderStatus.ALLOCATED, now)
    if moved is None:
        raise errors.OrderNotPayable("The order changed while it was being allocated.")
    return fulfilments


def _destination(session: Session, order: Order) -> tuple[float, float, Store | None]:
    """Where the goods go: the delivery address's point, else the selling store (loaded)."""
    address = order.address or {}
    if address.get("lat") is not None and address.get("lng") is not None:
        return float(address["lat"]), float(address["lng"]), None
    store = org_service.get_store(
        session=session, scope=access.system_for(order.brand_id), store_id=order.store_id
    )
    return store.lat, store.lng, store


# ---- cancelling and expiring ----------------------------------------------------------


def cancel(*, session: Session, scope: Scope, order_id: int) -> Order:
    """Cancel an unpaid order and give its stock back; a paid one needs a refund."""
    order = access.get_order(session=session, scope=scope, order_id=order_id)
    if not access.is_consumer(scope):
        access.require_staff(scope, *access.SELLERS)
    now = utcnow()
    cancelled = transition(
        session, order.id, OrderStatus.CANCELLED, now, cancel_reason="cancelled", closed_at=now
    )
    if cancelled is None:
        raise errors.OrderNotCancellable(
            f"The order is {current_status(session, order.id).value}; only unpaid orders cancel."
        )
    _release(session, cancelled)
    return cancelled


def _release(session: Session, order: Order) -> None:
    if order.reservation_id is None:
        return
    try:
        with session.begin_nested():
            inventory_service.release_reservation(
                session=session,
                scope=access.system_for(order.brand_id),
                reservation_id=order.reservation_id,
            )
    except inventory_errors.ReservationNotActive:
        pass  # the inventory's own expiry released it already


def expire_unpaid(*, session: Session, now: datetime, limit: int = 200) -> int:
    """Cancel up to ``limit`` unpaid orders past their payment window, releasing their stock.

    Set-based and safe in several workers at once: rows are claimed with ``SKIP LOCKED`` on
    PostgreSQL and moved by one guarded UPDATE, so an order is expired at most once and a
    payment racing the expiry either wins before it or is refused after it.
    """
    due = (
        select(Order.id)
        .where(Order.status == OrderStatus.CREATED.value, Order.expires_at <= now)
        .order_by(Order.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(due))
    if not ids:
        return 0
    statement = (
        update(Order)
        .where(Order.id.in_(ids), Order.status == OrderStatus.CREATED.value)
        .values(
            status=OrderStatus.CANCELLED.value,
            cancel_reason="expired",
            closed_at=now,
            updated_at=now,
        )
        .returning(Order.id)
    )
    expired = sorted(session.execute(statement, execution_options=_NO_SYNC).scalars())
    orders = session.scalars(
        select(Order).where(Order.id.in_(expired)).execution_options(populate_existing=True)
    )
    for order in orders:
        _release(session, order)
        events.publish(session, order, OrderStatus.CANCELLED)
    return len(expired)
