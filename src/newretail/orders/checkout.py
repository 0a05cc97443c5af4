"""Checkout: price the lines, record attribution, route the stock, reserve it, create the order.

One order is priced by its selling store's resolved offers in its channel, routed by
``rules.route`` over the brand's open locations and held by one inventory reservation
(purpose ``order``, reference = the order number) until it is paid, cancelled or expires.
"""

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.config import get_settings
from newretail.db import utcnow
from newretail.inventory import service as inventory_service
from newretail.inventory.rules import Line, Purpose
from newretail.kernel.errors import NotFound
from newretail.kernel.scope import SYSTEM, Role, Scope
from newretail.members import service as members_service
from newretail.orders import access, errors, events, pricing, routing, rules
from newretail.orders.models import Order, OrderLine
from newretail.orders.rules import OrderStatus
from newretail.orders.schemas import Attribution, Checkout, OrderCreate
from newretail.org import errors as org_errors
from newretail.org import service as org_service
from newretail.org.models import Store
from newretail.org.rules import StoreStatus, StoreType

CONSUMER_CHANNELS = frozenset({"online", "cloud_store", "guide_share", "livestream"})
# The hold outlives the payment window, so a payment accepted just before the order expires
# can still commit it; the order's own expiry job releases it earlier.
RESERVATION_GRACE = timedelta(minutes=10)


def selling_store(*, session: Session, scope: Scope, store_id: int) -> Store:
    """An open store (not a warehouse) staff may sell from; consumers buy from any brand's."""
    seen = SYSTEM if access.is_consumer(scope) else scope
    store = org_service.get_store(session=session, scope=seen, store_id=store_id)
    if store.type == StoreType.WAREHOUSE.value or store.status != StoreStatus.OPEN.value:
        raise org_errors.StoreNotFound("This store does not sell.")
    return store


def check_buyer(scope: Scope, channel: str) -> None:
    if access.is_consumer(scope):
        if channel not in CONSUMER_CHANNELS:
            raise errors.InvalidChannelForBuyer()
        return
    access.require_staff(scope, *access.SELLERS)


def _referring_guide(session: Session, brand_id: int, guide_id: int | None) -> int | None:
    if guide_id is None:
        return None
    try:
        staff = auth_service.get_staff(
            session=session, scope=access.system_for(brand_id), staff_id=guide_id
        )
    except NotFound as exc:
        raise errors.ReferringGuideNotFound() from exc
    if not staff.is_active or not any(a.role == Role.GUIDE for a in staff.roles):
        raise errors.ReferringGuideNotFound()
    return guide_id


def _member(
    session: Session, scope: Scope, brand_id: int, member_id: int | None
) -> tuple[int | None, int | None]:
    """(consumer, member) of the buyer: a consumer token's own, or the member staff name."""
    if access.is_consumer(scope):
        consumer = access.consumer_id(session=session, scope=scope)
        found = members_service.find_membership(
            session=session, brand_id=brand_id, consumer_id=consumer
        )
        return consumer, found.id if found else None
    if member_id is None:
        return None, None
    member = members_service.get_brand_member(session=session, scope=scope, member_id=member_id)
    return member.consumer_id, member.id


def _binding(
    session: Session, member_id: int | None, now: datetime
) -> tuple[int | None, int | None]:
    if member_id is None:
        return None, None
    binding = members_service.current_binding(session=session, member_id=member_id)
    if binding is None or (binding.expires_at is not None and binding.expires_at <= now):
        return None, None
    return binding.store_id, binding.guide_id


# ---- the order ------------------------------------------------------------------------


def brand_currency(*, session: Session, brand_id: int) -> str:
    brand = org_service.get_brand(
        session=session, scope=access.system_for(brand_id), brand_id=brand_id
    )
    return brand.currency


def new_number(now: datetime) -> str:
    return f"{now:%y%m%d}{secrets.randbelow(10**12):012d}"


def create_order(*, session: Session, scope: Scope, data: OrderCreate) -> Order:
    """Price, attribute, route and reserve one order; ``insufficient_stock`` holds nothing."""
    check_buyer(scope, data.channel)
    store = selling_store(session=session, scope=scope, store_id=data.store_id)
    return place(
        session=session,
        scope=scope,
        store=store,
        channel=data.channel,
        lines=[(line.sku_id, line.quantity) for line in data.lines],
        attribution=data,
        checkout=data,
    )


