"""Ordering from the cloud store: cart, sign-in by phone, checkout, sandbox payment, orders.

    POST /s/{code}/cart            add a SKU (from the product page) or change quantities
    GET  /s/{code}/cart            the cart, priced by this store's cloud-store offers
    GET  /s/{code}/signin          phone + one-time code (members' sign-in), then back
    GET  /s/{code}/checkout        pickup in this store or same-city delivery (an address)
    POST /s/{code}/checkout        the order (channel ``cloud_store``); then the payment page
    GET  /s/{code}/orders/{id}/pay the sandbox payment page; the provider decides the outcome
    GET  /s/{code}/orders/{id}     state, lines, pickup code when ready, fulfilment steps
    GET  /s/{code}/orders          my orders in this brand

The cart lives in a signed cookie per store until checkout (no account is needed to fill
it); the consumer signs in when they check out, with a signed cookie holding their id. A
``ref`` (a guide's signed share token) is carried on every link; at checkout the guide it
names becomes the order's referring guide.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from newretail.cloudstore import service as cloudstore_service
from newretail.cloudstore.stores import CloudStore
from newretail.guides.rules import read_share_ref
from newretail.kernel.errors import DomainError
from newretail.kernel.money import Money
from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.orders import errors as order_errors
from newretail.orders import pricing
from newretail.orders import service as orders_service
from newretail.orders.schemas import OrderCreate
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate
from newretail.web import messages, security
from newretail.web.cloudstore import Ref, kept_ref, linker
from newretail.web.codes import OTP_MAX, PHONE_MAX, otp_sender, sandbox_code
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, PublicPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
SHOPPER_COOKIE = "nr_shopper"
SHOPPER_SECONDS = 30 * 24 * 3600
CART_SECONDS = 7 * 24 * 3600
MAX_LINES = 30
MAX_UNITS = 99
Next = Annotated[str | None, Query(max_length=300)]
INSTRUCTIONS = ("succeed", "decline", "timeout")


# ---- cookies --------------------------------------------------------------------------


def _cart_cookie(store: CloudStore) -> str:
    return f"nr_cart_{store.id}"


def read_cart(page: Page, store: CloudStore) -> dict[int, int]:
    data = security.unsign(
        page.settings.secret_key, "cart", page.request.cookies.get(_cart_cookie(store))
    )
    lines = (data or {}).get("lines") or {}
    return {int(k): int(v) for k, v in lines.items() if str(k).isdigit() and int(v) > 0}


def _store_cart(page: Page, response: Response, store: CloudStore, cart: dict[int, int]) -> None:
    value = security.sign(
        page.settings.secret_key, "cart", {"lines": {str(k): v for k, v in cart.items()}}
    )
    page.set_cookie(response, _cart_cookie(store), value, CART_SECONDS)


def shopper(page: Page, session: Session) -> Scope | None:
    """The signed-in consumer of the cloud store, if any and still there."""
    data = security.unsign(
        page.settings.secret_key, "shopper", page.request.cookies.get(SHOPPER_COOKIE)
    )
    consumer_id = (data or {}).get("consumer_id")
    if not isinstance(consumer_id, int):
        return None
    live = members_service.live_consumer_id(session=session, consumer_id=consumer_id)
    if live is None:
        return None
    return Scope(actor_type="consumer", actor_id=live, roles=frozenset())


def _signin_redirect(store: CloudStore, ref: str | None, next_path: str) -> RedirectResponse:
    link = linker(store.code, ref)
    return RedirectResponse(link("/signin", next=next_path), status_code=303)


def _render(page: Page, template: str, store: CloudStore, ref: str | None, **ctx: Any) -> Response:
    return page.render(
        template,
        store=store,
        link=linker(store.code, ref),
        ref=ref,
        categories=[],
        order_status_label=lambda s: messages.ORDER_STATUSES.get(s, s),
        fulfilment_status_label=lambda s: messages.FULFILMENT_STATUSES.get(s, s),
        **ctx,
    )


# ---- the cart -------------------------------------------------------------------------


def _priced(session: Session, store: CloudStore, cart: dict[int, int]) -> list[dict[str, Any]]:
    priced = pricing.price_lines(
        session=session,
        brand_id=store.brand_id,
        store_id=store.id,
        channel="cloud_store",
        lines=sorted(cart.items()),
    )
    return [
        {
            "sku_id": p.sku_id,
            "title": p.title,
            "quantity": p.quantity,
            "sellable": p.sellable and p.unit_price is not None,
            "unit": Money(p.unit_price or 0, store.currency),
            "total": Money((p.unit_price or 0) * p.quantity, store.currency),
        }
        for p in priced
    ]


@router.get("/s/{store_code}/cart")
def cart_page(
    page: PublicPage, session: PageSessionDep, store_code: str, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    lines = _priced(session, store, read_cart(page, store))
    total = sum(line["total"].amount for line in lines if line["sellable"])
    return _render(
        page,
        "cloudstore/cart.html",
        store,
        kept_ref(ref),
        lines=lines,
        total=Money(total, store.currency),
        can_check_out=bool(lines) and all(line["sellable"] for line in lines),
    )


@router.post("/s/{store_code}/cart")
def change_cart(
    page: PublicPage, session: PageSessionDep, store_code: str, fields: FormDep, ref: Ref = None
) -> Response:
    """``add`` a SKU (one more unit, or ``quantity``), or ``set`` one line's units (0 drops it)."""
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    cart = read_cart(page, store)
    sku = _int(fields.get("sku_id"), 0)
    quantity = _int(fields.get("quantity"), default=1)
    if sku > 0 and 0 <= quantity <= MAX_UNITS:
        if fields.get("action") == "set":
            cart[sku] = quantity
        elif len(cart) < MAX_LINES or sku in cart:
            cart[sku] = min(cart.get(sku, 0) + max(quantity, 1), MAX_UNITS)
    cart = {k: v for k, v in cart.items() if v > 0}
    ref = kept_ref(ref)
    response = RedirectResponse(linker(store.code, ref)("/cart"), status_code=303)
    _store_cart(page, response, store, cart)
    return response


