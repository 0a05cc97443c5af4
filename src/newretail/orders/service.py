"""The orders domain's use cases, for routers, the worker and other domains (import only this).

    checkout.py      pricing, attribution and the stock hold of a new order
    routing.py       where the units come from (pickup store, or ``rules.route``)
    pricing.py       line prices from the selling store's resolved offers
    carts.py         carts: create, read priced, replace lines, check out once
    lifecycle.py     guarded transitions: paid (+ stock sold, fulfilments), cancel, expire
    fulfilments.py   ready for pickup, ship, deliver, hand over at the counter
    refunds.py       refunded amounts per line and order (called by payments)
    idempotency.py   Idempotency-Key records for creates
    special.py       orders at fixed amounts: pre-sale deposits and balances
    access.py        who sees which orders

Pure rules (the state machine, amounts, routing) live in ``rules.py``.
Worker job: ``expire_unpaid_orders(database, settings)``.
"""

from datetime import datetime

from sqlalchemy import or_
from sqlalchemy.orm import Session

from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.kernel import idempotency
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Role, Scope
from newretail.orders.access import (
    CASHIERS,
    get_order,
    is_consumer,
    order_query,
    require_staff,
    system_for,
)
from newretail.orders.carts import (
    PricedCart,
    check_out,
    create_cart,
    get_cart,
    priced,
    replace_lines,
)
from newretail.orders.checkout import brand_currency, create_order
from newretail.orders.events import publish
from newretail.orders.fulfilments import deliver, hand_over, list_fulfilments, mark_ready, ship
from newretail.orders.lifecycle import (
    cancel,
    collect_later,
    current_status,
    expire_unpaid,
    mark_paid,
    transition,
)
from newretail.orders.models import Order
from newretail.orders.refunds import RefundLinePlan, apply_refund, plan_refund
from newretail.orders.special import FixedLine, OrderKind, place_fixed

__all__ = [
    "FixedLine",
    "OrderKind",
    "PricedCart",
    "RefundLinePlan",
    "access_cashiers",
    "apply_refund",
    "brand_currency",
    "cancel",
    "check_out",
    "collect_later",
    "create_cart",
    "create_order",
    "current_status",
    "deliver",
    "expire_unpaid",
    "expire_unpaid_orders",
    "get_cart",
    "get_order",
    "hand_over",
    "idempotency",
    "is_consumer",
    "list_fulfilments",
    "list_orders",
    "mark_paid",
    "mark_ready",
    "place_fixed",
    "plan_refund",
    "priced",
    "publish",
    "replace_lines",
    "require_staff",
    "search_orders",
    "ship",
    "system_for",
    "transition",
]

BATCH = 200


def access_cashiers() -> tuple[Role, ...]:
    """The roles that take payments and give refunds at a store."""
    return CASHIERS


def list_orders(
    *,
    session: Session,
    scope: Scope,
    cursor: str | None,
    limit: int,
    store_id: int | None = None,
    status: str | None = None,
    member_id: int | None = None,
) -> tuple[list[Order], str | None]:
    """Orders the caller sees, oldest first."""
    query = order_query(session=session, scope=scope)
    if store_id is not None:
        query = query.where(Order.store_id == store_id)
    if status is not None:
        query = query.where(Order.status == status)
    if member_id is not None:
        query = query.where(Order.member_id == member_id)
    return paginate(session=session, query=query, id_column=Order.id, cursor=cursor, limit=limit)


def search_orders(
    *,
    session: Session,
    scope: Scope,
    brand_id: int | None = None,
    store_id: int | None = None,
    channel: str | None = None,
    guide_id: int | None = None,
    status: str | None = None,
    created_from: datetime | None = None,
    created_before: datetime | None = None,
    number: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Order], bool]:
    """Orders the caller sees, newest first, and whether more follow.

    ``store_id`` matches the selling or the pickup store; ``guide_id`` the bound or the
    referring guide; ``number`` any part of the order number.
    """
    query = order_query(session=session, scope=scope)
    if brand_id is not None:
        query = query.where(Order.brand_id == brand_id)
    if store_id is not None:
        query = query.where(or_(Order.store_id == store_id, Order.pickup_store_id == store_id))
    if channel is not None:
        query = query.where(Order.channel == channel)
    if guide_id is not None:
        query = query.where(
            or_(Order.bound_guide_id == guide_id, Order.referring_guide_id == guide_id)
        )
    if status is not None:
        query = query.where(Order.status == status)
    if created_from is not None:
        query = query.where(Order.created_at >= created_from)
    if created_before is not None:
        query = query.where(Order.created_at < created_before)
    if number:
        escaped = number.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Order.number.ilike(f"%{escaped}%", escape="\\"))
    limit = max(1, min(limit, 200))
    rows = list(
        session.scalars(
            query.order_by(Order.created_at.desc(), Order.id.desc()).offset(offset).limit(limit + 1)
        )
    )
    return rows[:limit], len(rows) > limit


def expire_unpaid_orders(database: Database, settings: Settings) -> int:
    """One batch of unpaid orders past their payment window: cancelled, stock released."""
    with database.transaction() as session:
        return expire_unpaid(session=session, now=utcnow(), limit=BATCH)
