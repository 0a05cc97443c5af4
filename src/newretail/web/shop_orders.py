"""Ordering from the cloud store: cart, sign-in by phone, checkout, sandbox payment, orders.

    POST /s/{code}/cart            add a SKU (from the product page) or change quantities
    GET  /s/{code}/cart            the cart, priced by this store's cloud-store offers
    GET  /s/{code}/signin          phone + one-time code (members' sign-in), then back
    GET  /s/{code}/checkout        pickup in this store or same-city delivery (an address)
    POST /s/{code}/checkout        the order (channel ``cloud_store``, or ``guide_share``
                                   through a share link); then the payment page
    GET  /s/{code}/orders/{id}/pay the sandbox payment page; the provider decides the outcome
    GET  /s/{code}/orders/{id}     state, lines, pickup code when ready, fulfilment steps
    GET  /s/{code}/orders          my orders in this brand

The cart is the API's cart (``orders`` carts): filled before anyone signs in as a visitor's
cart whose id alone sits in a signed cookie per store, and claimed by the consumer who signs
in to check out (their id is in a signed cookie too). A ``ref`` (a guide's signed share
token) is carried on every link; at checkout the shopper's arrival (``shop_attribution``:
that ref, or the share link or scanned code remembered in the browser) is the order's
referring guide, code, campaign and channel.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from newretail.cloudstore import service as cloudstore_service
from newretail.cloudstore.stores import CloudStore
from newretail.kernel.errors import DomainError
from newretail.kernel.money import Money
from newretail.members import service as members_service
from newretail.orders import errors as order_errors
from newretail.orders import service as orders_service
from newretail.orders.models import Cart
from newretail.orders.rules import DeliveryMethod, FulfilmentStatus, OrderStatus
from newretail.orders.schemas import Attribution
from newretail.paylater import service as paylater_service
from newretail.payments import service as payments_service
from newretail.payments.rules import PaymentStatus
from newretail.payments.schemas import PaymentCreate
from newretail.web import (
    messages,
    security,
    shop_attribution,
    shop_checkout,
    shop_offers,
    shop_shell,
)
from newretail.web.cloudstore import Ref, kept_ref, linker
from newretail.web.codes import (
    OTP_MAX,
    PHONE_MAX,
    otp_sender,
    sandbox_code,
    spend_sandbox_code,
)
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, PublicPage
from newretail.web.shop_me import offers_membership
from newretail.web.shop_shell import SHOPPER_COOKIE, cart_cookie, page_cart, shopper, to_sign_in

router = APIRouter(route_class=PageRoute, include_in_schema=False)
SHOPPER_SECONDS = 30 * 24 * 3600
CART_SECONDS = 7 * 24 * 3600
MAX_LINES = 30
MAX_UNITS = 99
NOTE_MAX = 500
CHANNEL = "cloud_store"
Next = Annotated[str | None, Query(max_length=300)]
INSTRUCTIONS = ("succeed", "decline", "timeout")


# ---- cookies --------------------------------------------------------------------------


def _cart_cookie(store: CloudStore) -> str:
    return cart_cookie(store.id)


def _remember_cart(page: Page, response: Response, store: CloudStore, cart: Cart) -> None:
    value = security.sign(page.settings.secret_key, "cart", {"cart_id": cart.id})
    page.set_cookie(response, _cart_cookie(store), value, CART_SECONDS)


def _render(
    page: Page,
    session: Session,
    template: str,
    store: CloudStore,
    ref: str | None,
    tab: str | None = None,
    **ctx: Any,
) -> Response:
    return page.render(
        template,
        **shop_shell.tabs(page, session, store, tab),
        store=store,
        link=linker(store.code, ref),
        ref=ref,
        categories=[],
        order_status_label=lambda s: messages.ORDER_STATUSES.get(s, s),
        fulfilment_status_label=lambda s: messages.FULFILMENT_STATUSES.get(s, s),
        **ctx,
    )


# ---- the cart -------------------------------------------------------------------------


def _lines(
    session: Session, store: CloudStore, cart: Cart | None
) -> tuple[list[dict[str, Any]], bool]:
    """The cart's lines priced for the templates, and whether it can be checked out."""
    if cart is None:
        return [], False
    priced = orders_service.priced(session=session, cart=cart)
    lines = [
        {
            "sku_id": p.sku_id,
            "title": p.title,
            "quantity": p.quantity,
            "sellable": p.sellable and p.unit_price is not None,
            "unit": Money(p.unit_price or 0, store.currency),
            "total": Money((p.unit_price or 0) * p.quantity, store.currency),
        }
        for p in sorted(priced.lines, key=lambda p: p.sku_id)
    ]
    return lines, priced.orderable


