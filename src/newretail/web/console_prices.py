"""The price screen: one SKU's price rules at every level, and setting one of them.

    GET  /console/prices?sku=&store=&channel=   the price a store sells at in a channel,
                                                the rule it came from, every rule of the SKU
    POST /console/prices                        set the price at one level (brand, channel,
                                                region, store, store and channel)
    POST /console/prices/clear                  the price is no longer set at that level

Rules are the catalog's offers, written through ``catalog_service`` with the caller's
scope: a store manager sets their own store's price, a region manager their regions' and
stores', a brand admin every level. Resolution is the catalog's own: the most specific
rule that sets a price wins, and the screen says which one it was.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.catalog.models import Offer, Sku
from newretail.catalog.rules import CHANNELS, OFFER_FIELDS, Channel, Level
from newretail.catalog.schemas import OfferCreate, OfferUpdate
from newretail.kernel.money import MINOR_UNIT_DIGITS
from newretail.org.schemas import BrandRead
from newretail.web import data, messages, price_views
from newretail.web.console_catalog import _brand, _stores, url
from newretail.web.console_forms import FormState
from newretail.web.manage import attempt, brand_param, form_brand, parse
from newretail.web.manage_fields import optional_amount, parse_amount
from newretail.web.nav import console_nav
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Text = Annotated[str | None, Query(max_length=64)]
PRICE_ERRORS = {
    "invalid_price": "compare_at",
    "currency_mismatch": "price",
    "store_not_found": "store_id",
    "region_not_found": "region_id",
    "invalid_channel": "channel",
}


def _digits(brand: BrandRead) -> int:
    return MINOR_UNIT_DIGITS.get(brand.currency, 2)


def _sku(
    page: Page, session: Session, brand: BrandRead, sku: int | None, code: str | None
) -> Sku | None:
    if sku is not None:
        return catalog_service.get_sku(session=session, scope=page.caller, sku_id=sku)
    if code:
        found = catalog_service.skus_by_code(
            session=session, brand_id=brand.id, codes=[code.strip()]
        )
        return found.get(code.strip())
    return None


@router.get("/console/prices")
def prices(
    page: StaffPage,
    session: PageSessionDep,
    brand: int | None = None,
    sku: int | None = None,
    code: Text = None,
    store: int | None = None,
    channel: Text = None,
    edit: int | None = None,
) -> HTMLResponse:
    current = _brand(page, session, brand)
    chosen = _sku(page, session, current, sku, code)
    if chosen is None:
        return _render(
            page,
            session,
            current,
            None,
            {"code": code or ""},
            FormState(page, {}),
            searched=bool(code),
        )
    view = _view(page, session, current, store, channel)
    values = price_views.values_for(page, session, chosen, view, edit)
    return _render(page, session, current, chosen, view, FormState(page, values))


def _view(
    page: Page, session: Session, brand: BrandRead, store: int | None, channel: str | None
) -> dict[str, Any]:
    stores = _stores(page, session, brand.id, warehouses=False)
    chosen = next((s for s in stores if s.id == store), stores[0] if stores else None)
    return {
        "store": chosen,
        "channel": channel if channel in CHANNELS else Channel.CLOUD_STORE.value,
        "stores": stores,
    }


def _render(
    page: Page,
    session: Session,
    brand: BrandRead,
    sku: Sku | None,
    view: dict[str, Any],
    state: FormState,
    status_code: int = 200,
    searched: bool = False,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "nav_items": console_nav(page, brand.id, "offers"),
        "brand": brand,
        "brand_param": brand_param(page, brand),
        "sku": sku,
        "searched": searched,
        "offers_url": url("/console/offers", brand=brand_param(page, brand)),
        **state.as_context(),
    }
    if sku is not None:
        context.update(price_views.sku_context(page, session, brand, sku, view))
    return page.render("console/prices.html", status_code=status_code, **context)


# ---- writing --------------------------------------------------------------------------


def _scope_of(level: Level, fields: dict[str, str]) -> dict[str, Any]:
    def number(name: str) -> int | str | None:
        value = fields.get(name, "").strip()
        return int(value) if value.isdigit() and len(value) < 19 else (value or None)

    channel = fields.get("channel") or None
    by_level: dict[Level, dict[str, Any]] = {
        Level.BRAND: {},
        Level.CHANNEL: {"channel": channel},
        Level.REGION: {"region_id": number("region_id")},
        Level.STORE: {"store_id": number("store_id")},
        Level.STORE_CHANNEL: {"store_id": number("store_id"), "channel": channel},
    }
    return by_level[level]


def _existing(
    page: Page, session: Session, sku: Sku, level: Level, scope: dict[str, Any]
) -> Offer | None:
    """The SKU's rule at exactly this scope, if it has one."""
    offers, _ = catalog_service.list_offers(
        session=session,
        scope=page.caller,
        cursor=None,
        limit=2,
        sku_id=sku.id,
        level=level.value,
        **scope,
    )
    wanted = (scope.get("channel"), scope.get("region_id"), scope.get("store_id"))
    return next((o for o in offers if (o.channel, o.region_id, o.store_id) == wanted), None)


