"""Order transitions: pay (through allocation), cancel, expire; each one guarded UPDATE.

``transition`` moves an order only from the statuses ``rules.sources_of`` allows, in one
``UPDATE ... WHERE status IN (...)``, so of two racing callers (pay and cancel, two pays,
a cancel and the expiry job) exactly one moves it and the other learns it lost. Paying
takes the steps ``paid`` and ``allocated`` in one such UPDATE (``rules.walk``).
"""

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, inspect, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from newretail.catalog import service as catalog_service
from newretail.db import utcnow
from newretail.inventory import errors as inventory_errors
from newretail.inventory import service as inventory_service
from newretail.inventory.rules import Line
from newretail.kernel.direct import Direct
from newretail.kernel.scope import Scope
from newretail.orders import access, allocation, errors, events, rules
from newretail.orders.models import Order
from newretail.orders.rows import OrderView, lock_order, read_order, sync_loaded
from newretail.orders.rules import OrderKind, OrderStatus
from newretail.outbox import service as outbox_service

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


def claim_for_payment(*, session: Session, scope: Scope, order_id: int, now: datetime) -> OrderView:
    """The order, locked until the transaction ends, if the caller may pay it now.

    The lock comes before any charge: of two payments of one order (whatever their keys),
    the second waits here for the first to commit, then finds the order paid and charges
    nothing. A consumer's own order is recognised by its consumer id (merged consumers are
    followed); staff see what ``access`` lets them see.
    """
    if not access.is_consumer(scope):
        access.get_order(session=session, scope=scope, order_id=order_id)
    locked = lock_order(session.connection(), order_id)
    if locked is None:
        raise errors.OrderNotFound()
    order, stamp = locked
    if access.is_consumer(scope) and not _bought_by(session, scope, order):
        raise errors.OrderNotFound()
    if order.status != OrderStatus.CREATED.value:
        if order.paid_amount > 0:
            raise errors.OrderAlreadyPaid()
        raise errors.OrderNotPayable(f"The order is {order.status}.")
    if order.expires_at <= now:
        raise errors.OrderExpired()
    catalog_service.sale_catalog.seen(session=session, brand_id=order.brand_id, version=stamp)
    return order


def _bought_by(session: Session, scope: Scope, order: OrderView) -> bool:
    """Whether a consumer token's consumer bought the order: its own id (a consumer row is
    never deleted while orders name it), or the consumer it was merged into."""
    if order.consumer_id == scope.actor_id:
        return True
    return order.consumer_id == access.consumer_id(session=session, scope=scope)


def mark_paid(
    *,
    session: Session,
    order_id: int,
    amount: int,
    now: datetime,
    order: OrderView | None = None,
) -> OrderView | None:
    """The order is paid: fulfilments created, held stock sold. None if it lost.

    Only an unexpired ``created`` order can be paid; the caller (payments) gives the money
    back when this answers None. One guarded UPDATE takes it through ``paid`` to
    ``allocated`` (a deposit stops at ``paid``: it only holds its pre-sale's stock, and the
    balance order takes it); the steps' events are written in one INSERT, and the held
    units are sold last. ``order``: the order as the caller just read it, lines and all.
    """
    current = order
    if current is None:
        current = read_order(session.connection(), order_id)
        if current is None:
            return None
        catalog_service.sale_catalog.refresh(session=session, brand_id=current.brand_id)
    deposit = current.kind == OrderKind.DEPOSIT.value
    steps = rules.walk(
        OrderStatus.CREATED, OrderStatus.PAID, *(() if deposit else (OrderStatus.ALLOCATED,))
    )
    values = {"status": steps[-1].value, "paid_amount": amount, "paid_at": now, "updated_at": now}
    params = {"k_id": order_id, "k_now": now, "p_status": values["status"], "p_amount": amount}
    moved = _mark_paid(steps[0]).first(session.connection(), params)
    if moved is None:
        return None
    paid = current.moved(**values)
    sync_loaded(session, paid)
    written = events.steps(paid, *steps)
    if not deposit:
        allocation.allocate_later(session=session, order=paid, now=now)
    if deposit or paid.reservation_id is None:
        outbox_service.append(session=session, events=written)
        return paid
    own_hold = paid.kind == OrderKind.STANDARD.value
    inventory_service.commit_hold(
        session=session,
        reservation_id=paid.reservation_id,
        lines=[Line(x.location_id, x.sku_id, x.quantity) for x in paid.lines] if own_hold else None,
        actor=("system", None),
        now=now,
        events=written,
    )
    return paid


@cache
def _mark_paid(step: OrderStatus) -> Direct:
    """The guarded UPDATE of ``mark_paid`` for its first step: from any status that may
    take it, unexpired; parameters ``k_id``, ``k_now``, ``p_status`` and ``p_amount``."""
    now = bindparam("k_now", type_=Order.expires_at.type)
    sources = sorted(s.value for s in rules.sources_of(step))
    return Direct(
        update(Order)
        .where(
            Order.id == bindparam("k_id"),
            or_(*(Order.status == source for source in sources)),
            Order.expires_at > now,
        )
        .values(
            status=bindparam("p_status", type_=Order.status.type),
            paid_amount=bindparam("p_amount", type_=Order.paid_amount.type),
            paid_at=now,
            updated_at=now,
        )
        .returning(Order.id)
    )


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
