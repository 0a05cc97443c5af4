"""Console orders: the orders in scope with filters, an order's page, and a store's actions.

    GET  /console/orders                                      list (store, channel, guide,
                                                              state, dates, order number)
    GET  /console/orders/{id}                                 lines, attribution, payments,
                                                              refunds, fulfilments, returns
    POST /console/orders/{id}/fulfilments/{fid}/ready         a pickup waits with its code
    POST /console/orders/{id}/fulfilments/{fid}/ship          a parcel or courier leaves
    POST /console/orders/handover                             a pickup leaves with its code
    POST /console/orders/{id}/refund                          units of a line back
    POST /console/orders/{id}/returns/{rid}/receive           a requested return arrived

Everything goes through the orders, payments and returns services with the caller's scope:
a store manager or cashier sees only orders sold by, picked up at or sent from their stores;
another brand's order is a 404. A refused action comes back to the order page as a message.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.auth.models import Staff
from newretail.kernel import i18n
from newretail.kernel.errors import DomainError
from newretail.kernel.money import Money
from newretail.kernel.scope import Role, Scope
from newretail.members import service as members_service
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.orders.rules import REFUNDABLE, FulfilmentKind, OrderStatus
from newretail.payments import service as payments_service
from newretail.payments.rules import PaymentStatus
from newretail.payments.schemas import RefundCreate
from newretail.returns import service as returns_service
from newretail.web import data, labels, member_pages, messages
from newretail.web.nav import ORDER_ROLES, console_nav, url
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage
from newretail.web.security import safe_next

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 50
Text = Annotated[str | None, Query(max_length=32)]
Offset = Annotated[int, Query(ge=0, le=100_000)]
Id = Annotated[int | None, Query(ge=1, le=2**53)]
CHANNEL_CODES = ("cloud_store", "online", "pos", "guide_share", "livestream")


def _since(day: date | None, tz: ZoneInfo, days: int = 0) -> datetime | None:
    """Midnight of ``day`` (plus ``days``) in the brand's time zone, as UTC."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=days), time(), tzinfo=tz).astimezone(UTC)


def _label(table: dict[str, str], page: Page, key: str | None) -> str:
    if not key:
        return "—"
    return page.translate(table[key]) if key in table else key


def _order_row(page: Page, order: Order, known: member_pages.Names) -> dict[str, object]:
    return {
        "id": order.id,
        "number": order.number,
        "created_at": order.created_at,
        "store": known.store(page, order.store_id),
        "channel": _label(messages.CHANNELS, page, order.channel),
        "delivery": _label(messages.DELIVERY_METHODS, page, order.delivery_method),
        "status": order.status,
        "status_label": _label(messages.ORDER_STATUSES, page, order.status),
        "refund_state": order.refund_state,
        "guide": known.guide(page, order.referring_guide_id or order.bound_guide_id)
        if order.referring_guide_id or order.bound_guide_id
        else "—",
        "units": sum(line.quantity for line in order.lines),
        "total": Money(order.total, order.currency),
        "refunded": Money(order.refunded_amount, order.currency),
    }


