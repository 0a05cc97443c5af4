"""The catalog step: each demo brand's category tree, products, SKUs, offers and stock.

Built through the catalog, inventory and cloud store services with the system scope.
Every SKU gets a brand default price; a few products get rules above it (a channel
price, a region price, a store's own price and title, a store-and-channel price, a store
that does not sell them), recorded in ``CatalogRecord.offers`` with what they should
resolve to. Stock arrives as receipts (``stocking.py``), so the journal adds up.
"""

from dataclasses import dataclass
from functools import partial
from typing import Any

from newretail.catalog import service as catalog_service
from newretail.catalog.rules import Channel, Level
from newretail.catalog.schemas import CategoryCreate, OfferCreate, ProductCreate, SkuCreate
from newretail.kernel.scope import SYSTEM
from newretail.simulate import stocking
from newretail.simulate.assortment import ASSORTMENTS, AssortmentPlan, ProductPlan
from newretail.simulate.plans import OrganisationPlan
from newretail.simulate.world import (
    BrandRecord,
    CatalogRecord,
    PlantedOffer,
    SkuRecord,
    Step,
    StepContext,
    StoreRecord,
)

STEP_NAME = "catalog"
MARKDOWN_SHARE = 0.15  # products on sale brand-wide, with a struck-through list price
# How many products get each kind of rule above the brand default (disjoint sets).
RULES = {"channel": 4, "cloud_channel": 3, "region": 3, "store": 4, "store_channel": 2, "off": 1}


def step(plan: OrganisationPlan) -> Step:
    units = 0
    for brand in plan.brands:
        if brand.code in ASSORTMENTS:
            units += len(ASSORTMENTS[brand.code].products) + len(brand.stores)
    return Step(name=STEP_NAME, run=partial(build, plan), units=units)


def build(plan: OrganisationPlan, ctx: StepContext) -> None:
    for brand_plan in plan.brands:
        assortment = ASSORTMENTS.get(brand_plan.code)
        if assortment is not None:
            brand = ctx.world.brands[brand_plan.code]
            _build_catalog(ctx, brand, assortment)
            stocking.stock_and_sell(ctx, brand)
            stocking.open_cloud_stores(ctx, brand)


@dataclass(frozen=True)
class _Made:
    plan: ProductPlan
    code: str
    sku_codes: tuple[str, ...]


def _build_catalog(ctx: StepContext, brand: BrandRecord, assortment: AssortmentPlan) -> None:
    record = brand.catalog
    for category in assortment.categories:
        data = CategoryCreate(
            brand_id=brand.id,
            parent_id=record.categories[category.parent] if category.parent else None,
            code=category.code,
            name=category.name,
        )
        made = catalog_service.create_category(session=ctx.session, scope=SYSTEM, data=data)
        record.categories[category.code] = made.id
    products = [
        _add_product(ctx, brand, assortment, index, plan)
        for index, plan in enumerate(assortment.products, start=1)
    ]
    _add_rules(ctx, brand, products)


def _add_product(
    ctx: StepContext, brand: BrandRecord, assortment: AssortmentPlan, index: int, plan: ProductPlan
) -> _Made:
    record = brand.catalog
    code = f"{assortment.sku_prefix}-{plan.category}-{index:03d}"
    product = catalog_service.create_product(
        session=ctx.session,
        scope=SYSTEM,
        data=ProductCreate(
            brand_id=brand.id,
            category_id=record.categories[plan.category],
            code=code,
            title=plan.title,
            description=plan.description,
            specs=dict(plan.specs),
        ),
    )
    record.products[code] = product.id
    markdown = ctx.rng.random() < MARKDOWN_SHARE
    sku_codes = []
    for variant in plan.variants:
        sku_code = f"{code}-{variant.code}"
        barcode = ean13(assortment.barcode_prefix, len(record.skus) + 1)
        sku = catalog_service.create_sku(
            session=ctx.session,
            scope=SYSTEM,
            product_id=product.id,
            data=SkuCreate(code=sku_code, barcode=barcode, attributes=dict(variant.attributes)),
        )
        list_price = variant.price_yuan * 100
        price = discounted(variant.price_yuan, 80) * 100 if markdown else list_price
        _offer(ctx, sku.id, price=price, compare_at_price=list_price if markdown else None)
        record.skus[sku_code] = SkuRecord(sku.id, sku_code, product.id, code, barcode, price)
        sku_codes.append(sku_code)
    ctx.tick(1)
    return _Made(plan, code, tuple(sku_codes))