@router.post("/console/prices")
def set_price(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    current = form_brand(page, session, fields)
    sku = _sku(page, session, current, _int(fields.get("sku")), None)
    if sku is None:
        return page.redirect(url("/console/prices", brand=brand_param(page, current)))
    view = _view(page, session, current, _int(fields.get("view_store")), fields.get("view_channel"))
    state = FormState(page, fields, error_fields=PRICE_ERRORS)
    level = (
        Level(fields["level"])
        if fields.get("level") in {lv.value for lv in price_views.LEVEL_ROLES}
        else None
    )
    if level is None:
        state.add_field_errors({"level": "choice"})
    digits = _digits(current)
    price = parse(state, "price", lambda: parse_amount(fields.get("price", ""), digits))
    compare_at = parse(
        state, "compare_at", lambda: optional_amount(fields.get("compare_at", ""), digits)
    )
    scope = _scope_of(level, fields) if level else {}
    for name, value in scope.items():
        if value is None or (isinstance(value, str) and name != "channel"):
            state.add_field_errors({name: "choice"})

    def write() -> Offer:
        assert level is not None
        existing = _existing(page, session, sku, level, scope)
        if existing is not None:
            change = OfferUpdate(price=price, compare_at_price=compare_at)
            return catalog_service.update_offer(
                session=session, scope=page.caller, offer_id=existing.id, data=change
            )
        made = OfferCreate.model_validate(
            {"sku_id": sku.id, "price": price, "compare_at_price": compare_at, **scope}
        )
        return catalog_service.create_offer(session=session, scope=page.caller, data=made)

    _, refused = attempt(
        session,
        state,
        write,
        lambda status: _render(page, session, current, sku, view, state, status),
    )
    if refused is not None:
        return refused
    back = url(
        "/console/prices",
        brand=brand_param(page, current),
        sku=sku.id,
        store=view["store"].id if view["store"] else None,
        channel=view["channel"],
    )
    assert level is not None
    return page.redirect(
        back, flash="price_saved", level=page.translate(messages.PRICE_LEVELS[level.value])
    )


@router.post("/console/prices/clear")
def clear_price(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    offer = catalog_service.get_offer(
        session=session, scope=page.caller, offer_id=_int(fields.get("offer")) or 0
    )
    level = catalog_service.offer_read(offer).level
    sku_id = offer.sku_id
    cleared = catalog_service.update_offer(
        session=session,
        scope=page.caller,
        offer_id=offer.id,
        data=OfferUpdate(price=None, compare_at_price=None),
    )
    if all(getattr(cleared, name) is None for name in OFFER_FIELDS):
        catalog_service.delete_offer(session=session, scope=page.caller, offer_id=cleared.id)
    current = data.brand(session=session, scope=page.caller, brand_id=offer.brand_id)
    back = url(
        "/console/prices",
        brand=brand_param(page, current),
        sku=sku_id,
        store=_int(fields.get("view_store")),
        channel=fields.get("view_channel") or None,
    )
    return page.redirect(
        back, flash="price_cleared", level=page.translate(messages.PRICE_LEVELS[level])
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None
