"""What the cloud store home page is made of, read in the page's one session.

Each reader takes the session and the page's ``HomeContext`` and returns plain values. The
product shelves (best sellers, featured) are read in two steps so the stock can be read
again on its own: ``shelf_cards`` once (offers, titles, prices), ``finish_cards`` after
every stock read (units here, where else a SKU can come from).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.catalog import service as catalog_service
from newretail.catalog.rules import Channel
from newretail.cloudstore import rules, stores
from newretail.cloudstore.models import FeaturedSku, StoreActivity
from newretail.cloudstore.schemas import (
    ActivityCard,
    FulfilmentRead,
    GuideCard,
    ProductCard,
    StoreCard,
)
from newretail.cloudstore.stores import CloudStore
from newretail.inventory import service as inventory_service
from newretail.inventory.models import StockMovement
from newretail.inventory.rules import MovementKind
from newretail.kernel.scope import Role, Scope
from newretail.org import service as org_service

BEST_SELLER_DAYS = 30
BEST_SELLERS = 10
FEATURED = 12
GUIDES = 20
ACTIVITIES = 10


@dataclass(frozen=True)
class HomeContext:
    """What every part of the page knows: the store, its brand's policy and the time."""

    store: CloudStore
    policy: rules.Policy
    now: datetime


# ---- the store card -------------------------------------------------------------------


def store_card(store: CloudStore, now: datetime) -> dict[str, Any]:
    """The store as shown now: whether it is open and today's hours depend on the time."""
    local = now.astimezone(ZoneInfo(store.timezone))
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
        open_now=store.open_at(now),
    )
    return card.model_dump(mode="json")


# ---- guides and activities ------------------------------------------------------------


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


@dataclass(frozen=True)
class Activities:
    """The activities on at the time of reading, and when that list next changes by itself."""

    current: list[ActivityCard]
    changes_at: datetime | None

    def shown(self, now: datetime) -> list[dict[str, Any]]:
        on = [a for a in self.current if rules.is_current(a.starts_at, a.ends_at, now)]
        return [a.model_dump(mode="json") for a in on]


def activities(session: Session, context: HomeContext) -> Activities:
    """On now at this store (the soonest to end first), and the next one to start (one query)."""
    store, now = context.store, context.now
    here = (
        StoreActivity.brand_id == store.brand_id,
        or_(StoreActivity.store_id.is_(None), StoreActivity.store_id == store.id),
    )
    current = (
        select(StoreActivity.id, literal(True).label("on"))
        .where(*here, StoreActivity.starts_at <= now, StoreActivity.ends_at > now)
        .order_by(StoreActivity.ends_at, StoreActivity.id)
        .limit(ACTIVITIES)
    )
    upcoming = (
        select(StoreActivity.id, literal(False).label("on"))
        .where(*here, StoreActivity.starts_at > now)
        .order_by(StoreActivity.starts_at, StoreActivity.id)
        .limit(1)
    )
    picked = union_all(current.subquery().select(), upcoming.subquery().select()).subquery()
    rows = session.execute(
        select(StoreActivity, picked.c.on).join(picked, picked.c.id == StoreActivity.id)
    ).all()
    on = sorted((a for a, is_on in rows if is_on), key=lambda a: (a.ends_at, a.id))
    bounds = [a.starts_at for a, is_on in rows if not is_on] + [a.ends_at for a in on]
    cards = [
        ActivityCard(
            id=a.id,
            title=a.title,
            image_url=a.image_url,
            starts_at=a.starts_at,
            ends_at=a.ends_at,
            store_wide=a.store_id is None,
        )
        for a in on
    ]
    return Activities(cards, min(bounds, default=None))


# ---- product shelves ------------------------------------------------------------------


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


def featured_sku_ids(session: Session, context: HomeContext) -> list[int]:
    """The store's own featured list if it has one, else the brand's (one query)."""
    store = context.store
    rows = session.execute(
        select(FeaturedSku.store_id, FeaturedSku.sku_id)
        .where(
            FeaturedSku.brand_id == store.brand_id,
            or_(FeaturedSku.store_id.is_(None), FeaturedSku.store_id == store.id),
        )
        .order_by(FeaturedSku.position, FeaturedSku.id)
    ).all()
    own = [sku_id for owner, sku_id in rows if owner is not None]
    return own or [sku_id for owner, sku_id in rows if owner is None]


