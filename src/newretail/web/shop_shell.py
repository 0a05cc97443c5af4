"""What every cloud store page shares: the shopper and cart cookies, and the tab bar's state.

The tab bar (home, categories, cart, me) shows the cart's units; the cart is the API's cart
named by a signed cookie per store, so a page without that cookie costs no query for it.
"""

from typing import Any

from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from newretail.cloudstore.stores import CloudStore
from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.orders import service as orders_service
from newretail.orders.models import Cart
from newretail.web import security
from newretail.web.pages import Page

SHOPPER_COOKIE = "nr_shopper"
TABS = ("home", "categories", "cart", "me")


def cart_cookie(store_id: int) -> str:
    return f"nr_cart_{store_id}"


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


def signed_in(
    page: Page, session: Session, store: CloudStore, link: Any, back: str
) -> Scope | RedirectResponse:
    """The signed-in shopper, or the redirect that signs them in and brings them back to
    ``back`` (a path inside this store, "" for its home)."""
    buyer = shopper(page, session)
    if buyer is None:
        return to_sign_in(link, f"/s/{store.code}{back}")
    return buyer


def to_sign_in(link: Any, next_path: str) -> RedirectResponse:
    """The store's phone sign-in (``link``: the store's ``linker``), back to ``next_path``."""
    return RedirectResponse(link("/signin", next=next_path), status_code=303)


def page_cart(page: Page, session: Session, store: CloudStore, buyer: Scope | None) -> Cart | None:
    """The open cart this store's cookie names (a visitor's, or the signed-in buyer's)."""
    cart_id = _cart_id(page, store.id)
    if cart_id is None:
        return None
    return orders_service.get_page_cart(
        session=session, cart_id=cart_id, store_id=store.id, shopper=buyer
    )


def _cart_id(page: Page, store_id: int) -> int | None:
    data = security.unsign(
        page.settings.secret_key, "cart", page.request.cookies.get(cart_cookie(store_id))
    )
    cart_id = (data or {}).get("cart_id")
    return cart_id if isinstance(cart_id, int) else None


def has_cart(page: Page, store: CloudStore) -> bool:
    """Whether the browser names a cart in this store (a page without one reads none)."""
    return _cart_id(page, store.id) is not None


def cart_units(page: Page, session: Session, store: CloudStore) -> int:
    """How many units the shopper's cart holds here (0 without a cart cookie, no query)."""
    if not has_cart(page, store):
        return 0
    cart = page_cart(page, session, store, shopper(page, session))
    return sum(line.quantity for line in cart.lines) if cart is not None else 0


def tabs(page: Page, session: Session, store: CloudStore, tab: str | None) -> dict[str, Any]:
    """The tab bar's context: which tab is on, and the cart's units."""
    return {"tab": tab if tab in TABS else None, "cart_units": cart_units(page, session, store)}
