"""Checkout: price, attribute and route a new order (a draft), then write it held or paid.

    draft        the sale opened once (store, brand, prices, buyer), the lines priced by
                 the store's resolved offers in the channel, routed by ``rules.route``, the
                 best combination of promotions and coupons (or the buyer's selection,
                 checked again) taken off its lines to the fen; nothing written yet
    place_held   the order ``created``, its units held by a reservation (purpose
                 ``order``, reference = the order number) until paid, cancelled or expired
    place_paid   the order paid and ``allocated`` in the same transaction (a purchase):
                 its units leave the shelf at once, with no reservation

Both record what each promotion or coupon took off each line (``order_line_discount``; the
member's points too, as offer ``points``), spend the points with the order and
reserve the order's coupons under its number; paying the order redeems them and cancelling
it gives them back (``promotions/consumers.py``, following the order's events).

Both write the rows first and change the hot stock rows last, one guarded statement per
line, so a hot row stays locked only until the commit that follows.

Why a purchase needs no reservation and stays exact: its units are taken by the guarded
statement (``on_hand - reserved >= n``) in the very transaction that records the sale, so
no other sale and no reservation can count them again, and nothing is left to expire. A
buyer who pays later needs the hold: it keeps their units away from everyone else until
the payment commits them (the second change of the row) or the expiry gives them back.
"""

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.config import get_settings
from newretail.db import utcnow
from newretail.inventory import service as inventory_service
from newretail.inventory.rules import Line, Purpose
from newretail.kernel import bulk
from newretail.kernel.sale import Sale
from newretail.kernel.scope import Scope
from newretail.members import rules as member_rules
from newretail.members import service as members_service
from newretail.orders import (
    access,
    allocation,
    context,
    errors,
    events,
    pricing,
    routing,
    rules,
)
from newretail.orders import attribution as attribution_service
from newretail.orders.rows import OrderView, insert_discounts, insert_order
from newretail.orders.rules import DeliveryMethod, OrderKind, OrderStatus
from newretail.orders.schemas import Attribution, Checkout, OrderCreate
from newretail.org import service as org_service
from newretail.promotions import service as promotions_service

# The hold outlives the payment window, so a payment accepted just before the order expires
# can still commit it; the order's own expiry job releases it earlier.
RESERVATION_GRACE = timedelta(minutes=10)
BeforeStock = Callable[[OrderView], None]


@dataclass(frozen=True, slots=True)
class Draft:
    """A priced, attributed and routed order, not yet written."""

    sale: Sale
    number: str
    priced: tuple[pricing.PricedLine, ...]
    amounts: tuple[rules.LineAmounts, ...]
    route: routing.Route
    checkout: Checkout
    credit: attribution_service.Credit
    expires_at: datetime
    channel: str
    offers: promotions_service.SaleOffers | None = None
    combination: promotions_service.Combination | None = None
    serving: tuple[int | None, ...] = ()

    @property
    def carry_out(self) -> bool:
        return self.checkout.delivery.method == DeliveryMethod.CARRY_OUT

    @property
    def total(self) -> int:
        return sum(a.total for a in self.amounts)

    @property
    def currency(self) -> str:
        return self.sale.brand.currency

    @property
    def stock_lines(self) -> list[Line]:
        return [
            Line(self.route.allocation_of(p.sku_id).location_id, p.sku_id, p.quantity)
            for p in self.priced
        ]


def new_number(now: datetime) -> str:
    return f"{now:%y%m%d}{secrets.randbelow(10**12):012d}"


def _checked(
    scope: Scope,
    channel: str,
    lines: Sequence[tuple[int, int]],
    checkout: Checkout,
    recorded_channel: str | None,
    serving_guides: Sequence[int | None] | None,
) -> tuple[dict[int, int], tuple[int | None, ...]]:
    """``draft``'s refusals that need nothing read; the units asked for by SKU, and who
    served each line."""
    if recorded_channel is not None:
        context.check_buyer(scope, recorded_channel)
    if checkout.discount and access.is_consumer(scope):
        raise errors.DiscountNotAllowed()
    serving = tuple(serving_guides or (None,) * len(lines))
    context.check_counter(scope, channel, checkout.delivery.method, serving)
    context.check_buyer(scope, channel)
    return rules.units_by_sku(lines), serving