@dataclass(frozen=True)
class Shelves:
    """The products of the page before their stock is known: cards keyed by SKU, in order."""

    best_sellers: list[ProductCard]
    featured: list[ProductCard]

    @property
    def sku_ids(self) -> list[int]:
        return list(dict.fromkeys(c.sku_id for c in self.best_sellers + self.featured))


def shelves(session: Session, context: HomeContext) -> Shelves:
    """Best sellers (most sold here in 30 days) and featured SKUs the cloud store can sell."""
    # Twice what is shown: room for a few that can no longer be sold, no more work than that.
    sold = dict(sold_units(session=session, context=context, limit=2 * BEST_SELLERS))
    featured = featured_sku_ids(session, context)
    cards = shelf_cards(session=session, context=context, sku_ids=[*sold, *featured])
    best = [
        cards[sku_id].model_copy(update={"sold_30d": units})
        for sku_id, units in sold.items()
        if sku_id in cards
    ]
    return Shelves(best[:BEST_SELLERS], [cards[s] for s in featured if s in cards][:FEATURED])


def shelf_cards(
    *, session: Session, context: HomeContext, sku_ids: Sequence[int]
) -> dict[int, ProductCard]:
    """Cards (no stock yet) for the SKUs among ``sku_ids`` the cloud store sells."""
    store = context.store
    wanted = list(dict.fromkeys(sku_ids))
    if not wanted:
        return {}
    offers = catalog_service.resolve_offers(
        session=session,
        brand_id=store.brand_id,
        store_id=store.id,
        channel=Channel.CLOUD_STORE.value,
        sku_ids=wanted,
    )
    sellable = [sku_id for sku_id in wanted if sku_id in offers and offers[sku_id].sellable]
    skus = catalog_service.skus_by_id(session=session, brand_id=store.brand_id, sku_ids=sellable)
    cards = {}
    for sku_id in sellable:
        offer = offers[sku_id]
        images = offer.value("images") or []
        price_source = offer.fields["price"].source
        cards[sku_id] = ProductCard(
            sku_id=sku_id,
            product_id=skus[sku_id].product_id,
            title=offer.value("title") or "",
            image=images[0] if images else None,
            price=offer.price,
            compare_at_price=offer.value("compare_at_price"),
            currency=offer.currency,
            price_source=price_source.level.value if price_source else "default",
            stock_here=0,
            fulfilment=FulfilmentRead(kind=rules.SourceKind.NONE, available=0),
        )
    return cards


# ---- stock ----------------------------------------------------------------------------


def source_candidates(session: Session, context: HomeContext) -> list[org_service.Location]:
    return stores.source_candidates(session=session, store=context.store, policy=context.policy)


def stock_units(
    *,
    session: Session,
    store: CloudStore,
    candidates: Sequence[org_service.Location],
    sku_ids: Sequence[int],
) -> dict[tuple[int, int], int]:
    """Units available now of ``sku_ids`` here and at every candidate location (one query)."""
    if not sku_ids:
        return {}
    return inventory_service.available(
        session=session,
        brand_id=store.brand_id,
        sku_ids=sku_ids,
        location_ids=[store.id, *(c.id for c in candidates)],
    )


def finish_cards(
    cards: Sequence[ProductCard],
    *,
    store: CloudStore,
    distances: stores.Distances,
    candidates: Sequence[org_service.Location],
    units: Mapping[tuple[int, int], int],
) -> list[dict[str, Any]]:
    """The cards as shown, with the units here and where else each can come from."""
    sku_ids = [c.sku_id for c in cards]
    here, sources = stores.choose_sources(
        store=store, distances=distances, candidates=candidates, units=units, sku_ids=sku_ids
    )
    return [
        card.model_copy(
            update={
                "stock_here": here[card.sku_id],
                "fulfilment": _fulfilment(sources[card.sku_id]),
            }
        ).model_dump(mode="json")
        for card in cards
    ]


def _fulfilment(source: rules.Source) -> FulfilmentRead:
    return FulfilmentRead(
        kind=source.kind,
        available=source.available,
        store_code=source.code if source.kind is rules.SourceKind.NEARBY_STORE else None,
        store_name=source.name,
        distance_km=source.distance_km,
    )