def ean13(prefix: str, item: int) -> str:
    """A valid EAN-13: seven-digit company prefix, five-digit item number, check digit."""
    body = f"{prefix}{item:05d}"
    weighted = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - weighted % 10) % 10)


def discounted(yuan: int, percent: int) -> int:
    """``percent`` of a price in yuan, ending in 9 as shop prices do, and below the price."""
    cut = yuan * percent // 100
    price = cut // 10 * 10 + 9
    return price if price < yuan else max(1, yuan - 10)


def _offer(ctx: StepContext, sku_id: int, **fields: Any) -> None:
    data = OfferCreate.model_validate({"sku_id": sku_id, **fields})
    catalog_service.create_offer(session=ctx.session, scope=SYSTEM, data=data)


def _first(brand: BrandRecord, store_type: str) -> StoreRecord:
    return next(store for store in brand.stores if store.type == store_type)


def _add_rules(ctx: StepContext, brand: BrandRecord, products: list[_Made]) -> None:
    """Rules above the brand default for a few products, each kind on its own products."""
    chosen = ctx.rng.sample(products, sum(RULES.values()))
    picks: dict[str, list[_Made]] = {}
    for kind, count in RULES.items():
        picks[kind], chosen = chosen[:count], chosen[count:]
    flagship, popup, counter = (
        _first(brand, "direct"),
        _first(brand, "popup"),
        _first(brand, "counter"),
    )
    region_id = brand.regions[flagship.region_code]
    online, cloud = Channel.ONLINE.value, Channel.CLOUD_STORE.value
    for made in picks["channel"]:
        _rule(ctx, brand, made, Level.CHANNEL, flagship, online, 90, channel=online)
    for made in picks["cloud_channel"]:
        title = f"【云店专享】{made.plan.title}"
        _rule(ctx, brand, made, Level.CHANNEL, flagship, cloud, 95, channel=cloud, title=title)
    for made in picks["region"]:
        _rule(ctx, brand, made, Level.REGION, flagship, online, 92, region_id=region_id)
    for made in picks["store"]:
        title = f"【快闪限定】{made.plan.title}"
        _rule(ctx, brand, made, Level.STORE, popup, cloud, 85, store_id=popup.id, title=title)
    for made in picks["store_channel"]:
        _rule(ctx, brand, made, Level.STORE_CHANNEL, flagship, cloud, 88, store_id=flagship.id,
              channel=cloud)  # fmt: skip
    for made in picks["off"]:
        _rule(
            ctx, brand, made, Level.STORE, counter, cloud, 0, store_id=counter.id, available=False
        )


def _rule(
    ctx: StepContext,
    brand: BrandRecord,
    made: _Made,
    level: Level,
    where: StoreRecord,
    seen_in: str,
    percent: int,
    **fields: Any,
) -> None:
    """One offer per SKU of ``made``: ``percent`` of its price (0: price left alone)."""
    record: CatalogRecord = brand.catalog
    for sku_code in made.sku_codes:
        sku = record.skus[sku_code]
        price = discounted(sku.price // 100, percent) * 100 if percent else sku.price
        values = {**fields, "price": price} if percent else dict(fields)
        _offer(ctx, sku.id, **values)
        record.offers.append(
            PlantedOffer(
                level=level.value,
                sku_code=sku_code,
                store_code=where.code,
                channel=seen_in,
                price=price,
                title=fields.get("title"),
                available=fields.get("available", True),
            )
        )