def refuse_sold_out(*, session: Session, scope: Scope, data: OrderCreate) -> None:
    """What ``draft`` would answer ``data`` first, where that needs no database: its own
    refusals, then ``insufficient_stock`` for a pickup this process saw sold out a moment
    ago (``routing.refuse_sold_out``). No I/O: a request runs it on the event loop, and
    only one with no ``Idempotency-Key`` (whose first answer only the database knows)."""
    need, _ = _checked(
        scope,
        data.channel,
        [(line.sku_id, line.quantity) for line in data.lines],
        data,
        None,
        [line.serving_guide_id for line in data.lines],
    )
    routing.refuse_sold_out(
        session=session, scope=scope, store_id=data.store_id, delivery=data.delivery, need=need
    )


def draft(
    *,
    session: Session,
    scope: Scope,
    store_id: int,
    channel: str,
    lines: Sequence[tuple[int, int]],
    attribution: Attribution,
    checkout: Checkout,
    recorded_channel: str | None = None,
    serving_guides: Sequence[int | None] | None = None,
) -> Draft:
    """Everything a new order needs, read once; refusals (stock first) before any write.

    ``recorded_channel``: the channel the order records when it is not the one its prices
    come from (a cloud store cart checked out through a guide's share link: priced as the
    buyer saw it, recorded as ``guide_share``). ``serving_guides``: staff only, the guide who
    served each line at the counter (None for a line nobody served), in the order of
    ``lines``; the order's referring guide is then the one who served most of it, unless
    the attribution names one.
    """
    need, serving = _checked(scope, channel, lines, checkout, recorded_channel, serving_guides)
    now = utcnow()
    # A consumer's pickup reads the store's stock first: a buyer turned away for want of
    # it costs that one statement.
    early = routing.counter_stock(
        session=session,
        scope=scope,
        store_id=store_id,
        delivery=checkout.delivery,
        need=need,
        now=now,
    )
    sale = context.open_sale(
        session=session,
        scope=scope,
        store_id=store_id,
        channel=channel,
        sku_ids=[sku for sku, _ in lines],
        now=now,
        buyer=early.buyer,
    )
    priced = pricing.price(sale.offers, lines)
    pricing.check_orderable(priced)
    subtotals = [(p.unit_price or 0) * p.quantity for p in priced]
    if checkout.discount > sum(subtotals):
        raise errors.InvalidDiscount(
            f"A discount is between zero and the order's subtotal: {sum(subtotals)}."
        )
    # Routing reads stock (unless read above): a buyer turned away for want of it costs
    # nothing more.
    route = routing.plan(
        session=session, sale=sale, delivery=checkout.delivery, need=need, units=early.units
    )
    buyer = context.buyer(session=session, scope=scope, sale=sale, member_id=checkout.member_id)
    offers, combination = _promotions(session, replace(sale, buyer=buyer), priced, checkout)
    cuts = _cuts(subtotals, combination)
    left = sum(subtotals) - sum(cuts)
    if checkout.discount > left and checkout.points is None and offers and combination:
        # Points nobody named make room for the counter's discount: the member spends
        # only what the discount leaves them to pay.
        room = left + combination.points_off - checkout.discount
        fewer = member_rules.points_within(max(room, 0), offers.priced.tail.per_yuan)
        checkout = checkout.model_copy(update={"points": fewer})
        offers, combination = _promotions(session, replace(sale, buyer=buyer), priced, checkout)
        cuts = _cuts(subtotals, combination)
        left = sum(subtotals) - sum(cuts)
    if checkout.discount > left:
        raise errors.InvalidDiscount(
            f"A discount is between zero and what the order's promotions and points leave to "
            f"pay: {left}. (Points the member spends come first; name fewer to leave more.)"
        )
    amounts = rules.discounted_amounts(
        [p.unit_price or 0 for p in priced], [p.quantity for p in priced], cuts, checkout.discount
    )
    credit = attribution_service.credited(
        session=session, brand_id=sale.brand.id, attribution=attribution
    )
    for guide_id in sorted({g for g in serving if g is not None}):
        attribution_service.referring_guide(
            session=session, brand_id=sale.brand.id, guide_id=guide_id
        )
    if credit.referring_guide_id is None:
        lead = rules.lead_guide(serving, [a.total for a in amounts])
        credit = replace(credit, referring_guide_id=lead)
    gifts = offers.gifts(combination) if offers else []
    if gifts:
        priced, amounts, route = _with_gifts(session, sale, checkout, priced, amounts, gifts)
        serving += (None,) * len(gifts)
    window = timedelta(seconds=get_settings().order_payment_window_seconds)
    return Draft(
        sale=replace(sale, buyer=buyer),
        number=new_number(now),
        priced=tuple(priced),
        amounts=tuple(amounts),
        route=route,
        checkout=checkout,
        credit=credit,
        expires_at=now + window,
        channel=recorded_channel or sale.channel,
        offers=offers,
        combination=combination,
        serving=serving,
    )


