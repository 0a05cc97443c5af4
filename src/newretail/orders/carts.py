"""Carts: lines collected in one store and channel, priced on every read, checked out once."""

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel.scope import Scope
from newretail.orders import access, checkout, errors, pricing
from newretail.orders.models import Cart, CartLine, Order
from newretail.orders.schemas import Attribution, CartCreate, CartLinesUpdate, Checkout

_NO_SYNC = {"synchronize_session": False}


@dataclass(frozen=True)
class PricedCart:
    cart: Cart
    currency: str
    lines: list[pricing.PricedLine]

    @property
    def subtotal(self) -> int:
        return sum((line.unit_price or 0) * line.quantity for line in self.lines if line.sellable)


def _owner(session: Session, scope: Scope) -> tuple[str, int | None]:
    if access.is_consumer(scope):
        return "consumer", access.consumer_id(session=session, scope=scope)
    return scope.actor_type, scope.actor_id


def _lines(data: CartCreate | CartLinesUpdate) -> list[CartLine]:
    merged: dict[int, int] = {}
    for line in data.lines:
        merged[line.sku_id] = merged.get(line.sku_id, 0) + line.quantity
    return [CartLine(sku_id=sku, quantity=n) for sku, n in merged.items()]


def create_cart(*, session: Session, scope: Scope, data: CartCreate) -> Cart:
    checkout.check_buyer(scope, data.channel)
    store = checkout.selling_store(session=session, scope=scope, store_id=data.store_id)
    owner_type, owner_id = _owner(session, scope)
    now = utcnow()
    cart = Cart(
        brand_id=store.brand_id,
        store_id=store.id,
        channel=data.channel,
        owner_type=owner_type,
        owner_id=owner_id,
        status="open",
        attribution=Attribution.model_validate(
            data.model_dump(include=set(Attribution.model_fields))
        ).model_dump(),
        created_at=now,
        updated_at=now,
        lines=_lines(data),
    )
    session.add(cart)
    session.flush()
    return cart


def get_cart(*, session: Session, scope: Scope, cart_id: int) -> Cart:
    """A cart of the caller's own (a consumer's, or one this member of staff started)."""
    cart = session.get(Cart, cart_id, populate_existing=True)
    if cart is None or (cart.owner_type, cart.owner_id) != _owner(session, scope):
        raise errors.CartNotFound()
    if not access.is_consumer(scope) and not scope.sees_brand(cart.brand_id):
        raise errors.CartNotFound()
    return cart


def priced(*, session: Session, cart: Cart) -> PricedCart:
    lines = pricing.price_lines(
        session=session,
        brand_id=cart.brand_id,
        store_id=cart.store_id,
        channel=cart.channel,
        lines=[(line.sku_id, line.quantity) for line in cart.lines],
    )
    currency = checkout.brand_currency(session=session, brand_id=cart.brand_id)
    return PricedCart(cart, currency, lines)


def replace_lines(*, session: Session, scope: Scope, cart_id: int, data: CartLinesUpdate) -> Cart:
    cart = get_cart(session=session, scope=scope, cart_id=cart_id)
    if cart.status != "open":
        raise errors.CartCheckedOut()
    cart.lines = _lines(data)
    cart.updated_at = utcnow()
    session.flush()
    return cart


def check_out(*, session: Session, scope: Scope, cart_id: int, data: Checkout) -> Order:
    """The cart becomes an order, once: a second checkout is ``cart_checked_out``."""
    cart = get_cart(session=session, scope=scope, cart_id=cart_id)
    closed = session.execute(
        update(Cart)
        .where(Cart.id == cart.id, Cart.status == "open")
        .values(status="checked_out", updated_at=utcnow())
        .returning(Cart.id),
        execution_options=_NO_SYNC,
    ).first()
    if closed is None:
        raise errors.CartCheckedOut()
    store = checkout.selling_store(session=session, scope=scope, store_id=cart.store_id)
    order = checkout.place(
        session=session,
        scope=scope,
        store=store,
        channel=cart.channel,
        lines=[(line.sku_id, line.quantity) for line in cart.lines],
        attribution=Attribution.model_validate(cart.attribution),
        checkout=data,
    )
    cart.order_id = order.id
    cart.status = "checked_out"
    session.flush()
    return order
