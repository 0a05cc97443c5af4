"""Stock for every location, a first week of till sales, and each brand's cloud store set-up.

Stock arrives as receipts (purchase orders) through the inventory service; sales are POS
reservations committed at once, so levels and the movements journal agree. The cloud
stores get the brand's sourcing policy and a featured list (what they advertise as going on
is planted as promotion rules, ``campaigns.py``).
"""

import random
from collections.abc import Sequence
from itertools import accumulate

from newretail.cloudstore import service as cloudstore_service
from newretail.cloudstore.schemas import CloudStoreSettingsWrite
from newretail.inventory import service as inventory_service
from newretail.inventory.rules import MAX_LINES, Line, Purpose
from newretail.inventory.schemas import QuantityLine, ReceiptCreate
from newretail.kernel.scope import SYSTEM
from newretail.simulate.world import (
    BrandRecord,
    CatalogRecord,
    SkuRecord,
    StepContext,
    StoreRecord,
)

# Share of the brand's products each kind of location carries, and units per SKU.
COVERAGE = {"warehouse": 1.0, "direct": 0.9, "franchise": 0.7, "counter": 0.5, "popup": 0.35}
SIZE_IN_STOCK = 0.85
UNITS = {"warehouse": (30, 200), "store": (1, 18)}
TICKETS_PER_STORE = 12  # till sales of one to four items each
FEATURED = 12
# Which other stock a brand's cloud stores may sell.
SOURCING = {
    "YUEDONG": CloudStoreSettingsWrite(
        store_sourcing="nearby", nearby_radius_km=5.0, warehouse_sourcing=True
    ),
    "HUAJIAN": CloudStoreSettingsWrite(warehouse_sourcing=True),
}


def stock_and_sell(ctx: StepContext, brand: BrandRecord) -> None:
    record = brand.catalog
    by_product: dict[str, list[SkuRecord]] = {}
    for sku in record.skus.values():
        by_product.setdefault(sku.product_code, []).append(sku)
    for store in brand.stores:
        lines = _assortment_for(ctx.rng, store, by_product)
        _receive(ctx, store, record, lines)
        for sku_code, units in lines:
            record.received[(store.code, sku_code)] = units
        ctx.tick(1)
    popularity = _popularity(ctx.rng, list(by_product))
    for store in brand.stores:
        if store.type != "warehouse":
            _sell(ctx, brand, store, popularity)


def _assortment_for(
    rng: random.Random, store: StoreRecord, by_product: dict[str, list[SkuRecord]]
) -> list[tuple[str, int]]:
    low, high = UNITS["warehouse" if store.type == "warehouse" else "store"]
    lines = []
    for skus in by_product.values():
        if rng.random() >= COVERAGE.get(store.type, 0.5):
            continue
        for sku in skus:
            if store.type == "warehouse" or rng.random() < SIZE_IN_STOCK:
                lines.append((sku.code, rng.randint(low, high)))
    return lines


def _receive(
    ctx: StepContext, store: StoreRecord, record: CatalogRecord, lines: list[tuple[str, int]]
) -> None:
    for number, start in enumerate(range(0, len(lines), MAX_LINES), start=1):
        chunk = lines[start : start + MAX_LINES]
        data = ReceiptCreate(
            kind="receipt",
            location_id=store.id,
            reference_type="purchase_order",
            reference_id=f"PO-{store.code}-{number:02d}",
            note="开业铺货",
            lines=[
                QuantityLine(sku_id=record.skus[code].id, quantity=units) for code, units in chunk
            ],
        )
        inventory_service.record_movements(session=ctx.session, scope=SYSTEM, data=data)


def _popularity(rng: random.Random, product_codes: Sequence[str]) -> dict[str, float]:
    """A long tail: a few products sell most (weights 1/rank in a shuffled order)."""
    ranked = list(product_codes)
    rng.shuffle(ranked)
    return {code: 1.0 / rank for rank, code in enumerate(ranked, start=1)}


def _sell(
    ctx: StepContext, brand: BrandRecord, store: StoreRecord, popularity: dict[str, float]
) -> None:
    record = brand.catalog
    stocked = [code for (where, code) in record.received if where == store.code]
    if not stocked:
        return
    weights = list(accumulate(popularity[record.skus[code].product_code] for code in stocked))
    for number in range(1, TICKETS_PER_STORE + 1):
        basket = set(ctx.rng.choices(stocked, cum_weights=weights, k=ctx.rng.randint(1, 4)))
        bought = [code for code in sorted(basket) if record.on_hand(store.code, code) > 0]
        if not bought:
            continue
        reservation, _ = inventory_service.reserve(
            session=ctx.session,
            scope=SYSTEM,
            purpose=Purpose.POS,
            reference_id=f"DEMO-{store.code}-{number:04d}",
            lines=[Line(store.id, record.skus[code].id, 1) for code in bought],
        )
        inventory_service.commit_reservation(
            session=ctx.session, scope=SYSTEM, reservation_id=reservation.id
        )
        for code in bought:
            key = (store.code, code)
            record.sold[key] = record.sold.get(key, 0) + 1


def open_cloud_stores(ctx: StepContext, brand: BrandRecord) -> None:
    """The sourcing policy and the brand's featured SKUs."""
    settings = SOURCING.get(brand.code, CloudStoreSettingsWrite())
    cloudstore_service.put_settings(
        session=ctx.session, scope=SYSTEM, brand_id=brand.id, data=settings
    )
    record = brand.catalog
    warehouse = next(store for store in brand.stores if store.type == "warehouse")
    firsts: dict[str, SkuRecord] = {}
    for sku in record.skus.values():
        if record.on_hand(warehouse.code, sku.code) > 0:
            firsts.setdefault(sku.product_code, sku)
    featured = ctx.rng.sample(list(firsts.values()), min(FEATURED, len(firsts)))
    cloudstore_service.set_featured(
        session=ctx.session, scope=SYSTEM, brand_id=brand.id, sku_ids=[s.id for s in featured]
    )
    record.featured = [sku.code for sku in featured]
