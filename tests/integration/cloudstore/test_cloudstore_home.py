from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import exc as sa_exc
from tests import builders
from tests.integration.cloudstore.cloudworld import (
    ALL_DAY,
    add_store,
    cloud_world,
    receive,
    sell,
)

from newretail.cloudstore import errors, home, service
from newretail.cloudstore.models import StoreActivity
from newretail.cloudstore.schemas import ActivityCreate, CloudStoreSettingsWrite
from newretail.db import Database, DatabaseUnavailable, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.org import service as org_service
from newretail.org.schemas import StoreUpdate

SHOP_HOURS = {day: [["10:00", "22:00"]] for day in ALL_DAY}
# Monday 11:00 in Shanghai is Sunday 22:00 in New York and Monday 03:00 in London.
MONDAY_3AM_UTC = datetime(2025, 6, 2, 3, 0, tzinfo=UTC)


def home_page(database: Database, code: str, **options: Any) -> service.Home:
    """The page read afresh, in one read-only session."""
    with database.transaction(read_only=True) as session:
        return service.home(session=session, code=code, **options)


def test_the_home_page_has_every_section(database: Database) -> None:
    world = cloud_world(database)
    page = home_page(database, world.code)
    assert list(page.sections) == [
        "store",
        "guides",
        "activities",
        "best_sellers",
        "featured",
        "member",
    ]
    assert page.sections["store"]["code"] == world.code
    assert page.sections["member"] is None


@pytest.mark.parametrize(
    ("timezone", "open_now"),
    [("Asia/Shanghai", True), ("America/New_York", False), ("Europe/London", False)],
)
def test_open_now_is_judged_in_the_stores_own_timezone(
    database: Database, timezone: str, open_now: bool
) -> None:
    world = cloud_world(database, timezone=timezone, opening_hours=SHOP_HOURS)
    page = home_page(database, world.code, now=MONDAY_3AM_UTC)
    card = page.sections["store"]
    assert card["open_now"] is open_now
    assert card["timezone"] == timezone


def test_todays_hours_follow_the_local_day(database: Database) -> None:
    hours = {"mon": [["10:00", "22:00"]], "sun": [["12:00", "18:00"]]}
    world = cloud_world(database, timezone="America/New_York", opening_hours=hours)
    page = home_page(database, world.code, now=MONDAY_3AM_UTC)
    assert page.sections["store"]["today_hours"] == [["12:00", "18:00"]]


def test_the_same_store_code_in_two_brands_opens_two_cloud_stores(database: Database) -> None:
    first = cloud_world(database, code="FLAGSHIP")
    second = cloud_world(database, code="FLAGSHIP")
    with database.transaction(read_only=True) as session:
        one = service.get_cloud_store(session=session, code=first.code)
        two = service.get_cloud_store(session=session, code=second.code)
    assert (one.id, two.id) == (first.store_id, second.store_id)


def test_warehouses_have_no_cloud_store(database: Database) -> None:
    world = cloud_world(database)
    _, code = add_store(database, world, type="warehouse")
    with database.transaction(read_only=True) as session, pytest.raises(errors.CloudStoreNotFound):
        service.get_cloud_store(session=session, code=code)


def test_closed_stores_have_no_cloud_store(database: Database) -> None:
    world = cloud_world(database)
    with database.transaction() as session:
        org_service.update_store(
            session=session,
            scope=SYSTEM,
            store_id=world.store_id,
            data=StoreUpdate(status="closed"),
        )
    with pytest.raises(errors.CloudStoreNotFound):
        home_page(database, world.code)


def test_stores_of_a_deleted_brand_have_no_cloud_store(database: Database) -> None:
    world = cloud_world(database)
    with database.transaction() as session:
        org_service.delete_brand(session=session, scope=SYSTEM, brand_id=world.brand_id)
    with pytest.raises(errors.CloudStoreNotFound):
        home_page(database, world.code)


@pytest.mark.parametrize("code", ["NOPE.S1", "no-dot", "A.B.C"])
def test_unknown_codes_have_no_cloud_store(database: Database, code: str) -> None:
    with pytest.raises(errors.CloudStoreNotFound):
        home_page(database, code)


def test_guides_on_duty_are_the_active_guides_of_this_store(database: Database) -> None:
    world = cloud_world(database)
    other_id, _ = add_store(database, world)
    with database.transaction() as session:
        here = builders.staff(
            session, world.brand_id, [{"role": "guide", "store_id": world.store_id}]
        )
        gone = builders.staff(
            session, world.brand_id, [{"role": "guide", "store_id": world.store_id}]
        )
        builders.staff(session, world.brand_id, [{"role": "guide", "store_id": other_id}])
        builders.staff(session, world.brand_id, [{"role": "cashier", "store_id": world.store_id}])
        gone.is_active = False
    guides = home_page(database, world.code).sections["guides"]
    assert guides == [{"id": here.id, "display_name": here.display_name}]


