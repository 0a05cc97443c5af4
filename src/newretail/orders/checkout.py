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
from newretail.auth.scope import SYSTEM, Role, Scope
from newretail.config import get_settings
from newretail.db import utcnow
from newretail.errors import NotFound
from newretail.inventory import errors as inventory_errors
from newretail.inventory import service as inventory_service
from newretail.inventory.rules import Line, Purpose
from newretail.members import service as members_service
from newretail.orders import access, errors, events, pricing, rules
from newretail.orders.models import Order, OrderLine
from newretail.orders.rules import DeliveryMethod, OrderStatus
from newretail.orders.schemas import Attribution, Checkout, Delivery, OrderCreate
from newretail.org import errors as org_errors
from newretail.org import service as org_service
from newretail.org.models import Store
from newretail.org.rules import StoreStatus, StoreType, haversine_km

CONSUMER_CHANNELS = frozenset({"online", "cloud_store", "guide_share", "livestream"})
SAME_CITY_RADIUS_KM = 20.0
MAX_CANDIDATE_LOCATIONS = 600
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


# ---- routing --------------------------------------------------------------------------


def _destination(store: Store, delivery: Delivery) -> tuple[float, float]:
    address = delivery.address
    if address is not None and address.lat is not None and address.lng is not None:
        return address.lat, address.lng
    return store.lat, store.lng


def _candidates(session: Session, brand_id: int, method: DeliveryMethod) -> list[Store]:
    scope = access.system_for(brand_id)
    found: list[Store] = []
    cursor: str | None = None
    while len(found) < MAX_CANDIDATE_LOCATIONS:
        page, cursor = org_service.list_stores(
            session=session, scope=scope, cursor=cursor, limit=200, status=StoreStatus.OPEN.value
        )
        found += page
        if cursor is None:
            break
    if method is DeliveryMethod.SAME_CITY:
        found = [s for s in found if s.type != StoreType.WAREHOUSE.value]
    return found


def plan(
    *, session: Session, brand_id: int, store: Store, delivery: Delivery, need: dict[int, int]
) -> list[rules.Allocation]:
    """Which location sends which SKUs, and why."""
    method = DeliveryMethod(delivery.method)
    if method is DeliveryMethod.PICKUP:
        pickup = _pickup_store(session, brand_id, store, delivery)
        units = inventory_service.available(
            session=session, brand_id=brand_id, sku_ids=need, location_ids=[pickup.id]
        )
        short = [sku for sku, n in sorted(need.items()) if units[(pickup.id, sku)] < n]
        if short:
            raise inventory_errors.InsufficientStock(
                f"SKU {short[0]}: the pickup store has not enough available."
            )
        return [rules.Allocation(pickup.id, False, 0.0, tuple(sorted(need)), "pickup store")]
    lat, lng = _destination(store, delivery)
    stores = _candidates(session, brand_id, method)
    units = inventory_service.available(
        session=session, brand_id=brand_id, sku_ids=need, location_ids=[s.id for s in stores]
    )
    locations = [
        rules.Location(
            location_id=s.id,
            warehouse=s.type == StoreType.WAREHOUSE.value,
            distance_km=round(haversine_km(lat, lng, s.lat, s.lng), 3),
            stock={sku: units[(s.id, sku)] for sku in need},
        )
        for s in stores
    ]
    if method is DeliveryMethod.SAME_CITY:
        locations = [x for x in locations if x.distance_km <= SAME_CITY_RADIUS_KM]
    try:
        return rules.route(need, locations)
    except rules.Unroutable as exc:
        raise inventory_errors.InsufficientStock(
            f"SKU {exc.sku_id}: no location can send the units asked for."
        ) from exc


def _pickup_store(session: Session, brand_id: int, store: Store, delivery: Delivery) -> Store:
    if delivery.pickup_store_id is None or delivery.pickup_store_id == store.id:
        return store
    pickup = org_service.get_store(
        session=session, scope=access.system_for(brand_id), store_id=delivery.pickup_store_id
    )
    if pickup.type == StoreType.WAREHOUSE.value or pickup.status != StoreStatus.OPEN.value:
        raise errors.InvalidDelivery("Pickups are at open stores, not warehouses.")
    return pickup


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
    brand = org_service.get_brand(
        session=session, scope=access.system_for(brand_id), brand_id=brand_id
    )
    if checkout.discount and access.is_consumer(scope):
        raise errors.DiscountNotAllowed()
    priced = pricing.price_lines(
        session=session, brand_id=brand_id, store_id=store.id, channel=channel, lines=lines
    )
    pricing.check_orderable(priced)
    subtotal = sum((p.unit_price or 0) * p.quantity for p in priced)
    if checkout.discount > subtotal:
        raise errors.InvalidDiscount()
    amounts = rules.line_amounts(
        [p.unit_price or 0 for p in priced], [p.quantity for p in priced], checkout.discount
    )
    now = utcnow()
    consumer, member = _member(session, scope, brand_id, checkout.member_id)
    bound_store, bound_guide = _binding(session, member, now)
    referrer = _referring_guide(session, brand_id, attribution.referring_guide_id)
    need = {p.sku_id: p.quantity for p in priced}
    allocations = plan(
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
        currency=brand.currency,
        subtotal=subtotal,
        discount=checkout.discount,
        total=subtotal - checkout.discount,
        delivery_method=delivery.method,
        pickup_store_id=allocations[0].location_id if delivery.method == "pickup" else None,
        address=delivery.address.model_dump() if delivery.address else None,
        expires_at=now + window,
        created_by_type=scope.actor_type,
        created_by_id=scope.actor_id,
        created_at=now,
        updated_at=now,
        lines=[
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
        ],
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