def place(
    *,
    session: Session,
    scope: Scope,
    store: Store,
    channel: str,
    lines: Sequence[tuple[int, int]],
    attribution: Attribution,
    checkout: Checkout,
) -> Order:
    """The order of already-checked lines sold by ``store`` (carts check out through here)."""
    brand_id = store.brand_id
    if checkout.discount and access.is_consumer(scope):
        raise errors.DiscountNotAllowed()
    priced, amounts = _priced(session, store, channel, lines, checkout.discount)
    now = utcnow()
    consumer, member = _member(session, scope, brand_id, checkout.member_id)
    bound_store, bound_guide = _binding(session, member, now)
    referrer = _referring_guide(session, brand_id, attribution.referring_guide_id)
    need = {p.sku_id: p.quantity for p in priced}
    allocations = routing.plan(
        session=session, brand_id=brand_id, store=store, delivery=checkout.delivery, need=need
    )
    where = {sku: a for a in allocations for sku in a.sku_ids}
    window = timedelta(seconds=get_settings().order_payment_window_seconds)
    delivery = checkout.delivery
    number = new_number(now)
    order = Order(
        brand_id=brand_id,
        number=number,
        store_id=store.id,
        channel=channel,
        consumer_id=consumer,
        member_id=member,
        bound_store_id=bound_store,
        bound_guide_id=bound_guide,
        referring_guide_id=referrer,
        touchpoint_code=attribution.touchpoint_code,
        campaign=attribution.campaign,
        status=OrderStatus.CREATED.value,
        refund_state=rules.RefundState.NONE.value,
        currency=brand_currency(session=session, brand_id=brand_id),
        subtotal=sum(a.subtotal for a in amounts),
        discount=checkout.discount,
        total=sum(a.total for a in amounts),
        delivery_method=delivery.method,
        pickup_store_id=allocations[0].location_id if delivery.method == "pickup" else None,
        address=delivery.address.model_dump() if delivery.address else None,
        expires_at=now + window,
        created_by_type=scope.actor_type,
        created_by_id=scope.actor_id,
        created_at=now,
        updated_at=now,
        lines=_order_lines(brand_id, priced, amounts, where),
    )
    session.add(order)
    session.flush()
    events.publish(session, order, OrderStatus.CREATED)
    # The hot stock rows last: their locks are then held only until the commit that follows.
    reservation, _ = inventory_service.reserve(
        session=session,
        scope=access.system_for(brand_id),
        purpose=Purpose.ORDER,
        reference_id=number,
        lines=[Line(where[sku].location_id, sku, n) for sku, n in need.items()],
        ttl_seconds=int((window + RESERVATION_GRACE).total_seconds()),
    )
    order.reservation_id = reservation.id
    session.flush()
    return order


def _priced(
    session: Session, store: Store, channel: str, lines: Sequence[tuple[int, int]], discount: int
) -> tuple[list[pricing.PricedLine], list[rules.LineAmounts]]:
    """The lines at the store's prices in ``channel``, each with its share of the discount."""
    priced = pricing.price_lines(
        session=session, brand_id=store.brand_id, store_id=store.id, channel=channel, lines=lines
    )
    pricing.check_orderable(priced)
    if discount > sum((p.unit_price or 0) * p.quantity for p in priced):
        raise errors.InvalidDiscount()
    amounts = rules.line_amounts(
        [p.unit_price or 0 for p in priced], [p.quantity for p in priced], discount
    )
    return priced, amounts


def _order_lines(
    brand_id: int,
    priced: Sequence[pricing.PricedLine],
    amounts: Sequence[rules.LineAmounts],
    where: dict[int, rules.Allocation],
) -> list[OrderLine]:
    return [
        OrderLine(
            brand_id=brand_id,
            sku_id=p.sku_id,
            title=p.title,
            quantity=p.quantity,
            unit_price=p.unit_price or 0,
            price_source=p.price_source,
            subtotal=a.subtotal,
            discount=a.discount,
            total=a.total,
            location_id=where[p.sku_id].location_id,
            routing_reason=where[p.sku_id].reason,
        )
        for p, a in zip(priced, amounts, strict=True)
    ]
