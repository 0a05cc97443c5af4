"""The orders domain's use cases, for routers, the worker and other domains (import only this).

    context.py       opening a sale: store, brand, prices and buyer, read once
    attribution.py   an order's attribution checked (code, referring guide, campaign),
                     the same for every kind of order
    checkout.py      a new order drafted (priced, promotions and coupons applied,
                     attributed, routed), then written held (a reservation until paid) or
                     paid at once (a purchase); ``order_discounts`` reads what each offer
                     took off
    routing.py       where the units come from (pickup store, or ``rules.route``)
    pricing.py       line prices from the selling store's resolved offers
    rows.py          orders as frozen values, written and read with Core statements
    carts.py         carts (a consumer's, staff's or a page visitor's): lines, priced
                     reads, claiming, checking out once
    lifecycle.py     guarded transitions: claimed and paid (+ fulfilments, stock sold),
                     cancel, expire
    allocation.py    the fulfilments of a paid order, one per location
    fulfilments.py   ready for pickup, ship, deliver, hand over at the counter
    refunds.py       refunded amounts per line and order (called by payments)
    idempotency.py   Idempotency-Key records for creates
    special.py       orders at fixed amounts: pre-sale deposits and balances, and where
                     their goods go until they leave (``redirect``)
    access.py        who sees which orders

Pure rules (the state machine, amounts, routing) live in ``rules.py``.
Worker job: ``expire_unpaid_orders(database, settings)``.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
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
from newretail.orders.attribution import Credit
from newretail.orders.attribution import credited as check_attribution
from newretail.orders.carts import (
    PricedCart,
    check_out,
    claim,
    create_cart,
    get_cart,
    get_page_cart,
    open_visitor_cart,
    priced,
    replace_lines,
    set_quantity,
)
from newretail.orders.checkout import (
    Draft,
    brand_currency,
    create_order,
    draft,
    place_held,
    place_paid,
    refuse_sold_out,
)
from newretail.orders.events import publish
from newretail.orders.fulfilments import deliver, hand_over, list_fulfilments, mark_ready, ship
from newretail.orders.lifecycle import (
    cancel,
    claim_for_payment,
    collect_later,
    current_status,
    expire_unpaid,
    mark_paid,
    transition,
)
from newretail.orders.models import Order, OrderLineDiscount
from newretail.orders.refunds import RefundLinePlan, apply_refund, plan_refund
from newretail.orders.routing import SAME_CITY_RADIUS_KM
from newretail.orders.rows import LineView, OrderView
from newretail.orders.rules import OrderKind
from newretail.orders.schemas import Attribution
from newretail.orders.special import Balance, FixedLine, place_fixed, redirect

__all__ = [
    "SAME_CITY_RADIUS_KM",
    "Attribution",
    "Balance",
    "Credit",
    "DiscountTaken",
    "Draft",
    "FixedLine",
    "LineView",
    "OrderKind",
    "OrderView",
    "PricedCart",
    "RefundLinePlan",
    "access_cashiers",
    "apply_refund",
    "brand_currency",
    "cancel",
    "check_attribution",
    "check_out",
    "claim",
    "claim_for_payment",
    "collect_later",
    "create_cart",
    "create_order",
    "current_status",
    "deliver",
    "draft",
    "expire_unpaid",
    "expire_unpaid_orders",
    "get_cart",
    "get_order",
    "get_page_cart",
    "hand_over",
    "idempotency",
    "is_consumer",
    "list_fulfilments",
    "list_orders",
    "mark_paid",
    "mark_ready",
    "member_orders",
    "open_visitor_cart",
    "order_discounts",
    "place_fixed",
    "place_held",
    "place_paid",
    "plan_refund",
    "priced",
    "publish",
    "redirect",
    "refuse_sold_out",
    "replace_lines",
    "require_staff",
    "search_orders",
    "set_quantity",
    "ship",
    "system_for",
    "transition",
]

BATCH = 200


def access_cashiers() -> tuple[Role, ...]:
    """The roles that take payments and give refunds at a store."""
    return CASHIERS


def member_orders(
    *, session: Session, scope: Scope, member_id: int, before: datetime | None, limit: int
) -> list[Order]:
    """A member's orders the caller sees, in every channel, newest first, placed before
    ``before`` (a page of a member's history)."""
    query = order_query(session=session, scope=scope).where(Order.member_id == member_id)
    if before is not None:
        query = query.where(Order.created_at < before)
    newest_first = query.order_by(Order.created_at.desc(), Order.id.desc())
    return list(session.scalars(newest_first.limit(limit)))


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


@dataclass(frozen=True, slots=True)
class DiscountTaken:
    """What one promotion, coupon or staff discount took off an order, over its lines."""

    offer_key: str
    source: str
    name: str
    funder: str
    amount: int


def order_discounts(*, session: Session, scope: Scope, order_id: int) -> list[DiscountTaken]:
    """The discounts of an order the caller sees, one per offer, in the order they applied."""
    order = get_order(session=session, scope=scope, order_id=order_id)
    d = OrderLineDiscount
    rows = session.execute(
        select(d.offer_key, d.source, d.name, d.funder, func.sum(d.amount))
        .where(d.order_id == order.id)
        .group_by(d.offer_key, d.source, d.name, d.funder)
        .order_by(func.min(d.id))
    )
    return [
        DiscountTaken(key, source, name, funder, int(amount))
        for key, source, name, funder, amount in rows
    ]


def expire_unpaid_orders(database: Database, settings: Settings) -> int:
    """One batch of unpaid orders past their payment window: cancelled, stock released."""
    with database.transaction() as session:
        return expire_unpaid(session=session, now=utcnow(), limit=BATCH)
