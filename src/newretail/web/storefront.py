"""What the cloud store pages show, read through the catalog and cloud store services.

The pages are public: reads go through a brand-wide reader scope of the store's own
brand, so a page can never show another brand's product (a product id of another brand
is a 404, as in the API).
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from newretail.catalog import errors as catalog_errors
from newretail.catalog import service as catalog_service
from newretail.catalog.rules import Channel, ResolvedOffer
from newretail.cloudstore import service as cloudstore_service
from newretail.cloudstore.service import CloudStore
from newretail.kernel.money import Money
from newretail.kernel.scope import Role, Scope

CHANNEL = Channel.CLOUD_STORE.value
PAGE_SKUS = 200


def reader(brand_id: int) -> Scope:
    return Scope(
        actor_type="cloudstore",
        actor_id=None,
        roles=frozenset({Role.BRAND_ADMIN}),
        brand_id=brand_id,
    )


@dataclass
class Tile:
    """A product in a list: its lowest price here and whether it can be had."""

    product_id: int
    title: str
    price: Money
    compare_at: Money | None
    from_price: bool
    stock_here: int
    elsewhere: bool
    tone: int
    image: str | None = None


@dataclass
class Variant:
    sku_id: int
    label: str
    group: str
    option: str
    sellable: bool
    stock_here: int


@dataclass
class ProductView:
    product_id: int
    title: str
    description: str
    category: dict[str, Any] | None
    specs: list[tuple[str, str]]
    variants: list[Variant]
    selected: Variant | None
    price: Money | None
    compare_at: Money | None
    price_level: str | None
    per_order_limit: int | None
    elsewhere: list[dict[str, Any]] = field(default_factory=list)
    sells_elsewhere: bool = False
    tone: int = 0
    image: str | None = None


def tone(product_id: int) -> int:
    """Which of the placeholder colours a product without images wears."""
    return product_id % 6


def money(amount: int | None, currency: str) -> Money | None:
    return None if amount is None else Money(amount, currency)


def top_categories(*, session: Session, store: CloudStore) -> list[dict[str, Any]]:
    rows, _ = catalog_service.list_categories(
        session=session, scope=reader(store.brand_id), cursor=None, limit=200
    )
    return [{"id": c.id, "name": c.name} for c in rows if c.parent_id is None]


def category_tree(*, session: Session, store: CloudStore) -> list[dict[str, Any]]:
    """The brand's top categories, each with its direct children, in one read."""
    rows, _ = catalog_service.list_categories(
        session=session, scope=reader(store.brand_id), cursor=None, limit=200
    )
    children: dict[int, list[dict[str, Any]]] = {}
    for c in rows:
        if c.parent_id is not None:
            children.setdefault(c.parent_id, []).append({"id": c.id, "name": c.name})
    return [
        {"id": c.id, "name": c.name, "children": children.get(c.id, [])}
        for c in rows
        if c.parent_id is None
    ]


def category_page(
    *, session: Session, store: CloudStore, category_id: int, cursor: str | None
) -> tuple[dict[str, Any], list[dict[str, Any]], list[Tile], str | None]:
    """The category, its children, a page of its products here, and the next page's cursor."""
    scope = reader(store.brand_id)
    category = catalog_service.get_category(session=session, scope=scope, category_id=category_id)
    children, _ = catalog_service.list_categories(
        session=session, scope=scope, cursor=None, limit=200, parent_id=category.id
    )
    entries, next_cursor = catalog_service.store_catalog(
        session=session,
        scope=scope,
        store_id=store.id,
        channel=CHANNEL,
        cursor=cursor,
        limit=PAGE_SKUS,
        category_id=category.id,
        sellable_only=True,
    )
    tiles = _tiles(session, store, entries)
    head = {"id": category.id, "name": category.name, "parent_id": category.parent_id}
    kids = [{"id": c.id, "name": c.name} for c in children]
    return head, kids, tiles, next_cursor


def search_page(
    *, session: Session, store: CloudStore, text: str, cursor: str | None
) -> tuple[list[Tile], str | None]:
    """A page of this store's sellable products whose title contains ``text``."""
    entries, next_cursor = catalog_service.store_catalog(
        session=session,
        scope=reader(store.brand_id),
        store_id=store.id,
        channel=CHANNEL,
        cursor=cursor,
        limit=PAGE_SKUS,
        sellable_only=True,
        text=text,
    )
    return _tiles(session, store, entries), next_cursor


def _tiles(
    session: Session, store: CloudStore, entries: list[catalog_service.CatalogEntry]
) -> list[Tile]:
    """One tile per product, priced and stocked for this store."""
    policy = cloudstore_service.policy_for(session=session, brand_id=store.brand_id)
    here, sources = cloudstore_service.fulfilment(
        session=session, store=store, policy=policy, sku_ids=[e.sku.id for e in entries]
    )
    grouped: dict[int, list[catalog_service.CatalogEntry]] = {}
    for entry in entries:
        grouped.setdefault(entry.product.id, []).append(entry)
    return [_tile(group, here, sources, store.currency) for group in grouped.values()]