def _int(value: str | None, default: int) -> int:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else default


# ---- signing in -----------------------------------------------------------------------


def _safe_next(store: CloudStore, next_path: str | None) -> str:
    base = f"/s/{store.code}/"
    path = security.safe_next(next_path or "")
    return path if path.startswith(base) else base + "orders"


@router.get("/s/{store_code}/signin")
def signin_form(
    page: PublicPage, session: PageSessionDep, store_code: str, ref: Ref = None, next: Next = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    return _signin_page(page, store, kept_ref(ref), _safe_next(store, next))


def _signin_page(
    page: Page,
    store: CloudStore,
    ref: str | None,
    next_path: str,
    *,
    step: str = "phone",
    phone: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return page.render(
        "cloudstore/signin.html",
        status_code=status_code,
        store=store,
        link=linker(store.code, ref),
        categories=[],
        next_path=next_path,
        step=step,
        phone=phone,
        error=error,
        sandbox_code=sandbox_code(page.request, phone) if step == "code" else None,
    )


@router.post("/s/{store_code}/signin")
def sign_in(
    page: PublicPage,
    session: PageSessionDep,
    store_code: str,
    fields: FormDep,
    ref: Ref = None,
    next: Next = None,
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref, next_path = kept_ref(ref), _safe_next(store, next)
    phone = fields.get("phone", "").strip()[:PHONE_MAX]
    otp = fields.get("otp", "").strip()[:OTP_MAX]
    try:
        if fields.get("action") == "send" or not otp:
            members_service.send_code(session=session, phone=phone, sender=otp_sender(page.request))
            return _signin_page(page, store, ref, next_path, step="code", phone=phone)
        checked = members_service.verify_code(session=session, phone=phone, code=otp)
        session.commit()  # every try counts, even though a wrong one is answered with an error
        consumer_id, _ = members_service.sign_in(
            session=session, phone=members_service.check_otp(checked)
        )
    except DomainError as exc:
        step = "phone" if exc.code in {"invalid_phone"} else "code"
        return _signin_page(
            page,
            store,
            ref,
            next_path,
            step=step if phone else "phone",
            phone=phone,
            error=page.error_message(exc),
            status_code=exc.status,
        )
    response = RedirectResponse(next_path, status_code=303)
    value = security.sign(page.settings.secret_key, "shopper", {"consumer_id": consumer_id})
    page.set_cookie(response, SHOPPER_COOKIE, value, SHOPPER_SECONDS)
    return response


# ---- checking out ---------------------------------------------------------------------


@router.get("/s/{store_code}/checkout")
def checkout_form(
    page: PublicPage, session: PageSessionDep, store_code: str, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    if shopper(page, session) is None:
        return _signin_redirect(store, ref, f"/s/{store.code}/checkout")
    cart = read_cart(page, store)
    if not cart:
        return RedirectResponse(linker(store.code, ref)("/cart"), status_code=303)
    return _checkout_page(page, session, store, ref, cart, {})


def _checkout_page(
    page: Page,
    session: Session,
    store: CloudStore,
    ref: str | None,
    cart: dict[int, int],
    form: dict[str, str],
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    lines = _priced(session, store, cart)
    total = sum(line["total"].amount for line in lines if line["sellable"])
    return page.render(
        "cloudstore/checkout.html",
        status_code=status_code,
        store=store,
        link=linker(store.code, ref),
        categories=[],
        lines=lines,
        total=Money(total, store.currency),
        form={"method": "pickup", "name": "", "phone": "", "line1": "", **form},
        error=error,
    )


@router.post("/s/{store_code}/checkout")
def check_out(
    page: PublicPage, session: PageSessionDep, store_code: str, fields: FormDep, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    buyer = shopper(page, session)
    if buyer is None:
        return _signin_redirect(store, ref, f"/s/{store.code}/checkout")
    cart = read_cart(page, store)
    if not cart:
        return RedirectResponse(linker(store.code, ref)("/cart"), status_code=303)
    form = {k: fields.get(k, "").strip()[:300] for k in ("method", "name", "phone", "line1")}
    try:
        data = OrderCreate.model_validate(_order_body(page, store, ref, cart, form))
    except ValueError:
        error = page.gettext("Enter a name, a phone number and an address for the delivery.")
        return _checkout_page(page, session, store, ref, cart, form, error, 422)
    try:
        order = orders_service.create_order(session=session, scope=buyer, data=data)
    except DomainError as exc:
        session.rollback()
        return _checkout_page(
            page, session, store, ref, cart, form, page.error_message(exc), exc.status
        )
    response = RedirectResponse(linker(store.code, ref)(f"/orders/{order.id}/pay"), status_code=303)
    response.delete_cookie(_cart_cookie(store), path="/")
    return response


def _order_body(
    page: Page, store: CloudStore, ref: str | None, cart: dict[int, int], form: dict[str, str]
) -> dict[str, Any]:
    delivery: dict[str, Any] = {"method": "pickup"}
    if form["method"] == "same_city":
        # No geocoder offline: the courier's search starts from this store's own point.
        address = {k: form[k] for k in ("name", "phone", "line1")}
        delivery = {
            "method": "same_city",
            "address": {**address, "city": store.city, "lat": store.lat, "lng": store.lng},
        }
    return {
        "store_id": store.id,
        "channel": "cloud_store",
        "lines": [{"sku_id": sku, "quantity": n} for sku, n in sorted(cart.items())],
        "delivery": delivery,
        "referring_guide_id": read_share_ref(secret=page.settings.secret_key, ref=ref),
    }


# ---- paying and following the order ---------------------------------------------------


def _own_order(page: Page, session: Session, store: CloudStore, order_id: int) -> Any:
    buyer = shopper(page, session)
    if buyer is None:
        return None, None
    order = orders_service.get_order(session=session, scope=buyer, order_id=order_id)
    if order.brand_id != store.brand_id:
        raise order_errors.OrderNotFound()
    return buyer, order


@router.get("/s/{store_code}/orders/{order_id}/pay")
def pay_form(
    page: PublicPage, session: PageSessionDep, store_code: str, order_id: int, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    buyer, order = _own_order(page, session, store, order_id)
    if buyer is None:
        return _signin_redirect(store, ref, f"/s/{store.code}/orders/{order_id}/pay")
    if order.status != "created":
        return RedirectResponse(linker(store.code, ref)(f"/orders/{order.id}"), status_code=303)
    return _render(
        page,
        "cloudstore/pay.html",
        store,
        ref,
        order=order,
        total=Money(order.total, order.currency),
        instructions=INSTRUCTIONS,
    )


@router.post("/s/{store_code}/orders/{order_id}/pay")
def pay(
    page: PublicPage,
    session: PageSessionDep,
    store_code: str,
    order_id: int,
    fields: FormDep,
    ref: Ref = None,
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    buyer, order = _own_order(page, session, store, order_id)
    if buyer is None:
        return _signin_redirect(store, ref, f"/s/{store.code}/orders/{order_id}/pay")
    instruction = fields.get("instruction")
    data = PaymentCreate(instruction=instruction if instruction in INSTRUCTIONS else "succeed")
    link = linker(store.code, ref)
    try:
        payment, _ = payments_service.pay(
            session=session, scope=buyer, order_id=order.id, data=data
        )
    except DomainError as exc:
        session.rollback()
        return page.redirect(link(f"/orders/{order.id}"), flash="payment_failed", reason=exc.detail)
    if payment.status == "declined":
        return page.redirect(link(f"/orders/{order.id}/pay"), flash="payment_declined")
    return page.redirect(link(f"/orders/{order.id}"), flash=f"payment_{payment.status}")


STEPS = ("created", "paid", "allocated", "ready", "shipped", "completed")


@router.get("/s/{store_code}/orders/{order_id}")
def order_page(
    page: PublicPage, session: PageSessionDep, store_code: str, order_id: int, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    buyer, order = _own_order(page, session, store, order_id)
    if buyer is None:
        return _signin_redirect(store, ref, f"/s/{store.code}/orders/{order_id}")
    fulfilments = orders_service.list_fulfilments(session=session, scope=buyer, order_id=order.id)
    steps = _steps(order.delivery_method, order.status)
    return _render(
        page,
        "cloudstore/order.html",
        store,
        ref,
        order=order,
        money=lambda amount: Money(amount, order.currency),
        fulfilments=fulfilments,
        pickup_codes=[f.pickup_code for f in fulfilments if f.status == "ready" and f.pickup_code],
        steps=steps,
    )


def _steps(method: str, status: str) -> list[tuple[str, bool]]:
    """The order's path (pickups wait at the counter, deliveries travel) and how far it got."""
    path = ["created", "paid", "ready" if method == "pickup" else "shipped", "completed"]
    if status in ("cancelled", "refunded"):
        return [(step, False) for step in path] + [(status, True)]
    reached = STEPS.index(status) if status in STEPS else 0
    return [(step, STEPS.index(step) <= reached) for step in path]


@router.get("/s/{store_code}/orders")
def my_orders(
    page: PublicPage, session: PageSessionDep, store_code: str, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    buyer = shopper(page, session)
    if buyer is None:
        return _signin_redirect(store, ref, f"/s/{store.code}/orders")
    found, _ = orders_service.list_orders(session=session, scope=buyer, cursor=None, limit=100)
    orders = [o for o in reversed(found) if o.brand_id == store.brand_id]
    return _render(
        page,
        "cloudstore/orders.html",
        store,
        ref,
        orders=[(o, Money(o.total, o.currency)) for o in orders],
    )