def _cuts(
    subtotals: Sequence[int], combination: promotions_service.Combination | None
) -> list[int]:
    """What the combination takes off each line (its offers, deposit credit and points)."""
    if combination is None:
        return [0] * len(subtotals)
    return [s - t for s, t in zip(subtotals, combination.line_payable, strict=True)]


def _promotions(
    session: Session, sale: Sale, priced: Sequence[pricing.PricedLine], checkout: Checkout
) -> tuple[promotions_service.SaleOffers | None, promotions_service.Combination | None]:
    """The offers the sale may use and the combination it takes (None: nothing applies)."""
    offers = promotions_service.sale_offers(
        session=session,
        brand_id=sale.brand.id,
        store_id=sale.store.id,
        channel=sale.channel,
        timezone=sale.brand.timezone,
        member_id=sale.buyer.member_id,
        tier=sale.buyer.tier,
        lines=[(p.sku_id, p.quantity, p.unit_price or 0) for p in priced],
        now=sale.now,
        points=checkout.points,
    )
    if offers is None:
        if checkout.offer_keys:
            raise errors.OfferNotAvailable(f"{checkout.offer_keys[0]} is not available here.")
        return None, None
    combination = promotions_service.choose(offers, checkout.offer_keys)
    return offers, (combination if combination.applied or combination.tail else None)


def _with_gifts(
    session: Session,
    sale: Sale,
    checkout: Checkout,
    priced: Sequence[pricing.PricedLine],
    amounts: Sequence[rules.LineAmounts],
    gifts: Sequence[promotions_service.Gift],
) -> tuple[list[pricing.PricedLine], list[rules.LineAmounts], routing.Route]:
    """The order's lines with a gift line each (priced at its worth, all of it taken off by
    its coupon), routed again so the gift's unit is taken like any line's."""
    found = catalog_service.sale_catalog.offers(
        session=session, store=sale.store, channel=sale.channel, sku_ids=[g.sku_id for g in gifts]
    )
    lines = list(priced)
    for gift in gifts:
        offer = found.get(gift.sku_id)
        title = offer.title if offer is not None else f"SKU {gift.sku_id}"
        lines.append(
            pricing.PricedLine(gift.sku_id, 1, title, gift.value, {"gift": gift.key}, True, None)
        )
    need = rules.units_by_sku((p.sku_id, p.quantity) for p in lines)
    route = routing.plan(session=session, sale=sale, delivery=checkout.delivery, need=need)
    gift_amounts = [rules.LineAmounts(g.value, g.value, 0) for g in gifts]
    return lines, [*amounts, *gift_amounts], route


