"""The sections of the cloud store home page, and the registry that lists them.

A later capability adds its section with one line at the bottom of this module, e.g.
``REGISTRY.add("coupons", promotions_service.home_coupons, budget_seconds=0.5)``: a
provider takes ``(session, context: HomeContext)`` and returns JSON-ready data.
"""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.catalog import service as catalog_service
from newretail.catalog.rules import Channel
from newretail.cloudstore import admin, rules, stores
from newretail.cloudstore.home import HomeContext, SectionRegistry
from newretail.cloudstore.schemas import (
    ActivityCard,
    FulfilmentRead,
    GuideCard,
    ProductCard,
    StoreCard,
)
from newretail.inventory.models import StockMovement
from newretail.inventory.rules import MovementKind
from newretail.kernel.scope import Role, Scope

BEST_SELLER_DAYS = 30
BEST_SELLERS = 10
FEATURED = 12
GUIDES = 20


def store_card(session: Session, context: HomeContext) -> dict[str, Any]:
    store = context.store
    local = context.now.astimezone(ZoneInfo(store.timezone))
    card = StoreCard(
        code=store.code,
        name=store.name,
        brand_code=store.brand_code,
        brand_name=store.brand_name,
        type=store.type,
        address=store.address,
        city=store.city,
        lat=store.lat,
        lng=store.lng,
        timezone=store.timezone,
        opening_hours=store.opening_hours,
        today_hours=rules.hours_on(store.opening_hours, local),
        open_now=store.open_at(context.now),
    )
    return card.model_dump(mode="json")


def guides_on_duty(session: Session, context: HomeContext) -> list[dict[str, Any]]:
    """Active staff holding the guide role at this store (names only: the page is public)."""
    reader = Scope(
        actor_type="cloudstore",
        actor_id=None,
        roles=frozenset({Role.BRAND_ADMIN}),
        brand_id=context.store.brand_id,
    )
    staff, _ = auth_service.list_staff(
        session=session,
        scope=reader,
        cursor=None,
        limit=GUIDES,
        role=Role.GUIDE,
        store_id=context.store.id,
    )
    return [
        GuideCard(id=s.id, display_name=s.display_name).model_dump(mode="json")
        for s in staff
        if s.is_active and s.left_at is None
    ]


def current_activities(session: Session, context: HomeContext) -> list[dict[str, Any]]:
    activities = admin.current_activities(
        session=session,
        brand_id=context.store.brand_id,
        store_id=context.store.id,
        now=context.now,
    )
    return [
        ActivityCard(
            id=a.id,
            title=a.title,
            image_url=a.image_url,
            starts_at=a.starts_at,
            ends_at=a.ends_at,
            store_wide=a.store_id is None,
        ).model_dump(mode="json")
        for a in activities
    ]


def sold_units(
    *, session: Session, context: HomeContext, days: int = BEST_SELLER_DAYS, limit: int = 50
) -> list[tuple[int, int]]:
    """(SKU id, units sold) at this store over the last ``days``, most sold first."""
    since = context.now - timedelta(days=days)
    units = func.sum(-StockMovement.quantity)
    query = (
        select(StockMovement.sku_id, units)
        .where(
            StockMovement.brand_id == context.store.brand_id,
            StockMovement.location_id == context.store.id,
            StockMovement.kind == MovementKind.SALE.value,
            StockMovement.created_at >= since,
        )
        .group_by(StockMovement.sku_id)
        .order_by(units.desc(), StockMovement.sku_id)
        .limit(limit)
    )
    return [(sku_id, int(sold)) for sku_id, sold in session.execute(query) if sold > 0]


def best_sellers(session: Session, context: HomeContext) -> list[dict[str, Any]]:
    """The most sold SKUs here over the last 30 days that the cloud store can still sell."""
    # Twice what is shown: room for a few that can no longer be sold, no more work than that.
    sold = dict(sold_units(session=session, context=context, limit=2 * BEST_SELLERS))
    cards = product_cards(session=session, context=context, sku_ids=list(sold))
    return [
        card.model_copy(update={"sold_30d": sold[card.sku_id]}).model_dump(mode="json")
        for card in cards[:BEST_SELLERS]
    ]


def featured_products(session: Session, context: HomeContext) -> list[dict[str, Any]]:
    sku_ids = admin.featured_for_store(
        session=session, brand_id=context.store.brand_id, store_id=context.store.id
    )
    cards = product_cards(session=session, context=context, sku_ids=sku_ids)
    return [card.model_dump(mode="json") for card in cards[:FEATURED]]


def product_cards(
    *, session: Session, context: HomeContext, sku_ids: Sequence[int]
) -> list[ProductCard]:
    """Cards for the SKUs the cloud store sells, in the given order; unsellable ones left out.

    A fixed number of queries for any number of SKUs: offers, SKUs, locations and stock.
    """
    store = context.store
    offers = catalog_service.resolve_offers(
        session=session,
        brand_id=store.brand_id,
        store_id=store.id,
        channel=Channel.CLOUD_STORE.value,
        sku_ids=sku_ids,
    )
    sellable = [sku_id for sku_id in sku_ids if sku_id in offers and offers[sku_id].sellable]
    skus = catalog_service.skus_by_id(session=session, brand_id=store.brand_id, sku_ids=sellable)
    here, sources = stores.fulfilment(
        session=session, store=store, policy=context.policy, sku_ids=sellable
    )
    cards = []
    for sku_id in sellable:
        offer, source = offers[sku_id], sources[sku_id]
        images = offer.value("images") or []
        price_source = offer.fields["price"].source
        cards.append(
            ProductCard(
                sku_id=sku_id,
                product_id=skus[sku_id].product_id,
                title=offer.value("title") or "",
                image=images[0] if images else None,
                price=offer.price,
                compare_at_price=offer.value("compare_at_price"),
                currency=offer.currency,
                price_source=price_source.level.value if price_source else "default",
                stock_here=here[sku_id],
                fulfilment=_fulfilment(source),
            )
        )
    return cards


def _fulfilment(source: rules.Source) -> FulfilmentRead:
    return FulfilmentRead(
        kind=source.kind,
        available=source.available,
        store_code=source.code if source.kind is rules.SourceKind.NEARBY_STORE else None,
        store_name=source.name,
        distance_km=source.distance_km,
    )


REGISTRY = SectionRegistry()
REGISTRY.add("store", store_card, budget_seconds=1.0, empty=lambda: None)
REGISTRY.add("guides", guides_on_duty, budget_seconds=1.0)
REGISTRY.add("activities", current_activities, budget_seconds=1.0)
REGISTRY.add("best_sellers", best_sellers, budget_seconds=1.5)
REGISTRY.add("featured", featured_products, budget_seconds=1.5)