def test_current_activities_include_brand_wide_ones_and_skip_other_times(
    database: Database,
) -> None:
    world = cloud_world(database)
    other_id, _ = add_store(database, world)
    now = utcnow()
    windows = {
        "on here": (world.store_id, now - timedelta(hours=1), now + timedelta(hours=1)),
        "on everywhere": (None, now - timedelta(days=1), now + timedelta(days=2)),
        "over": (world.store_id, now - timedelta(days=2), now - timedelta(days=1)),
        "later": (world.store_id, now + timedelta(days=1), now + timedelta(days=2)),
        "elsewhere": (other_id, now - timedelta(hours=1), now + timedelta(hours=1)),
    }
    with database.transaction() as session:
        for title, (store_id, starts, ends) in windows.items():
            data = ActivityCreate(
                brand_id=world.brand_id,
                store_id=store_id,
                title=title,
                starts_at=starts,
                ends_at=ends,
            )
            service.create_activity(session=session, scope=SYSTEM, data=data)
    activities = home_page(database, world.code).sections["activities"]
    assert [(a["title"], a["store_wide"]) for a in activities] == [
        ("on here", False),
        ("on everywhere", True),
    ]


def test_best_sellers_rank_by_units_sold_here_with_stock_here(database: Database) -> None:
    world = cloud_world(database, skus=3)
    first, second, third = world.sku_ids
    other_id, _ = add_store(database, world)
    for sku_id in world.sku_ids:
        receive(database, world.store_id, sku_id, 20)
        receive(database, other_id, sku_id, 20)
    sell(database, world.store_id, second, 5, "o1")
    sell(database, world.store_id, first, 2, "o2")
    sell(database, world.store_id, second, 1, "o3")
    sell(database, other_id, third, 9, "o4")
    cards = home_page(database, world.code).sections["best_sellers"]
    assert [(c["sku_id"], c["sold_30d"], c["stock_here"]) for c in cards] == [
        (second, 6, 14),
        (first, 2, 18),
    ]
    assert cards[0]["price"] == 2000
    assert cards[0]["price_source"] == "brand"
    assert cards[0]["fulfilment"]["kind"] == "here"


def test_best_sellers_leave_out_skus_the_cloud_store_cannot_sell(database: Database) -> None:
    world = cloud_world(database, skus=1)
    with database.transaction() as session:
        unpriced = builders.sku(session, world.brand_id, world.product_id).id
    for sku_id in (world.sku_ids[0], unpriced):
        receive(database, world.store_id, sku_id, 5)
        sell(database, world.store_id, sku_id, 1, f"o{sku_id}")
    cards = home_page(database, world.code).sections["best_sellers"]
    assert [c["sku_id"] for c in cards] == [world.sku_ids[0]]


def test_a_stores_featured_list_replaces_the_brands(database: Database) -> None:
    world = cloud_world(database, skus=3)
    other_id, other_code = add_store(database, world)
    with database.transaction() as session:
        service.set_featured(
            session=session, scope=SYSTEM, brand_id=world.brand_id, sku_ids=world.sku_ids[:2]
        )
        service.set_featured(
            session=session, scope=SYSTEM, store_id=other_id, sku_ids=[world.sku_ids[2]]
        )
    here = home_page(database, world.code).sections["featured"]
    there = home_page(database, other_code).sections["featured"]
    assert [c["sku_id"] for c in here] == world.sku_ids[:2]
    assert [c["sku_id"] for c in there] == [world.sku_ids[2]]


# ---- where a product comes from ---------------------------------------------------------


def _source(database: Database, code: str, sku_id: int) -> dict[str, Any]:
    with database.transaction() as session:
        store = service.get_cloud_store(session=session, code=code)
        policy = service.policy_for(session=session, brand_id=store.brand_id)
        here, sources = service.fulfilment(
            session=session, store=store, policy=policy, sku_ids=[sku_id]
        )
    source = sources[sku_id]
    return {"kind": source.kind.value, "location": source.location_id, "here": here[sku_id]}


def _policy(database: Database, brand_id: int, **fields: Any) -> None:
    with database.transaction() as session:
        data = CloudStoreSettingsWrite.model_validate(fields)
        service.put_settings(session=session, scope=SYSTEM, brand_id=brand_id, data=data)