def _order_values(draft: Draft, status: OrderStatus, **values: Any) -> dict[str, Any]:
    sale, delivery, now = draft.sale, draft.checkout.delivery, draft.sale.now
    return {
        "brand_id": sale.brand.id,
        "number": draft.number,
        "kind": OrderKind.STANDARD.value,
        "store_id": sale.store.id,
        "channel": draft.channel,
        "consumer_id": sale.buyer.consumer_id,
        "member_id": sale.buyer.member_id,
        "bound_store_id": sale.buyer.bound_store_id,
        "bound_guide_id": sale.buyer.bound_guide_id,
        "referring_guide_id": draft.credit.referring_guide_id,
        "touchpoint_code": draft.credit.touchpoint_code,
        "campaign": draft.credit.campaign,
        "note": draft.checkout.note,
        "status": status.value,
        "refund_state": rules.RefundState.NONE.value,
        "currency": draft.currency,
        "subtotal": sum(a.subtotal for a in draft.amounts),
        "discount": sum(a.discount for a in draft.amounts),
        "total": draft.total,
        "paid_amount": 0,
        "refunded_amount": 0,
        "delivery_method": delivery.method,
        "pickup_store_id": draft.route.pickup_store_id,
        "address": delivery.address.model_dump() if delivery.address else None,
        "reservation_id": None,
        "expires_at": draft.expires_at,
        "cancel_reason": None,
        "created_by_type": sale.actor_type,
        "created_by_id": sale.actor_id,
        "created_at": now,
        "paid_at": None,
        "closed_at": None,
        "updated_at": now,
        **values,
    }


def _line_values(draft: Draft) -> list[dict[str, Any]]:
    rows = []
    serving = draft.serving or (None,) * len(draft.priced)
    for p, a, guide in zip(draft.priced, draft.amounts, serving, strict=True):
        where = draft.route.allocation_of(p.sku_id)
        rows.append(
            {
                "brand_id": draft.sale.brand.id,
                "sku_id": p.sku_id,
                "title": p.title,
                "quantity": p.quantity,
                "unit_price": p.unit_price or 0,
                "price_source": p.price_source,
                "subtotal": a.subtotal,
                "discount": a.discount,
                "total": a.total,
                "location_id": where.location_id,
                "routing_reason": where.reason,
                "serving_guide_id": guide,
            }
        )
    return rows


def _record_discounts(session: Session, draft: Draft, order: OrderView) -> None:
    """Each line's discounts by offer, and the coupons held for the order, before stock."""
    rows = []
    cart = len(draft.combination.line_payable) if draft.combination else len(order.lines)
    if draft.combination is not None and draft.offers is not None:
        for applied in (*draft.combination.applied, *draft.combination.tail):
            info = draft.offers.info[applied.key]
            for line, amount in zip(order.lines[:cart], applied.lines, strict=True):
                if amount:
                    rows.append(discount_row(order, line.id, info, amount))
        # Gift lines follow the cart's, in the order their coupons apply.
        for line, gift in zip(
            order.lines[cart:], draft.offers.gifts(draft.combination), strict=True
        ):
            rows.append(discount_row(order, line.id, draft.offers.info[gift.key], gift.value))
        take_for_order(
            session=session,
            offers=draft.offers,
            combination=draft.combination,
            member_id=draft.sale.buyer.member_id,
            order=order,
            now=draft.sale.now,
        )
    taken = draft.combination.line_payable if draft.combination else None
    cart_lines = zip(order.lines[:cart], draft.amounts[:cart], strict=True)
    for i, (line, amounts) in enumerate(cart_lines):
        manual = amounts.discount - (amounts.subtotal - taken[i] if taken else 0)
        if manual:
            rows.append(discount_row(order, line.id, MANUAL, manual))
    if rows:
        insert_discounts(session, rows)


MANUAL = promotions_service.OfferInfo("manual", "manual", 0, "", "store")


class PlacedOrder(Protocol):
    """An order just written (``OrderView`` at checkout, the ``Order`` of a balance)."""

    @property
    def id(self) -> int: ...
    @property
    def brand_id(self) -> int: ...
    @property
    def number(self) -> str: ...


def take_for_order(
    *,
    session: Session,
    offers: promotions_service.SaleOffers,
    combination: promotions_service.Combination,
    member_id: int | None,
    order: PlacedOrder,
    now: datetime,
) -> None:
    """The coupons the combination uses held under the order's number, and the points it
    spends taken from the member's balance with the order (``insufficient_points``: another
    checkout spent them first, and nothing is written)."""
    promotions_service.hold(
        session=session,
        priced=offers.priced,
        member_id=member_id,
        combination=combination,
        reference=order.number,
    )
    if not combination.points or member_id is None:
        return
    members_service.spend_on_order(
        session=session,
        member_id=member_id,
        order_id=order.id,
        number=order.number,
        points=combination.points,
        now=now,
    )