def _tile(
    group: list[catalog_service.CatalogEntry],
    here: dict[int, int],
    sources: dict[int, Any],
    currency: str,
) -> Tile:
    cheapest = min(group, key=lambda e: (e.resolved.price or 0, e.sku.id))
    prices = {e.resolved.price for e in group}
    resolved = cheapest.resolved
    return Tile(
        product_id=cheapest.product.id,
        title=str(resolved.value("title") or cheapest.product.title),
        price=Money(resolved.price or 0, currency),
        compare_at=money(resolved.value("compare_at_price"), currency),
        from_price=len(prices) > 1,
        stock_here=sum(here.get(e.sku.id, 0) for e in group),
        elsewhere=any(sources[e.sku.id].kind.value != "none" for e in group),
        tone=tone(cheapest.product.id),
        image=first_image(resolved.value("images"), cheapest.product.images),
    )


def first_image(*lists: Any) -> str | None:
    """The first picture of the first list that has one (an offer's own, then the product's)."""
    for images in lists:
        if images:
            return str(images[0])
    return None


def product_page(
    *, session: Session, store: CloudStore, product_id: int, sku_id: int | None
) -> ProductView:
    """The product as this store sells it, with the chosen (or first in stock) SKU."""
    scope = reader(store.brand_id)
    product = catalog_service.get_product(session=session, scope=scope, product_id=product_id)
    if product.status != "active":
        raise catalog_errors.ProductNotFound()
    skus, _ = catalog_service.list_skus(
        session=session, scope=scope, product_id=product.id, cursor=None, limit=PAGE_SKUS
    )
    offers = catalog_service.resolve_offers(
        session=session,
        brand_id=store.brand_id,
        store_id=store.id,
        channel=CHANNEL,
        sku_ids=[s.id for s in skus],
    )
    sellable = [s.id for s in skus if offers[s.id].sellable]
    policy = cloudstore_service.policy_for(session=session, brand_id=store.brand_id)
    here, _ = cloudstore_service.fulfilment(
        session=session, store=store, policy=policy, sku_ids=sellable
    )
    variants = [_variant(s.id, s.attributes, s.id in here, here.get(s.id, 0)) for s in skus]
    selected = _choose(variants, sku_id)
    view = ProductView(
        product_id=product.id,
        title=product.title,
        description=product.description,
        category=_category(session, scope, product.category_id),
        specs=[(str(k), str(v)) for k, v in product.specs.items()],
        variants=variants,
        selected=selected,
        price=None,
        compare_at=None,
        price_level=None,
        per_order_limit=None,
        sells_elsewhere=policy.sells_elsewhere,
        tone=tone(product.id),
        image=next(iter(product.images), None),
    )
    if selected is not None:
        _fill_offer(view, offers[selected.sku_id], store.currency)
        if policy.sells_elsewhere:
            view.elsewhere = _elsewhere(session, store, policy, selected.sku_id)
    return view


def _variant(sku_id: int, attributes: dict[str, Any], sellable: bool, stock: int) -> Variant:
    values = [str(v) for v in attributes.values()] or [str(sku_id)]
    group = values[0] if len(values) > 1 else ""
    option = " / ".join(values[1:]) if len(values) > 1 else values[0]
    return Variant(sku_id, " / ".join(values), group, option, sellable, stock)


def _choose(variants: list[Variant], sku_id: int | None) -> Variant | None:
    asked = next((v for v in variants if v.sku_id == sku_id and v.sellable), None)
    in_stock = next((v for v in variants if v.sellable and v.stock_here > 0), None)
    return asked or in_stock or next((v for v in variants if v.sellable), None)


def _category(session: Session, scope: Scope, category_id: int | None) -> dict[str, Any] | None:
    if category_id is None:
        return None
    category = catalog_service.get_category(session=session, scope=scope, category_id=category_id)
    return {"id": category.id, "name": category.name}


def _fill_offer(view: ProductView, offer: ResolvedOffer, currency: str) -> None:
    source = offer.fields["price"].source
    view.title = str(offer.value("title") or view.title)
    view.description = str(offer.value("description") or view.description)
    view.price = money(offer.price, currency)
    view.compare_at = money(offer.value("compare_at_price"), currency)
    view.price_level = source.level.value if source else None
    view.per_order_limit = offer.per_order_limit
    images = offer.value("images") or []
    view.image = str(images[0]) if images else view.image


def _elsewhere(
    session: Session, store: CloudStore, policy: Any, sku_id: int
) -> list[dict[str, Any]]:
    found = cloudstore_service.stocked_elsewhere(
        session=session, store=store, policy=policy, sku_id=sku_id
    )
    return [
        {
            "code": c.code,
            "name": c.name,
            "warehouse": c.is_warehouse,
            "distance_km": c.distance_km,
            "available": c.available,
        }
        for c in found[:6]
    ]