@router.get("/s/{store_code}/cart")
def cart_page(
    page: PublicPage, session: PageSessionDep, store_code: str, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    lines, orderable = _lines(
        session, store, page_cart(page, session, store, shopper(page, session))
    )
    total = sum(line["total"].amount for line in lines if line["sellable"])
    return _render(
        page,
        session,
        "cloudstore/cart.html",
        store,
        kept_ref(ref),
        "cart",
        lines=lines,
        total=Money(total, store.currency),
        can_check_out=orderable,
    )


@router.post("/s/{store_code}/cart")
def change_cart(
    page: PublicPage, session: PageSessionDep, store_code: str, fields: FormDep, ref: Ref = None
) -> Response:
    """``add`` a SKU (one more unit, or ``quantity``), or ``set`` one line's units (0 drops it)."""
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    link = linker(store.code, kept_ref(ref))
    cart = page_cart(page, session, store, shopper(page, session))
    sku = _int(fields.get("sku_id"), 0)
    quantity = _int(fields.get("quantity"), default=1)
    if sku > 0 and 0 <= quantity <= MAX_UNITS:
        try:
            cart = _change(session, store, cart, sku, quantity, fields.get("action") == "set")
        except DomainError as exc:
            session.rollback()
            return page.redirect(
                link("/cart"),
                flash="order_action_failed",
                kind="error",
                reason=page.error_message(exc),
            )
    response = RedirectResponse(link("/cart"), status_code=303)
    if cart is not None:
        _remember_cart(page, response, store, cart)
    return response


def _change(
    session: Session, store: CloudStore, cart: Cart | None, sku: int, quantity: int, absolute: bool
) -> Cart | None:
    if cart is None:
        if absolute and quantity == 0:
            return None
        cart = orders_service.open_visitor_cart(
            session=session, store_id=store.id, channel=CHANNEL, attribution=Attribution()
        )
    held = {line.sku_id: line.quantity for line in cart.lines}
    units = quantity if absolute else min(held.get(sku, 0) + max(quantity, 1), MAX_UNITS)
    if sku not in held and len(held) >= MAX_LINES:
        return cart
    return orders_service.set_quantity(session=session, cart=cart, sku_id=sku, quantity=units)


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
    return _signin_page(page, session, store, kept_ref(ref), _safe_next(store, next))


def _signin_page(
    page: Page,
    session: Session,
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
        **shop_shell.tabs(page, session, store, "me"),
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
            members_service.send_code(
                session=session,
                phone=phone,
                sender=otp_sender(page.request),
                brand_id=store.brand_id,
            )
            # Issued, and texted (or kept in the demo's sandbox), as this commits: the page
            # that answers can then show the sandbox's code.
            session.commit()
            return _signin_page(page, session, store, ref, next_path, step="code", phone=phone)
        checked = members_service.verify_code(
            session=session, phone=phone, code=otp, brand_id=store.brand_id
        )
        session.commit()  # every try counts, even though a wrong one is answered with an error
        signed_phone = members_service.check_otp(checked)
        spend_sandbox_code(page.request, signed_phone)
        consumer_id, _ = members_service.sign_in(session=session, phone=signed_phone)
    except DomainError as exc:
        step = "phone" if exc.code in {"invalid_phone", "phone_region_not_allowed"} else "code"
        return _signin_page(
            page,
            session,
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
    buyer = shopper(page, session)
    if buyer is None:
        return to_sign_in(linker(store.code, ref), f"/s/{store.code}/checkout")
    cart = page_cart(page, session, store, buyer)
    if cart is None or not cart.lines:
        return RedirectResponse(linker(store.code, ref)("/cart"), status_code=303)
    return _checkout_page(page, session, store, ref, cart, {})


def _checkout_page(
    page: Page,
    session: Session,
    store: CloudStore,
    ref: str | None,
    cart: Cart | None,
    form: dict[str, str],
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    lines, _ = _lines(session, store, cart)
    total = sum(line["total"].amount for line in lines if line["sellable"])
    buyer = shopper(page, session)
    options = []
    if buyer is not None:
        sold = [(line["sku_id"], line["quantity"]) for line in lines if line["sellable"]]
        options = shop_offers.checkout_options(session, store, buyer, sold)
    picked = form.get("offers", shop_offers.BEST)
    shown = next((o for o in options if o["value"] == picked), options[0] if options else None)
    if shown is not None:
        total = shown["payable"].amount
    choices = shop_checkout.context(page, session, store, buyer, total)
    blank = dict.fromkeys(shop_checkout.TEXT_FIELDS, "")
    default = next((a["id"] for a in choices["addresses"] if a["is_default"]), None)
    return page.render(
        "cloudstore/checkout.html",
        **shop_shell.tabs(page, session, store, "cart"),
        status_code=status_code,
        store=store,
        link=linker(store.code, ref),
        categories=[],
        lines=lines,
        total=Money(total, store.currency),
        options=options,
        form={
            "method": "pickup",
            "payment": "now",
            "offers": shop_offers.BEST,
            "address_id": str(default) if default else "new",
            **blank,
            **form,
        },
        error=error,
        **choices,
    )


@router.post("/s/{store_code}/checkout")
def check_out(
    page: PublicPage, session: PageSessionDep, store_code: str, fields: FormDep, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    buyer = shopper(page, session)
    if buyer is None:
        return to_sign_in(linker(store.code, ref), f"/s/{store.code}/checkout")
    cart = page_cart(page, session, store, buyer)
    if cart is None or not cart.lines:
        return RedirectResponse(linker(store.code, ref)("/cart"), status_code=303)
    form = shop_checkout.form_of(fields)
    form["note"] = fields.get("note", "").strip()[:NOTE_MAX]
    form["offers"] = fields.get("offers", "").strip()[:400]
    came, dropped = shop_attribution.checked(
        session, store.brand_id, shop_attribution.arrival(page, store.brand_id, ref)
    )
    try:
        choice = shop_checkout.chosen(
            session,
            store,
            buyer,
            form,
            form["note"],
            shop_offers.chosen_keys(form["offers"]),
            shop_offers.chosen_points(form["offers"]),
        )
        mine = orders_service.claim(session=session, scope=buyer, cart=cart)
        order = orders_service.check_out(
            session=session,
            scope=buyer,
            cart_id=mine.id,
            data=choice.data,
            attribution=came.attribution,
            recorded_channel=came.channel,
        )
        charge = shop_checkout.settle(session, store, buyer, order.id, choice)
    except shop_checkout.CheckoutFormError:
        session.rollback()
        cart = page_cart(page, session, store, buyer)
        error = page.gettext(
            "Enter a name, a phone number and an address for the delivery; to keep the "
            "address, also its province, city and district."
        )
        return _checkout_page(page, session, store, ref, cart, form, error, 422)
    except DomainError as exc:
        session.rollback()
        cart = page_cart(page, session, store, buyer)
        return _checkout_page(
            page, session, store, ref, cart, form, page.error_message(exc), exc.status
        )
    link = linker(store.code, ref)
    target = link(f"/orders/{order.id}") if charge is not None else link(f"/orders/{order.id}/pay")
    if dropped:
        response = page.redirect(target, flash="arrival_dropped", kind="info")
        shop_attribution.forget(response, store.brand_id)
    elif charge is not None:
        response = page.redirect(target, flash="paid_later")
    else:
        response = RedirectResponse(target, status_code=303)
    response.delete_cookie(_cart_cookie(store), path="/")
    return response


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
        return to_sign_in(linker(store.code, ref), f"/s/{store.code}/orders/{order_id}/pay")
    if order.status != OrderStatus.CREATED:
        return RedirectResponse(linker(store.code, ref)(f"/orders/{order.id}"), status_code=303)
    return _render(
        page,
        session,
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
        return to_sign_in(linker(store.code, ref), f"/s/{store.code}/orders/{order_id}/pay")
    instruction = fields.get("instruction")
    data = PaymentCreate(instruction=instruction if instruction in INSTRUCTIONS else "succeed")
    link = linker(store.code, ref)
    try:
        payment, _ = payments_service.pay(
            session=session, scope=buyer, order_id=order.id, data=data
        )
    except DomainError as exc:
        session.rollback()
        return page.redirect(
            link(f"/orders/{order.id}"), flash="payment_failed", reason=page.error_message(exc)
        )
    if payment.status == PaymentStatus.DECLINED:
        return page.redirect(link(f"/orders/{order.id}/pay"), flash="payment_declined")
    return page.redirect(link(f"/orders/{order.id}"), flash=f"payment_{payment.status}")


S = OrderStatus
STEPS = (S.CREATED, S.PAID, S.ALLOCATED, S.READY, S.SHIPPED, S.COMPLETED)


@router.get("/s/{store_code}/orders/{order_id}")
def order_page(
    page: PublicPage, session: PageSessionDep, store_code: str, order_id: int, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    buyer, order = _own_order(page, session, store, order_id)
    if buyer is None:
        return to_sign_in(linker(store.code, ref), f"/s/{store.code}/orders/{order_id}")
    fulfilments = orders_service.list_fulfilments(session=session, scope=buyer, order_id=order.id)
    steps = _steps(order.delivery_method, order.status)
    charges = paylater_service.charges_of_orders(session=session, scope=buyer, order_ids=[order.id])
    return _render(
        page,
        session,
        "cloudstore/order.html",
        store,
        ref,
        "me",
        order=order,
        money=lambda amount: Money(amount, order.currency),
        fulfilments=fulfilments,
        pickup_codes=[
            f.pickup_code
            for f in fulfilments
            if f.status == FulfilmentStatus.READY and f.pickup_code
        ],
        steps=steps,
        discounts=[
            {"name": d.name or page.gettext("Store discount"), "amount": d.amount}
            for d in orders_service.order_discounts(session=session, scope=buyer, order_id=order.id)
        ],
        join_offer=offers_membership(session, store, buyer),
        pay_later=shop_checkout.charge_view(page, charges.get(order.id)),
    )


def _steps(method: str, status: str) -> list[tuple[str, bool]]:
    """The order's path (pickups wait at the counter, deliveries travel) and how far it got."""
    pickup = method == DeliveryMethod.PICKUP
    path = [S.CREATED, S.PAID, S.READY if pickup else S.SHIPPED, S.COMPLETED]
    if status in (S.CANCELLED, S.REFUNDED):
        return [(step.value, False) for step in path] + [(status, True)]
    reached = STEPS.index(S(status)) if status in STEPS else 0
    return [(step.value, STEPS.index(step) <= reached) for step in path]


@router.get("/s/{store_code}/orders")
def my_orders(
    page: PublicPage, session: PageSessionDep, store_code: str, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    buyer = shopper(page, session)
    if buyer is None:
        return to_sign_in(linker(store.code, ref), f"/s/{store.code}/orders")
    found, _ = orders_service.list_orders(session=session, scope=buyer, cursor=None, limit=100)
    orders = [o for o in reversed(found) if o.brand_id == store.brand_id]
    charges = paylater_service.charges_of_orders(
        session=session, scope=buyer, order_ids=[o.id for o in orders]
    )
    return _render(
        page,
        session,
        "cloudstore/orders.html",
        store,
        ref,
        "me",
        orders=[
            (o, Money(o.total, o.currency), shop_checkout.charge_view(page, charges.get(o.id)))
            for o in orders
        ],
    )
