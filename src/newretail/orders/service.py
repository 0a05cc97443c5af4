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

from sqlalchemy.orm import Session

from newretail.auth.scope import Role, Scope
from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.orders import idempotency
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
from newretail.orders.lifecycle import cancel, current_status, expire_unpaid, mark_paid, transition
from newretail.orders.models import Order
from newretail.orders.refunds import RefundLinePlan, apply_refund, plan_refund
from newretail.orders.special import FixedLine, OrderKind, place_fixed
from newretail.pagination import paginate

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


def expire_unpaid_orders(database: Database, settings: Settings) -> int:
    """One batch of unpaid orders past their payment window: cancelled, stock released."""
    with database.transaction() as session:
        return expire_unpaid(session=session, now=utcnow(), limit=BATCH)