def test_by_default_a_cloud_store_sells_only_its_own_stock(database: Database) -> None:
    world = cloud_world(database, skus=1)
    sku_id = world.sku_ids[0]
    near_id, _ = add_store(database, world, lat=31.2310, lng=121.4740)
    receive(database, near_id, sku_id, 3)
    assert _source(database, world.code, sku_id) == {"kind": "none", "location": None, "here": 0}


def test_nearby_sourcing_takes_the_closest_store_with_stock(database: Database) -> None:
    world = cloud_world(database, skus=1)
    sku_id = world.sku_ids[0]
    add_store(database, world, lat=31.2320, lng=121.4737)  # ~0.2 km, no stock
    near_id, _ = add_store(database, world, lat=31.2400, lng=121.4737)  # ~1 km
    far_id, _ = add_store(database, world, lat=31.2600, lng=121.4737)  # ~3.3 km
    beyond_id, _ = add_store(database, world, lat=31.3304, lng=121.4737)  # ~11 km
    for location_id in (near_id, far_id, beyond_id):
        receive(database, location_id, sku_id, 2)
    _policy(database, world.brand_id, store_sourcing="nearby", nearby_radius_km=5)
    assert _source(database, world.code, sku_id)["location"] == near_id
    receive(database, world.store_id, sku_id, 1)
    assert _source(database, world.code, sku_id) == {"kind": "here", "location": None, "here": 1}


def test_stores_beyond_the_nearby_radius_do_not_supply(database: Database) -> None:
    world = cloud_world(database, skus=1)
    sku_id = world.sku_ids[0]
    beyond_id, _ = add_store(database, world, lat=31.3304, lng=121.4737)  # ~11 km
    receive(database, beyond_id, sku_id, 2)
    _policy(database, world.brand_id, store_sourcing="nearby", nearby_radius_km=5)
    assert _source(database, world.code, sku_id)["kind"] == "none"
    _policy(database, world.brand_id, store_sourcing="any")
    assert _source(database, world.code, sku_id) == {
        "kind": "nearby_store",
        "location": beyond_id,
        "here": 0,
    }


def test_warehouse_stock_is_sold_only_when_the_brand_allows_it(database: Database) -> None:
    world = cloud_world(database, skus=1)
    sku_id = world.sku_ids[0]
    warehouse_id, _ = add_store(database, world, type="warehouse", lat=31.0, lng=121.0)
    receive(database, warehouse_id, sku_id, 100)
    _policy(database, world.brand_id, store_sourcing="any")
    assert _source(database, world.code, sku_id)["kind"] == "none"
    _policy(database, world.brand_id, warehouse_sourcing=True)
    assert _source(database, world.code, sku_id) == {
        "kind": "warehouse",
        "location": warehouse_id,
        "here": 0,
    }


def test_activities_are_stored_with_their_window(database: Database) -> None:
    world = cloud_world(database)
    now = utcnow()
    with database.transaction() as session:
        data = ActivityCreate(
            store_id=world.store_id,
            title="Sample day",
            starts_at=now,
            ends_at=now + timedelta(days=1),
        )
        created = service.create_activity(session=session, scope=SYSTEM, data=data)
    with database.transaction(read_only=True) as session:
        stored = session.get(StoreActivity, created.id)
        assert stored is not None
        assert (stored.brand_id, stored.ends_at - stored.starts_at) == (
            world.brand_id,
            timedelta(days=1),
        )


def test_a_priced_sku_of_another_brand_cannot_be_featured(database: Database) -> None:
    world = cloud_world(database)
    other = cloud_world(database)
    with database.transaction() as session, pytest.raises(errors.SkuNotFound):
        service.set_featured(
            session=session, scope=SYSTEM, brand_id=world.brand_id, sku_ids=other.sku_ids[:1]
        )


@pytest.mark.parametrize(
    "error",
    [sa_exc.TimeoutError("QueuePool limit reached"), DatabaseUnavailable("connect failed")],
    ids=["pool-timeout", "unreachable"],
)
def test_no_connection_to_be_had_fails_the_page_instead_of_emptying_a_section(
    database: Database, error: Exception
) -> None:
    world = cloud_world(database)

    def failing(_session: Any, _context: Any) -> Any:
        raise error

    sections = home.Registry[home.Reader]()
    sections.add("failing", failing)
    with database.transaction(read_only=True) as session, pytest.raises(type(error)):
        home.read_shared(session=session, code=world.code, now=utcnow(), extra=sections)
