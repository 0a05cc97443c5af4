"""The demo catalog: what the catalog step planted, read back through the services."""

from collections import Counter

from sqlalchemy import func, select

from newretail.catalog import service as catalog_service
from newretail.catalog.models import Category, Product, Sku
from newretail.cloudstore import service as cloudstore_service
from newretail.db import Database, utcnow
from newretail.inventory import service as inventory_service
from newretail.inventory.models import StockLevel
from newretail.kernel.scope import SYSTEM
from newretail.promotions import service as promotions_service
from newretail.promotions.packages import service as packages_service
from newretail.simulate import catalog
from newretail.simulate.world import World


def _ean13_valid(code: str) -> bool:
    return len(code) == 13 and catalog.ean13(code[:7], int(code[7:12])) == code


def test_each_brand_has_a_category_tree_and_a_few_hundred_skus(
    world: World, world_database: Database
) -> None:
    with world_database.transaction(read_only=True) as session:
        for brand in world.brands.values():
            record = brand.catalog
            skus = session.scalars(select(Sku).where(Sku.brand_id == brand.id)).all()
            parents = session.scalars(
                select(Category.parent_id).where(Category.brand_id == brand.id)
            ).all()
            products = session.scalar(
                select(func.count()).select_from(Product).where(Product.brand_id == brand.id)
            )

            assert len(skus) == len(record.skus) >= 150
            assert products == len(record.products)
            assert None in parents and len({p for p in parents if p}) >= 3
            assert all(_ean13_valid(sku.barcode or "") for sku in skus)
            assert all(sku.attributes for sku in skus)


def test_planted_offers_resolve_to_their_price_title_and_level(
    world: World, world_database: Database
) -> None:
    levels: Counter[str] = Counter()
    with world_database.transaction(read_only=True) as session:
        for brand in world.brands.values():
            record = brand.catalog
            for planted in record.offers:
                sku = record.skus[planted.sku_code]
                resolved = catalog_service.resolve_offers(
                    session=session,
                    brand_id=brand.id,
                    store_id=brand.store(planted.store_code).id,
                    channel=planted.channel,
                    sku_ids=[sku.id],
                )[sku.id]
                decided_by = "available" if not planted.available else "price"
                source = resolved.fields[decided_by].source

                assert resolved.price == planted.price
                assert resolved.available is planted.available
                assert source is not None and source.level.value == planted.level
                assert planted.title is None or resolved.value("title") == planted.title
                levels[planted.level] += 1

    assert set(levels) == {"channel", "region", "store", "store_channel"}


def test_every_location_holds_what_it_received_less_what_it_sold(
    world: World, world_database: Database
) -> None:
    with world_database.transaction(read_only=True) as session:
        for brand in world.brands.values():
            record = brand.catalog
            levels = session.scalars(select(StockLevel).where(StockLevel.brand_id == brand.id))
            by_id = {store.id: store.code for store in brand.stores}
            skus = {sku.id: code for code, sku in record.skus.items()}
            found = {(by_id[lv.location_id], skus[lv.sku_id]): lv.on_hand for lv in levels}
            expected = {key: record.on_hand(*key) for key in record.received}

            assert found == expected
            assert {store for store, _ in found} == set(by_id.values())
            assert sum(record.sold.values()) > 0
        assert inventory_service.journal_mismatches(session=session) == []


def test_the_flagship_cloud_store_shows_best_sellers_featured_and_its_promotions(
    world: World, world_database: Database
) -> None:
    brand = world.brands["YUEDONG"]
    flagship = brand.stores[0]

    with world_database.transaction(read_only=True) as session:
        home = cloudstore_service.home(session=session, code=f"{brand.code}.{flagship.code}")

    sold_here = {code for (store, code), n in brand.catalog.sold.items() if store == flagship.code}
    codes = {sku.id: code for code, sku in brand.catalog.skus.items()}
    best = home.sections["best_sellers"]
    assert best and {codes[card["sku_id"]] for card in best} <= sold_here
    assert len(home.sections["featured"]) >= 6
    with world_database.transaction(read_only=True) as session:
        running = [
            p.name
            for p in promotions_service.running(
                session=session,
                brand_id=brand.id,
                store_id=home.context.store.id,
                channel="cloud_store",
                now=utcnow(),
            )
        ]
        claimable = promotions_service.claimable(
            session=session,
            brand_id=brand.id,
            store_id=home.context.store.id,
            channel="cloud_store",
            now=utcnow(),
        )
    assert "夏日跑步节 · 跑鞋满 599 减 100" in running
    assert len(claimable) == 1


def test_each_shared_district_offers_a_published_package_of_its_brands_coupons(
    world: World, world_database: Database
) -> None:
    with world_database.transaction(read_only=True) as session:
        packages, _ = packages_service.list_packages(
            session=session, scope=SYSTEM, status=None, cursor=None, limit=50
        )
        found = [
            (
                p.district_id,
                p.status,
                {
                    c.brand_id
                    for c in packages_service.candidates_of(
                        session=session, scope=SYSTEM, package=p
                    )
                    if c.picked
                },
            )
            for p in packages
        ]
    brands = {brand.id for brand in world.brands.values()}
    shared = {store.district_code for brand in world.brands.values() for store in brand.stores}
    assert sorted(d for d, _, _ in found) == sorted(world.districts[c] for c in shared if c)
    assert [(status, picked) for _, status, picked in found] == [("published", brands)] * len(found)