@router.get("/console/orders")
def orders(
    page: StaffPage,
    session: PageSessionDep,
    brand: int | None = None,
    store: Id = None,
    channel: Text = None,
    guide: Id = None,
    status: OrderStatus | None = None,
    since: date | None = None,
    until: date | None = None,
    q: Text = None,
    offset: Offset = 0,
) -> HTMLResponse:
    scope = page.caller
    current = data.brand(session=session, scope=scope, brand_id=brand)
    scope.require(*ORDER_ROLES)
    tz = ZoneInfo(current.timezone)
    known = member_pages.names(session=session, scope=scope, brand_id=current.id)
    rows, more = orders_service.search_orders(
        session=session,
        scope=scope,
        brand_id=current.id,
        store_id=store,
        channel=channel or None,
        guide_id=guide,
        status=status.value if status else None,
        created_from=_since(since, tz),
        created_before=_since(until, tz, days=1),
        number=(q or "").strip() or None,
        offset=offset,
        limit=PAGE_SIZE,
    )
    filters: dict[str, Any] = {
        "store": store,
        "channel": channel,
        "guide": guide,
        "status": status.value if status else None,
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "q": q,
    }
    stores = sorted(known.stores.items(), key=lambda item: item[1])
    return page.render(
        "console/orders.html",
        brand=current,
        tz=current.timezone,
        nav_items=console_nav(page, current.id, "orders"),
        orders=[_order_row(page, order, known) for order in rows],
        filters={name: "" if value is None else str(value) for name, value in filters.items()},
        filtered=any(value not in (None, "") for value in filters.values()),
        stores=stores,
        guides=_guide_options(session, scope),
        channels=[(c, page.translate(messages.CHANNELS[c])) for c in CHANNEL_CODES],
        statuses=[(s.value, page.translate(messages.ORDER_STATUSES[s.value])) for s in OrderStatus],
        can_hand_over=scope.has_any(*orders_service.access_cashiers()),
        handover_stores=[(i, n) for i, n in stores if scope.sees_store(current.id, i)],
        brand_param=current.id if scope.is_platform else None,
        base_url=url("/console/orders", scope, current.id),
        next_url=url("/console/orders", scope, current.id, **filters, offset=offset + PAGE_SIZE)
        if more
        else None,
        prev_url=url(
            "/console/orders", scope, current.id, **filters, offset=max(0, offset - PAGE_SIZE)
        )
        if offset
        else None,
    )


def _guide_options(session: Session, scope: Scope) -> list[tuple[int, str]]:
    staff: list[Staff] = data.every(
        lambda cursor: auth_service.list_staff(
            session=session, scope=scope, cursor=cursor, limit=200, role=Role.GUIDE
        )
    )
    return sorted(((s.id, s.display_name) for s in staff), key=lambda item: item[1])


def _member(page: Page, session: Session, order: Order) -> dict[str, object] | None:
    if order.member_id is None:
        return None
    try:
        with session.begin_nested():
            found = members_service.read_member(
                session=session, scope=page.caller, member_id=order.member_id
            )
            name = members_service.member_name(session=session, member=found)
    except DomainError:
        return {"label": f"#{order.member_id}", "member_no": "", "url": None}
    return {
        "label": member_pages.member_label(page, found, name),
        "member_no": found.member_no,
        "url": f"/console/members/{found.id}",
    }


def _price_source(page: Page, source: dict[str, Any]) -> str:
    level = source.get("level")
    if not isinstance(level, str):
        return "—"
    return _label(messages.PRICE_LEVELS, page, level)


