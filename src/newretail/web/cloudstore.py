"""The consumer's cloud store: ``/s/{store_code}``, its categories and its products.

Public pages, mobile first. ``store_code`` is the public code (``BRAND.STORE``). A guide's
attribution token may come along as ``?ref=``: it is kept on every link between these
pages, and a valid one is remembered as the shopper's arrival until checkout
(``shop_attribution``); one that does not look like a token is dropped.
"""

import re
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from newretail.cloudstore import service as cloudstore_service
from newretail.cloudstore.stores import CloudStore
from newretail.db import Database, utcnow
from newretail.kernel.money import Money
from newretail.org.rules import WEEKDAYS
from newretail.promotions import service as promotions_service
from newretail.web import (
    messages,
    offer_words,
    presale_cards,
    shop_attribution,
    shop_shell,
    storefront,
)
from newretail.web.pages import Page, PageRoute, PageSessionDep, PublicPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
REF_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
Ref = Annotated[str | None, Query(max_length=200)]
Cursor = Annotated[str | None, Query(max_length=200)]


def kept_ref(ref: str | None) -> str | None:
    return ref if ref and REF_PATTERN.match(ref) else None


def linker(store_code: str, ref: str | None) -> Any:
    """``link(path, **query)``: a URL inside this cloud store that carries ``ref`` along."""
    base = f"/s/{store_code}"

    def link(path: str = "", **query: Any) -> str:
        params = {k: v for k, v in {**query, "ref": ref}.items() if v not in (None, "")}
        return base + path + ("?" + urlencode(params) if params else "")

    return link


def _render(
    page: Page,
    session: Session,
    template: str,
    store: CloudStore,
    ref: str | None,
    tab: str | None,
    **context: Any,
) -> HTMLResponse:
    shell = shop_shell.tabs(page, session, store, tab)
    response = page.render(
        template, store=store, link=linker(store.code, ref), ref=ref, **shell, **context
    )
    shop_attribution.remember_share(page, response, store.brand_id, ref)
    return response


def _categories(session: Session, context: cloudstore_service.HomeContext) -> Any:
    return storefront.top_categories(session=session, store=context.store)


def _presales(session: Session, context: cloudstore_service.HomeContext) -> Any:
    views, changes_at = presale_cards.running_until(session=session, store=context.store)
    return cloudstore_service.Timed([(v, v.items[0]) for v in views], changes_at)


# The home page's own sections, read and cached with the API's (added to at import time).
PAGE_SECTIONS = cloudstore_service.SECTIONS.copy()
PAGE_SECTIONS.add("categories", _categories)
PAGE_SECTIONS.add("presales", _presales)


@router.get("/s/{store_code}")
def store_home(
    request: Request, page: PublicPage, store_code: str, ref: Ref = None
) -> HTMLResponse:
    database: Database = request.app.state.database
    if page.settings.home_cache:
        home = cloudstore_service.cached_home(
            database=database, code=store_code, name="page", extra=PAGE_SECTIONS
        )
    else:
        with database.transaction(read_only=True) as session:
            home = cloudstore_service.home(session=session, code=store_code, extra=PAGE_SECTIONS)
    store, sections = home.context.store, home.sections
    shell: dict[str, Any] = {"tab": "home", "cart_units": 0}
    if shop_shell.has_cart(page, store):
        with database.transaction(read_only=True) as session:
            shell = shop_shell.tabs(page, session, store, "home")
    response = page.render(
        "cloudstore/home.html",
        store=store,
        link=linker(store.code, kept_ref(ref)),
        ref=kept_ref(ref),
        **shell,
        card=sections["store"],
        guides=sections["guides"],
        offers=offers_view(sections.get("offers") or {}, store.currency),
        best_sellers=[_card(c) for c in sections["best_sellers"]],
        featured=[_card(c) for c in sections["featured"]],
        categories=sections["categories"],
        sells_elsewhere=home.context.policy.sells_elsewhere,
        weekdays=[(day, page.translate(messages.WEEKDAY_NAMES[day])) for day in WEEKDAYS],
        presales=sections["presales"],
    )
    shop_attribution.remember_share(page, response, store.brand_id, kept_ref(ref))
    return response


