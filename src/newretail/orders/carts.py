"""Carts: lines collected in one store and channel, priced on every read, checked out once.

A cart belongs to a consumer, to the member of staff who started it, or (on the cloud store
pages, before anyone signs in) to a visitor: the page keeps the visitor cart's id in a
signed cookie, and the consumer who signs in to check out claims it. Lines name SKUs of the
store's brand only: an unknown SKU and another brand's are refused alike (``unknown_sku``),
when they are added, so the answer tells nothing about other brands' catalogs; a referring
guide is checked when the cart is created, as it is at checkout.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from newretail.catalog import service as catalog_service
from newretail.db import utcnow
from newretail.kernel.sale import SaleStore
from newretail.kernel.scope import Scope
from newretail.orders import access, checkout, context, errors, pricing
from newretail.orders import attribution as attribution_service
from newretail.orders.models import Cart, CartLine
from newretail.orders.rows import OrderView
from newretail.orders.rules import CartStatus, units_by_sku
from newretail.orders.schemas import Attribution, CartCreate, CartLinesUpdate, Checkout

_NO_SYNC = {"synchronize_session": False}
VISITOR = "visitor"
MAX_LINES = 100
MAX_UNITS = 10_000


@dataclass(frozen=True)
class PricedCart:
    cart: Cart
    currency: str
    lines: list[pricing.PricedLine]

    @property
    def subtotal(self) -> int:
        return sum((line.unit_price or 0) * line.quantity for line in self.lines if line.sellable)

    @property
    def orderable(self) -> bool:
        return bool(self.lines) and all(
            line.sellable and line.unit_price is not None for line in self.lines
        )


def _owner(session: Session, scope: Scope) -> tuple[str, int | None]:
    if access.is_consumer(scope):
        return "consumer", access.consumer_id(session=session, scope=scope)
    return scope.actor_type, scope.actor_id


def _check_skus(session: Session, store: SaleStore, channel: str, sku_ids: Iterable[int]) -> None:
    """Every SKU is one of the store's brand's; unknown and foreign ones are refused alike."""
    wanted = sorted(set(sku_ids))
    offers = catalog_service.sale_catalog.offers(
        session=session, store=store, channel=channel, sku_ids=wanted
    )
    for sku in wanted:
        if offers.get(sku) is None:
            raise errors.UnknownSku(f"SKU {sku} is not in this store's catalog.")


def _store_of(session: Session, cart: Cart) -> SaleStore:
    found = catalog_service.sale_catalog.store(session=session, store_id=cart.store_id)
    if found is None:
        raise errors.CartNotFound()
    return found[1]


def _new_cart(
    session: Session,
    store: SaleStore,
    channel: str,
    owner: tuple[str, int | None],
    attribution: Attribution,
    lines: dict[int, int],
) -> Cart:
    _check_skus(session, store, channel, lines)
    now = utcnow()
    cart = Cart(
        brand_id=store.brand_id,
        store_id=store.id,
        channel=channel,
        owner_type=owner[0],
        owner_id=owner[1],
        status=CartStatus.OPEN.value,
        attribution=attribution.model_dump(),
        created_at=now,
        updated_at=now,
        lines=[CartLine(sku_id=sku, quantity=n) for sku, n in lines.items()],
    )
    session.add(cart)
    session.flush()
    return cart


def create_cart(*, session: Session, scope: Scope, data: CartCreate) -> Cart:
    """A cart of the caller's in one store and channel; its SKUs and attribution checked now."""
    context.check_buyer(scope, data.channel)
    _, store = context.selling_store(session=session, scope=scope, store_id=data.store_id)
    attribution = Attribution.model_validate(data.model_dump(include=set(Attribution.model_fields)))
    attribution_service.credited(session=session, brand_id=store.brand_id, attribution=attribution)
    lines = units_by_sku((line.sku_id, line.quantity) for line in data.lines)
    return _new_cart(session, store, data.channel, _owner(session, scope), attribution, lines)


def open_visitor_cart(
    *, session: Session, store_id: int, channel: str, attribution: Attribution
) -> Cart:
    """An empty cart of a visitor of the store's pages (no one signed in yet)."""
    found = catalog_service.sale_catalog.store(session=session, store_id=store_id)
    if found is None or not found[1].sells:
        raise errors.CartNotFound()
    return _new_cart(session, found[1], channel, (VISITOR, None), attribution, {})


def get_cart(*, session: Session, scope: Scope, cart_id: int) -> Cart:
    """A cart of the caller's own (a consumer's, or one this member of staff started)."""
    cart = session.get(Cart, cart_id, populate_existing=True)
    if cart is None or (cart.owner_type, cart.owner_id) != _owner(session, scope):
        raise errors.CartNotFound()
    if not access.is_consumer(scope) and not scope.sees_brand(cart.brand_id):
        raise errors.CartNotFound()
    return cart