@router.get("/console/orders/{order_id}")
def order_page(page: StaffPage, session: PageSessionDep, order_id: int) -> HTMLResponse:
    scope = page.caller
    order = orders_service.get_order(session=session, scope=scope, order_id=order_id)
    scope.require(*ORDER_ROLES)
    current = data.brand(session=session, scope=scope, brand_id=order.brand_id)
    known = member_pages.names(session=session, scope=scope, brand_id=order.brand_id)
    fulfilments = orders_service.list_fulfilments(session=session, scope=scope, order_id=order.id)
    payments = payments_service.list_payments(session=session, scope=scope, order_id=order.id)
    refunds = payments_service.list_refunds(session=session, scope=scope, order_id=order.id)
    returns, _ = returns_service.list_returns(
        session=session, scope=scope, cursor=None, limit=200, order_id=order.id
    )
    titles = {line.id: line.title for line in order.lines}
    cur = order.currency
    refundable = OrderStatus(order.status) in REFUNDABLE and any(
        p.status == PaymentStatus.SUCCEEDED for p in payments
    )
    can_refund = refundable and scope.has_any(*orders_service.access_cashiers())
    can_act = scope.has_any(*ORDER_ROLES)
    return page.render(
        "console/order.html",
        brand=current,
        tz=current.timezone,
        nav_items=console_nav(page, current.id, "orders"),
        order=_order_row(page, order, known),
        delivery_method=order.delivery_method,
        address=order.address,
        note=order.note,
        pickup_store=known.store(page, order.pickup_store_id) if order.pickup_store_id else None,
        amounts={
            "subtotal": Money(order.subtotal, cur),
            "discount": Money(order.discount, cur),
            "total": Money(order.total, cur),
            "paid": Money(order.paid_amount, cur),
            "refunded": Money(order.refunded_amount, cur),
        },
        lines=[
            {
                "id": line.id,
                "title": line.title,
                "quantity": line.quantity,
                "unit_price": Money(line.unit_price, cur),
                "price_source": _price_source(page, line.price_source),
                "discount": Money(line.discount, cur),
                "total": Money(line.total, cur),
                "refunded_quantity": line.refunded_quantity,
                "refunded": Money(line.refunded_amount, cur),
                "left": line.quantity - line.refunded_quantity,
                "location": known.store(page, line.location_id),
            }
            for line in order.lines
        ],
        attribution={
            "member": _member(page, session, order),
            "bound_store": known.store(page, order.bound_store_id) if order.bound_store_id else "—",
            "bound_guide": known.guide(page, order.bound_guide_id) if order.bound_guide_id else "—",
            "referring_guide": known.guide(page, order.referring_guide_id)
            if order.referring_guide_id
            else "—",
            "code": order.touchpoint_code or "—",
            "campaign": labels.campaign(page, order.campaign),
        },
        payments=[
            {
                "provider": labels.label(page, labels.PAYMENT_PROVIDERS, p.provider),
                "method": labels.label(page, labels.PAYMENT_METHODS, p.method) if p.method else "",
                "amount": Money(p.amount, p.currency),
                "status": p.status,
                "status_label": labels.label(page, labels.PAYMENT_STATUSES, p.status),
                "at": p.confirmed_at or p.created_at,
                "failure": labels.failure(page, p.failure_reason),
            }
            for p in payments
        ],
        refunds=[
            {
                "amount": Money(r.amount, r.currency),
                "reason": r.reason,
                "at": r.created_at,
                "lines": ", ".join(
                    f"{titles.get(rl.order_line_id, rl.order_line_id)} × {rl.quantity}"
                    if rl.quantity
                    else f"{titles.get(rl.order_line_id, rl.order_line_id)}"
                    for rl in r.lines
                ),
            }
            for r in refunds
        ],
        fulfilments=[
            {
                "id": f.id,
                "kind": f.kind,
                "kind_label": _label(messages.FULFILMENT_KINDS, page, f.kind),
                "location": known.store(page, f.location_id),
                "location_id": f.location_id,
                "status": f.status,
                "status_label": _label(messages.FULFILMENT_STATUSES, page, f.status),
                "reason": labels.routing_reason(page, f.reason),
                "distance_km": f.distance_km,
                "pickup_code": f.pickup_code,
                "tracking_no": f.tracking_no,
                "units": sum(fl.quantity for fl in f.lines),
                "can_ready": can_act
                and f.kind == FulfilmentKind.PICKUP.value
                and f.status == "pending"
                and scope.sees_store(f.brand_id, f.location_id),
                "can_ship": can_act
                and f.kind != FulfilmentKind.PICKUP.value
                and f.status == "pending"
                and scope.sees_store(f.brand_id, f.location_id),
                "can_hand_over": f.status == "ready"
                and scope.has_any(*orders_service.access_cashiers())
                and scope.sees_store(f.brand_id, f.location_id),
            }
            for f in fulfilments
        ],
        returns=[
            {
                "id": r.id,
                "number": r.number,
                "kind": r.kind,
                "status": r.status,
                "status_label": _label(messages.RETURN_STATUSES, page, r.status),
                "location": known.store(page, r.receiving_location_id),
                "refund": Money(r.refund_amount, cur),
                "at": r.received_at or r.created_at,
                "lines": ", ".join(
                    f"{titles.get(rl.order_line_id, '')} × {rl.quantity}" for rl in r.lines
                ),
                "can_receive": r.status == "requested"
                and scope.has_any(*orders_service.access_cashiers())
                and scope.sees_store(r.brand_id, r.receiving_location_id),
            }
            for r in returns
        ],
        can_refund=can_refund,
        back_url=url("/console/orders", scope, current.id),
    )


