"""Orders at amounts another domain fixed: a pre-sale's deposit and its balance.

The pre-sale decides the prices (deposit, pre-sale price, inflated deposit value) and holds
the stock itself, so these orders are not priced from the store's offers and not routed:
each line names its location and amounts, and the order points at the pre-sale's
reservation. A ``deposit`` order is paid without being allocated (``lifecycle.mark_paid``)
and refunded without restocking; a ``balance`` order is allocated and commits the hold.

Either carries the buyer's delivery choice: pickup at the pre-sale's store, or a parcel or
a same-city courier from it (the units are held there). ``redirect`` changes that choice
while the goods have not left: an unpaid order, or a deposit (it never ships).
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from newretail.db import utcnow
from newretail.kernel.sale import ANONYMOUS, Buyer
from newretail.kernel.scope import Scope
from newretail.orders import attribution as attribution_service
from newretail.orders import balance as balance_pricing
from newretail.orders import context, events
from newretail.orders.checkout import brand_currency, new_number
from newretail.orders.models import Order, OrderLine
from newretail.orders.rules import DeliveryMethod, OrderKind, OrderStatus, RefundState
from newretail.orders.schemas import Attribution
from newretail.org.models import Store


@dataclass(frozen=True, slots=True)
class Balance:
    """A pre-sale balance: its deposits' credit, and at most ``points`` (None: the best)."""

    credit: int
    points: int | None = None


@dataclass(frozen=True, slots=True)
class FixedLine:
    sku_id: int
    title: str
    quantity: int
    unit_price: int
    discount: int
    location_id: int
    reason: str


def place_fixed(
    *,
    session: Session,
    scope: Scope,
    store: Store,
    kind: OrderKind,
    channel: str,
    consumer_id: int | None,
    member_id: int | None,
    lines: Sequence[FixedLine],
    reservation_id: int | None,
    expires_at: datetime,
    campaign: str,
    delivery_method: DeliveryMethod = DeliveryMethod.PICKUP,
    address: dict[str, Any] | None = None,
    attribution: Attribution | None = None,
    carried: bool = False,
    balance: Balance | None = None,
) -> Order:
    """A ``created`` order with the given lines and stock hold, picked up at ``store`` or
    delivered from it to ``address``.

    Attributed like every order (``attribution.credited``, the buyer's binding now), except
    that ``campaign`` (the pre-sale's tag, which its deposits follow) is the order's
    campaign. ``carried``: the attribution comes from an earlier order (a balance from its
    deposit), so what no longer holds is dropped rather than refused. ``balance``: the
    single line is a pre-sale balance priced by the best combination with its deposit
    credit inside it (``orders.balance``); its ``discount`` is then worked out here.
    """
    now = utcnow()
    buyer = ANONYMOUS
    if consumer_id is not None:
        buyer = context.consumer_buyer(
            session=session, consumer_id=consumer_id, brand_id=store.brand_id, now=now
        )
    credit = attribution_service.credited(
        session=session,
        brand_id=store.brand_id,
        attribution=attribution or Attribution(),
        lenient=carried,
    )
    priced = None
    if balance is not None:
        line = lines[0]
        priced = balance_pricing.price(
            session=session,
            store=store,
            channel=channel,
            buyer=buyer if consumer_id is not None else Buyer(None, member_id),
            sku_id=line.sku_id,
            quantity=line.quantity,
            unit_price=line.unit_price,
            credit=balance.credit,
            points=balance.points,
            now=now,
        )
        lines = [replace(line, discount=priced.discount)]
    order_lines = [
        OrderLine(
            brand_id=store.brand_id,
            sku_id=line.sku_id,
            title=line.title,
            quantity=line.quantity,
            unit_price=line.unit_price,
            price_source={"rule": kind.value, "campaign": campaign},
            subtotal=line.unit_price * line.quantity,
            discount=line.discount,
            total=line.unit_price * line.quantity - line.discount,
            location_id=line.location_id,
            routing_reason=line.reason,
        )
        for line in lines
    ]
    order = Order(
        brand_id=store.brand_id,
        number=new_number(now),
        kind=kind.value,
        store_id=store.id,
        channel=channel,
        consumer_id=buyer.consumer_id if consumer_id is not None else None,
        member_id=buyer.member_id if consumer_id is not None else member_id,
        bound_store_id=buyer.bound_store_id,
        bound_guide_id=buyer.bound_guide_id,
        referring_guide_id=credit.referring_guide_id,
        touchpoint_code=credit.touchpoint_code,
        campaign=campaign,
        status=OrderStatus.CREATED.value,
        refund_state=RefundState.NONE.value,
        currency=brand_currency(session=session, brand_id=store.brand_id),
        subtotal=sum(line.subtotal for line in order_lines),
        discount=sum(line.discount for line in order_lines),
        total=sum(line.total for line in order_lines),
        delivery_method=delivery_method.value,
        pickup_store_id=store.id if delivery_method is DeliveryMethod.PICKUP else None,
        address=address,
        reservation_id=reservation_id,
        expires_at=expires_at,
        created_by_type=scope.actor_type,
        created_by_id=scope.actor_id,
        created_at=now,
        updated_at=now,
        lines=order_lines,
    )
    session.add(order)
    session.flush()
    if priced is not None:
        balance_pricing.record(session=session, order=order, priced=priced)
    events.publish(session, order, OrderStatus.CREATED)
    return order


def redirect(
    *,
    session: Session,
    order_id: int,
    delivery_method: DeliveryMethod,
    address: dict[str, Any] | None,
    pickup_store_id: int | None,
) -> bool:
    """Change where a pre-sale order's goods go, if they have not left; False if they have.

    One guarded UPDATE: of a change and a payment racing on one balance order, either the
    change lands first (the payment allocates to the new address) or it finds it paid.
    """
    unsent = or_(
        Order.status == OrderStatus.CREATED.value,
        and_(Order.kind == OrderKind.DEPOSIT.value, Order.status == OrderStatus.PAID.value),
    )
    changed = session.execute(
        update(Order)
        .where(Order.id == order_id, Order.kind != OrderKind.STANDARD.value, unsent)
        .values(
            delivery_method=delivery_method.value,
            address=address,
            pickup_store_id=pickup_store_id,
            updated_at=utcnow(),
        )
        .returning(Order.id)
        .execution_options(synchronize_session=False)
    ).first()
    loaded = session.identity_map.get(identity_key(Order, order_id))
    if changed is not None and loaded is not None:  # read again when next used
        session.expire(loaded, ["delivery_method", "address", "pickup_store_id", "updated_at"])
    return changed is not None
