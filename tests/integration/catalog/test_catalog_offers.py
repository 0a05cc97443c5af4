from dataclasses import dataclass
from typing import Any

import pytest
from tests import builders
from tests.statements import count_statements

from newretail.catalog import errors
from newretail.catalog import service as catalog_service
from newretail.catalog.models import Sku
from newretail.catalog.schemas import OfferCreate, OfferUpdate
from newretail.db import Database
from newretail.kernel.errors import PermissionDenied
from newretail.kernel.money import CurrencyMismatch
from newretail.kernel.scope import SYSTEM, Role, Scope
from newretail.org.errors import RegionNotFound, StoreNotFound
from newretail.org.models import Brand, Region, Store


@dataclass
class World:
    """A brand with HQ → east and west areas → a store each (no staff: they are slow to make)."""

    brand: Brand
    hq: Region
    east: Region
    west: Region
    east_store: Store
    west_store: Store


def world(database: Database) -> World:
    with database.transaction() as session:
        brand = builders.brand(session)
        hq = builders.region(session, brand.id, kind="hq")
        east = builders.region(session, brand.id, parent_id=hq.id)
        west = builders.region(session, brand.id, parent_id=hq.id)
        stores = [builders.store(session, brand.id, region.id) for region in (east, west)]
        session.expunge_all()
    return World(brand, hq, east, west, *stores)


@dataclass
class Shop:
    world: World
    skus: list[Sku]

    def scope(self, role: Role, **fields: Any) -> Scope:
        return Scope(
            actor_type="staff",
            actor_id=1,
            roles=frozenset({role}),
            brand_id=self.world.brand.id,
            **fields,
        )


def shop(database: Database, skus: int = 3) -> Shop:
    w = world(database)
    with database.transaction() as session:
        product = builders.product(session, w.brand.id, title="Linen shirt")
        created = [builders.sku(session, w.brand.id, product.id) for _ in range(skus)]
        session.expunge_all()
    return Shop(w, created)


def offer(database: Database, scope: Scope = SYSTEM, **fields: Any) -> int:
    with database.transaction() as session:
        created = catalog_service.create_offer(
            session=session, scope=scope, data=OfferCreate.model_validate(fields)
        )
        return created.id


def resolve(database: Database, s: Shop, store_id: int, channel: str) -> dict[int, Any]:
    with database.transaction(read_only=True) as session:
        return catalog_service.resolve_offers(
            session=session,
            brand_id=s.world.brand.id,
            store_id=store_id,
            channel=channel,
            sku_ids=[sku.id for sku in s.skus],
        )


def test_the_most_specific_offer_sets_the_price_and_says_where_it_came_from(
    database: Database,
) -> None:
    s = shop(database)
    sku, w = s.skus[0].id, s.world
    offer(database, sku_id=sku, price=39900, compare_at_price=49900)
    offer(database, sku_id=sku, channel="pos", price=35900)
    offer(database, sku_id=sku, region_id=w.hq.id, price=34900, title="HQ title")
    offer(database, sku_id=sku, region_id=w.east.id, price=32900)
    store_offer = offer(database, sku_id=sku, store_id=w.east_store.id, price=29900)
    pos_offer = offer(
        database, sku_id=sku, store_id=w.east_store.id, channel="pos", available=False
    )
    resolved = resolve(database, s, w.east_store.id, "pos")[sku]
    assert resolved.price == 29900
    assert resolved.fields["price"].source.level == "store"
    assert resolved.fields["price"].source.offer_id == store_offer
    assert resolved.fields["available"].source.offer_id == pos_offer
    assert resolved.value("title") == "HQ title"
    assert resolved.fields["title"].source.region_id == w.hq.id
    assert not resolved.sellable
    west = resolve(database, s, w.west_store.id, "online")[sku]
    assert (west.price, west.fields["price"].source.level) == (34900, "region")
    assert west.value("compare_at_price") == 49900


def test_a_sku_without_offers_shows_the_product_content_and_no_price(database: Database) -> None:
    s = shop(database)
    resolved = resolve(database, s, s.world.east_store.id, "cloud_store")[s.skus[1].id]
    assert resolved.value("title") == "Linen shirt"
    assert resolved.fields["title"].source.level == "product"
    assert resolved.price is None
    assert not resolved.sellable


def test_resolving_for_another_brands_store_is_not_found(database: Database) -> None:
    s = shop(database)
    other = world(database)
    with database.transaction(read_only=True) as session, pytest.raises(StoreNotFound):
        catalog_service.resolve_offers(
            session=session,
            brand_id=s.world.brand.id,
            store_id=other.west_store.id,
            channel="pos",
            sku_ids=[s.skus[0].id],
        )


def test_a_price_in_another_currency_is_refused(database: Database) -> None:
    s = shop(database)
    with pytest.raises(CurrencyMismatch) as refused:
        offer(database, sku_id=s.skus[0].id, price=100, currency="USD")
    assert refused.value.code == "currency_mismatch"
    priced = offer(database, sku_id=s.skus[0].id, price=100, currency="CNY")
    with database.transaction(read_only=True) as session:
        assert (
            catalog_service.get_offer(session=session, scope=SYSTEM, offer_id=priced).currency
            == "CNY"
        )