def offers_view(section: dict[str, Any], currency: str) -> dict[str, Any]:
    """The promotions running here and the coupons to claim (``shop_offers`` reads them),
    with dates as datetimes and amounts as money. Store activities that are banners only
    are not shown: every promise on the page is a rule checkout applies."""
    return {
        "promotions": [
            {**p, "ends_at": _when(p["ends_at"])} for p in section.get("promotions", [])
        ],
        "coupons": [
            {
                **c,
                "amount": Money(c["amount"], currency),
                "threshold": Money(c["threshold"], currency),
                "price": Money(c.get("price", 0), currency),
                "ends_at": _when(c["ends_at"]),
            }
            for c in section.get("coupons", [])
        ],
    }


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _card(card: dict[str, Any]) -> dict[str, Any]:
    """A home section's product card, with its amounts as money."""
    compare_at = card.get("compare_at_price")
    return {
        **card,
        "price": Money(card["price"], card["currency"]),
        "compare_at": Money(compare_at, card["currency"]) if compare_at else None,
        "tone": storefront.tone(card["product_id"]),
    }


@router.get("/s/{store_code}/c/{category_id}")
def category(
    page: PublicPage,
    session: PageSessionDep,
    store_code: str,
    category_id: int,
    ref: Ref = None,
    cursor: Cursor = None,
) -> HTMLResponse:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    head, children, tiles, next_cursor = storefront.category_page(
        session=session, store=store, category_id=category_id, cursor=cursor
    )
    ref = kept_ref(ref)
    link = linker(store.code, ref)
    return _render(
        page,
        session,
        "cloudstore/category.html",
        store,
        ref,
        "categories",
        category=head,
        children=children,
        tiles=tiles,
        next_url=link(f"/c/{category_id}", cursor=next_cursor) if next_cursor else None,
        categories=storefront.top_categories(session=session, store=store),
    )


@router.get("/s/{store_code}/p/{product_id}")
def product(
    page: PublicPage,
    session: PageSessionDep,
    store_code: str,
    product_id: int,
    ref: Ref = None,
    sku: int | None = None,
) -> HTMLResponse:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    view = storefront.product_page(session=session, store=store, product_id=product_id, sku_id=sku)
    view.specs = [(page.translate(messages.ATTRIBUTES.get(k, k)), v) for k, v in view.specs]
    groups: dict[str, list[storefront.Variant]] = {}
    for variant in view.variants:
        groups.setdefault(variant.group, []).append(variant)
    first = [view.selected.sku_id] if view.selected else []
    presales = presale_cards.for_skus(
        presale_cards.running(session=session, store=store),
        first + [v.sku_id for v in view.variants],
    )
    return _render(
        page,
        session,
        "cloudstore/product.html",
        store,
        kept_ref(ref),
        None,
        product=view,
        groups=groups,
        open_now=store.open_at(utcnow()),
        presales=presales,
        promotions=_promotions_for(
            page, session, store, view.selected.sku_id if view.selected else None
        ),
        coupons=_coupons_for(page, session, store, view.selected.sku_id if view.selected else None),
        categories=storefront.top_categories(session=session, store=store),
    )


def _promotions_for(
    page: Page, session: Session, store: CloudStore, sku_id: int | None
) -> list[dict[str, Any]]:
    """The automatic promotions that reach this SKU in this cloud store now, in words."""
    if sku_id is None:
        return []
    found = promotions_service.for_sku(
        session=session,
        brand_id=store.brand_id,
        store_id=store.id,
        channel="cloud_store",
        sku_id=sku_id,
        now=utcnow(),
    )
    return [
        {"name": p.name, "terms": offer_words.terms_text(page, p.kind, p.terms, store.currency)}
        for p in found
    ]


def _coupons_for(
    page: Page, session: Session, store: CloudStore, sku_id: int | None
) -> list[dict[str, Any]]:
    """The coupons to claim here that this SKU counts towards, in words."""
    if sku_id is None:
        return []
    found = promotions_service.claimable_for_sku(
        session=session,
        brand_id=store.brand_id,
        store_id=store.id,
        channel="cloud_store",
        sku_id=sku_id,
        now=utcnow(),
    )
    return [
        {
            "id": t.id,
            "name": t.name,
            "terms": offer_words.terms_text(page, t.kind, t.terms, store.currency),
        }
        for t in found
    ]