def get_page_cart(
    *, session: Session, cart_id: int, store_id: int, shopper: Scope | None
) -> Cart | None:
    """The open cart a store page's cookie names: a visitor's, or the signed-in shopper's."""
    cart = session.get(Cart, cart_id, populate_existing=True)
    if cart is None or cart.store_id != store_id or cart.status != CartStatus.OPEN.value:
        return None
    if cart.owner_type == VISITOR:
        return cart
    if shopper is not None and (cart.owner_type, cart.owner_id) == _owner(session, shopper):
        return cart
    return None


def claim(*, session: Session, scope: Scope, cart: Cart) -> Cart:
    """A visitor's cart becomes the signed-in consumer's (once; a claimed one stays theirs)."""
    if cart.owner_type != VISITOR:
        return get_cart(session=session, scope=scope, cart_id=cart.id)
    owner_type, owner_id = _owner(session, scope)
    claimed = session.execute(
        update(Cart)
        .where(Cart.id == cart.id, Cart.owner_type == VISITOR)
        .values(owner_type=owner_type, owner_id=owner_id, updated_at=utcnow())
        .returning(Cart.id),
        execution_options=_NO_SYNC,
    ).first()
    if claimed is None:
        raise errors.CartNotFound()
    return get_cart(session=session, scope=scope, cart_id=cart.id)


def priced(*, session: Session, cart: Cart) -> PricedCart:
    store = _store_of(session, cart)
    offers = catalog_service.sale_catalog.offers(
        session=session, store=store, channel=cart.channel, sku_ids=[x.sku_id for x in cart.lines]
    )
    found = catalog_service.sale_catalog.store(session=session, store_id=cart.store_id)
    currency = found[0].currency if found else ""
    lines = pricing.price(offers, [(line.sku_id, line.quantity) for line in cart.lines])
    return PricedCart(cart, currency, lines)


def _set_lines(session: Session, cart: Cart, lines: dict[int, int]) -> Cart:
    if cart.status != CartStatus.OPEN.value:
        raise errors.CartCheckedOut()
    added = set(lines) - {line.sku_id for line in cart.lines}
    if added:
        _check_skus(session, _store_of(session, cart), cart.channel, added)
    kept = {line.sku_id: line for line in cart.lines if lines.get(line.sku_id, 0) > 0}
    for sku, line in kept.items():
        line.quantity = lines[sku]
    cart.lines = [
        *kept.values(),
        *(
            CartLine(sku_id=sku, quantity=n)
            for sku, n in lines.items()
            if sku not in kept and n > 0
        ),
    ]
    cart.updated_at = utcnow()
    session.flush()
    return cart


def replace_lines(*, session: Session, scope: Scope, cart_id: int, data: CartLinesUpdate) -> Cart:
    cart = get_cart(session=session, scope=scope, cart_id=cart_id)
    return _set_lines(session, cart, units_by_sku((x.sku_id, x.quantity) for x in data.lines))


def set_quantity(*, session: Session, cart: Cart, sku_id: int, quantity: int) -> Cart:
    """One line's units (0 drops it); a page's cart, already found by ``get_page_cart``."""
    lines = {line.sku_id: line.quantity for line in cart.lines}
    if sku_id not in lines and len(lines) >= MAX_LINES:
        return cart
    lines[sku_id] = max(0, min(quantity, MAX_UNITS))
    return _set_lines(session, cart, lines)


def check_out(
    *,
    session: Session,
    scope: Scope,
    cart_id: int,
    data: Checkout,
    attribution: Attribution | None = None,
    recorded_channel: str | None = None,
) -> OrderView:
    """The cart becomes an order, once: a second checkout is ``cart_checked_out``.

    ``attribution``, when given, is the sale's (the cloud store session's share link or
    scanned code) instead of the cart's; ``recorded_channel`` the channel the order records
    when it is not the cart's (see ``checkout.draft``).
    """
    cart = get_cart(session=session, scope=scope, cart_id=cart_id)
    if cart.status != CartStatus.OPEN.value:
        raise errors.CartCheckedOut()
    planned = checkout.draft(
        session=session,
        scope=scope,
        store_id=cart.store_id,
        channel=cart.channel,
        lines=[(line.sku_id, line.quantity) for line in cart.lines],
        attribution=attribution or Attribution.model_validate(cart.attribution),
        checkout=data,
        recorded_channel=recorded_channel,
    )

    def close(order: OrderView) -> None:
        # Guarded: of two checkouts of one cart, the second waits for the first's commit
        # (PostgreSQL) and finds the cart closed; its transaction, order and all, rolls back.
        closed = session.execute(
            update(Cart)
            .where(Cart.id == cart.id, Cart.status == CartStatus.OPEN.value)
            .values(status=CartStatus.CHECKED_OUT.value, order_id=order.id, updated_at=utcnow())
            .returning(Cart.id),
            execution_options=_NO_SYNC,
        ).first()
        if closed is None:
            raise errors.CartCheckedOut()
        set_committed_value(cart, "status", CartStatus.CHECKED_OUT.value)
        set_committed_value(cart, "order_id", order.id)

    return checkout.place_held(session=session, draft=planned, before_stock=close)