def test_a_compare_at_price_below_the_price_is_refused(database: Database) -> None:
    s = shop(database)
    with pytest.raises(errors.InvalidPrice):
        offer(database, sku_id=s.skus[0].id, price=200, compare_at_price=100)
    created = offer(database, sku_id=s.skus[0].id, price=200)
    with database.transaction() as session, pytest.raises(errors.InvalidPrice):
        catalog_service.update_offer(
            session=session, scope=SYSTEM, offer_id=created, data=OfferUpdate(compare_at_price=150)
        )


def test_an_offer_for_a_store_of_another_brand_is_not_found(database: Database) -> None:
    s = shop(database)
    other = world(database)
    admin = s.scope(Role.BRAND_ADMIN)
    with pytest.raises(StoreNotFound):
        offer(database, admin, sku_id=s.skus[0].id, store_id=other.east_store.id, price=1)
    with pytest.raises(StoreNotFound):
        offer(database, SYSTEM, sku_id=s.skus[0].id, store_id=other.east_store.id, price=1)
    with pytest.raises(RegionNotFound):
        offer(database, SYSTEM, sku_id=s.skus[0].id, region_id=other.east.id, price=1)


def test_one_offer_per_scope(database: Database) -> None:
    s = shop(database)
    offer(database, sku_id=s.skus[0].id, store_id=s.world.east_store.id, price=1)
    with pytest.raises(errors.OfferScopeTaken):
        offer(database, sku_id=s.skus[0].id, store_id=s.world.east_store.id, price=2)
    offer(database, sku_id=s.skus[0].id, store_id=s.world.east_store.id, channel="pos", price=2)


def test_managers_write_offers_only_at_their_own_level_and_place(database: Database) -> None:
    s = shop(database)
    w, sku = s.world, s.skus[0].id
    east = s.scope(
        Role.REGION_MANAGER,
        region_ids=frozenset({w.east.id}),
        store_ids=frozenset({w.east_store.id}),
    )
    store = s.scope(
        Role.STORE_MANAGER,
        region_ids=frozenset({w.east.id}),
        store_ids=frozenset({w.east_store.id}),
    )
    offer(database, east, sku_id=sku, region_id=w.east.id, price=100)
    offer(database, east, sku_id=sku, store_id=w.east_store.id, price=90)
    offer(database, store, sku_id=sku, store_id=w.east_store.id, channel="pos", price=80)
    with pytest.raises(RegionNotFound):
        offer(database, east, sku_id=sku, region_id=w.west.id, price=100)
    with pytest.raises(StoreNotFound):
        offer(database, store, sku_id=sku, store_id=w.west_store.id, price=100)
    with pytest.raises(PermissionDenied):
        offer(database, store, sku_id=sku, region_id=w.east.id, price=100)
    with pytest.raises(PermissionDenied):
        offer(database, east, sku_id=sku, channel="pos", price=100)


def test_a_store_manager_lists_brand_offers_and_their_own_but_not_other_stores(
    database: Database,
) -> None:
    s = shop(database)
    w, sku = s.world, s.skus[0].id
    brand_level = offer(database, sku_id=sku, price=100)
    own = offer(database, sku_id=sku, store_id=w.east_store.id, price=90)
    offer(database, sku_id=sku, store_id=w.west_store.id, price=80)
    store = s.scope(
        Role.STORE_MANAGER,
        region_ids=frozenset({w.east.id}),
        store_ids=frozenset({w.east_store.id}),
    )
    with database.transaction(read_only=True) as session:
        items, _ = catalog_service.list_offers(session=session, scope=store, cursor=None, limit=50)
        assert [o.id for o in items] == [brand_level, own]


def test_an_unset_field_falls_through_to_the_next_level(database: Database) -> None:
    s = shop(database)
    sku, w = s.skus[0].id, s.world
    offer(database, sku_id=sku, price=100)
    store_offer = offer(database, sku_id=sku, store_id=w.east_store.id, price=90, title="Here")
    with database.transaction() as session:
        catalog_service.update_offer(
            session=session, scope=SYSTEM, offer_id=store_offer, data=OfferUpdate(price=None)
        )
    resolved = resolve(database, s, w.east_store.id, "pos")[sku]
    assert (resolved.price, resolved.fields["price"].source.level) == (100, "brand")
    assert resolved.value("title") == "Here"


def catalog_page(database: Database, s: Shop, limit: int) -> list[Any]:
    with database.transaction(read_only=True) as session:
        entries, _ = catalog_service.store_catalog(
            session=session,
            scope=SYSTEM,
            store_id=s.world.east_store.id,
            channel="pos",
            cursor=None,
            limit=limit,
        )
        return entries


def test_a_catalog_page_costs_the_same_queries_whatever_its_size(database: Database) -> None:
    s = shop(database, skus=12)
    for sku in s.skus:
        offer(database, sku_id=sku.id, price=100)
        offer(database, sku_id=sku.id, region_id=s.world.east.id, title="East")
        offer(database, sku_id=sku.id, store_id=s.world.east_store.id, channel="pos", price=90)
    with count_statements(database) as small:
        assert len(catalog_page(database, s, 2)) == 2
    with count_statements(database) as large:
        page = catalog_page(database, s, 12)
    assert len(page) == 12
    assert len(large) == len(small) <= 8
    assert {e.resolved.price for e in page} == {90}
    assert {e.resolved.value("title") for e in page} == {"East"}