# ---- actions --------------------------------------------------------------------------


def _order_url(order_id: int) -> str:
    return f"/console/orders/{order_id}"


def _refused(page: Page, session: Session, back: str, exc: DomainError) -> Response:
    session.rollback()
    return page.redirect(
        back, flash="order_action_failed", kind="error", reason=page.error_message(exc)
    )


@router.post("/console/orders/{order_id}/fulfilments/{fulfilment_id}/ready")
def mark_ready(
    order_id: int, fulfilment_id: int, page: StaffPage, session: PageSessionDep, fields: FormDep
) -> Response:
    del fields
    page.caller.require(*ORDER_ROLES)
    back = _order_url(order_id)
    try:
        done = orders_service.mark_ready(
            session=session, scope=page.caller, order_id=order_id, fulfilment_id=fulfilment_id
        )
    except DomainError as exc:
        return _refused(page, session, back, exc)
    return page.redirect(back, flash="pickup_ready", code=done.pickup_code or "")


@router.post("/console/orders/{order_id}/fulfilments/{fulfilment_id}/ship")
def ship(
    order_id: int, fulfilment_id: int, page: StaffPage, session: PageSessionDep, fields: FormDep
) -> Response:
    page.caller.require(*ORDER_ROLES)
    back = _order_url(order_id)
    tracking = fields.get("tracking_no", "").strip()[:64] or None
    try:
        orders_service.ship(
            session=session,
            scope=page.caller,
            order_id=order_id,
            fulfilment_id=fulfilment_id,
            tracking_no=tracking,
        )
    except DomainError as exc:
        return _refused(page, session, back, exc)
    return page.redirect(back, flash="fulfilment_shipped")


@router.post("/console/orders/handover")
def hand_over(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    """At the counter: the pickup waiting at the store with this code is handed over."""
    scope = page.caller
    scope.require(*ORDER_ROLES)
    store_field, code = fields.get("store", ""), fields.get("pickup_code", "").strip()
    fallback = url("/console/orders", scope, scope.brand_id)
    back = safe_next(fields.get("next"), fallback)
    if not store_field.isdigit() or not code.isdigit() or len(code) > 8:
        return page.redirect(back, flash="pickup_code_invalid", kind="error")
    try:
        done = orders_service.hand_over(
            session=session, scope=scope, store_id=int(store_field), pickup_code=code
        )
    except DomainError as exc:
        return _refused(page, session, back, exc)
    return page.redirect(_order_url(done.order_id), flash="pickup_handed_over")


@router.post("/console/orders/{order_id}/refund")
def refund_line(
    order_id: int, page: StaffPage, session: PageSessionDep, fields: FormDep
) -> Response:
    """Units of one line back to the buyer, each at its exact share of the line total."""
    page.caller.require(*ORDER_ROLES)
    back = _order_url(order_id)
    try:
        request = RefundCreate.model_validate(
            {
                "lines": [
                    {
                        "order_line_id": fields.get("line", "").strip() or None,
                        "quantity": fields.get("quantity", "").strip() or None,
                    }
                ],
                "reason": fields.get("reason", "").strip()[:200],
            }
        )
    except ValidationError:
        return page.redirect(back, flash="refund_invalid", kind="error")
    try:
        made = payments_service.refund(
            session=session, scope=page.caller, order_id=order_id, data=request
        )
    except DomainError as exc:
        return _refused(page, session, back, exc)
    amount = i18n.format_money(Money(made.amount, made.currency), page.locale)
    return page.redirect(back, flash="refund_made", amount=amount)


@router.post("/console/orders/{order_id}/returns/{return_id}/receive")
def receive_return(
    order_id: int, return_id: int, page: StaffPage, session: PageSessionDep, fields: FormDep
) -> Response:
    del fields
    page.caller.require(*ORDER_ROLES)
    back = _order_url(order_id)
    try:
        record = returns_service.receive(session=session, scope=page.caller, return_id=return_id)
    except DomainError as exc:
        return _refused(page, session, back, exc)
    return page.redirect(_order_url(record.order_id), flash="return_received", number=record.number)