def discount_row(
    order: PlacedOrder, line_id: int, info: promotions_service.OfferInfo, amount: int
) -> dict[str, Any]:
    """What one offer took off one line of the order (a row of ``insert_discounts``)."""
    return {
        "brand_id": order.brand_id,
        "order_id": order.id,
        "order_line_id": line_id,
        "offer_key": info.key,
        "source": info.source,
        "source_id": info.source_id or None,
        "name": info.name[:200],
        "funder": info.funder,
        "amount": amount,
    }


def place_held(
    *,
    session: Session,
    draft: Draft,
    before_stock: BeforeStock | None = None,
    attached: bulk.Attached | None = None,
) -> OrderView:
    """The order ``created``, its units held until it is paid or expires; ``attached``:
    a row written with the order, linked to it (``rows.insert_order``)."""
    if draft.carry_out:
        raise errors.InvalidDelivery("A carry-out sale is paid as it is placed.")
    window = draft.expires_at - draft.sale.now
    lines = draft.stock_lines
    reservation_id = inventory_service.open_hold(
        session=session,
        brand_id=draft.sale.brand.id,
        purpose=Purpose.ORDER,
        reference_id=draft.number,
        lines=lines,
        expires_at=draft.sale.now + window + RESERVATION_GRACE,
        actor=("system", None),
    )
    values = _order_values(draft, OrderStatus.CREATED, reservation_id=reservation_id)
    order = insert_order(session, values, _line_values(draft), attached)
    _record_discounts(session, draft, order)
    if before_stock is not None:
        before_stock(order)
    inventory_service.hold_units(
        session=session, lines=lines, events=events.steps(order, OrderStatus.CREATED)
    )
    return order


def place_paid(
    *,
    session: Session,
    draft: Draft,
    before_stock: BeforeStock | None = None,
    attached: bulk.Attached | None = None,
) -> OrderView:
    """The order paid in full and allocated now; its units leave the shelf, last.

    A carry-out is handed over too: the order is written ``completed``, its fulfilment
    done, in this same transaction. ``attached`` as for ``place_held``.
    """
    now = draft.sale.now
    steps = rules.purchase_steps(DeliveryMethod(draft.checkout.delivery.method))
    closed = {"closed_at": now} if steps[-1] is OrderStatus.COMPLETED else {}
    values = _order_values(draft, steps[-1], paid_amount=draft.total, paid_at=now, **closed)
    lines = _line_values(draft)
    planned = allocation.plan_fulfilments(
        brand_id=draft.sale.brand.id,
        method=DeliveryMethod(values["delivery_method"]),
        located=[(line["location_id"], line["routing_reason"]) for line in lines],
        places=draft.route.places,
        destination=draft.route.destination,
        now=now,
        handed_over=draft.carry_out,
    )
    if len(planned) == 1:  # the usual order: written with its one fulfilment
        order = insert_order(session, values, lines, attached, fulfilment=planned[0].row)
    else:
        order = insert_order(session, values, lines, attached)
        allocation.insert_planned(session=session, order=order, planned=planned)
    _record_discounts(session, draft, order)
    if before_stock is not None:
        before_stock(order)
    inventory_service.sell_units(
        session=session,
        lines=draft.stock_lines,
        journal=inventory_service.Journal(("order", order.number), "system", None),
        events=events.steps(order, OrderStatus.CREATED, *steps),
    )
    return order


def create_order(*, session: Session, scope: Scope, data: OrderCreate) -> OrderView:
    """Price, attribute, route and hold one order; ``insufficient_stock`` holds nothing."""
    planned = draft(
        session=session,
        scope=scope,
        store_id=data.store_id,
        channel=data.channel,
        lines=[(line.sku_id, line.quantity) for line in data.lines],
        attribution=data,
        checkout=data,
        serving_guides=[line.serving_guide_id for line in data.lines],
    )
    return place_held(session=session, draft=planned)


def brand_currency(*, session: Session, brand_id: int) -> str:
    brand = org_service.get_brand(
        session=session, scope=access.system_for(brand_id), brand_id=brand_id
    )
    return brand.currency
