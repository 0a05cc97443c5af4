"""Stores near a point: the bounding box, the geodesic ranking, the filters."""

import random
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.integration.cloudstore.cloudworld import (
    PEOPLES_SQUARE,
    CloudWorld,
    add_store,
    cloud_world,
    receive,
)

from newretail.cloudstore import errors as cloudstore_errors
from newretail.cloudstore import service as cloudstore_service
from newretail.db import Database
from newretail.org import errors
from newretail.org import service as org_service

LAT, LNG = PEOPLES_SQUARE
MONDAY_3AM_UTC = datetime(2025, 6, 2, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai


def _ids(database: Database, **query: object) -> list[int]:
    with database.transaction(read_only=True) as session:
        found = org_service.nearby_stores(session=session, **query)  # type: ignore[arg-type]
    return [n.store.id for n in found]


def _scattered(database: Database, count: int, seed: int) -> CloudWorld:
    """A brand with ``count`` more stores scattered up to ~25 km around People's Square."""
    world = cloud_world(database)
    rng = random.Random(seed)
    for _ in range(count):
        add_store(
            database, world, lat=LAT + rng.uniform(-0.22, 0.22), lng=LNG + rng.uniform(-0.26, 0.26)
        )
    return world


def test_stores_are_ranked_by_distance_and_cut_at_the_radius(database: Database) -> None:
    world = cloud_world(database)
    two_km, _ = add_store(database, world, lat=LAT + 0.018, lng=LNG)
    one_km, _ = add_store(database, world, lat=LAT - 0.009, lng=LNG)
    add_store(database, world, lat=LAT + 0.1, lng=LNG)  # ~11 km
    assert _ids(database, lat=LAT, lng=LNG, radius_km=5) == [world.store_id, one_km, two_km]


def test_distances_are_geodesics_on_the_ellipsoid(database: Database) -> None:
    world = cloud_world(database)
    airport_id, _ = add_store(database, world, lat=31.1443, lng=121.8083)
    with database.transaction(read_only=True) as session:
        found = org_service.nearby_stores(session=session, lat=LAT, lng=LNG, radius_km=40)
    assert [(n.store.id, n.distance_km) for n in found] == [
        (world.store_id, 0.0),
        (airport_id, 33.291),
    ]


def test_warehouses_and_closed_stores_are_not_near_anyone(database: Database) -> None:
    world = cloud_world(database)
    add_store(database, world, lat=LAT + 0.001, lng=LNG, type="warehouse")
    add_store(database, world, lat=LAT + 0.002, lng=LNG, status="closed")
    assert _ids(database, lat=LAT, lng=LNG, radius_km=5) == [world.store_id]


def test_open_now_keeps_stores_open_in_their_own_timezone(database: Database) -> None:
    world = cloud_world(database)
    shop_hours = {"mon": [["10:00", "22:00"]]}
    open_one, _ = add_store(database, world, lat=LAT + 0.001, lng=LNG, opening_hours=shop_hours)
    add_store(
        database,
        world,
        lat=LAT + 0.002,
        lng=LNG,
        opening_hours=shop_hours,
        timezone="America/New_York",
    )
    ids = _ids(database, lat=LAT, lng=LNG, radius_km=5, open_now=True, now=MONDAY_3AM_UTC)
    assert ids == [world.store_id, open_one]


def test_a_brand_filter_keeps_that_brands_stores(database: Database) -> None:
    world = cloud_world(database)
    cloud_world(database)
    assert _ids(database, lat=LAT, lng=LNG, radius_km=5, brand_code=world.brand_code) == [
        world.store_id
    ]


def test_a_sku_filter_keeps_stores_with_it_available(database: Database) -> None:
    world = cloud_world(database, skus=1)
    sku_id = world.sku_ids[0]
    stocked_id, _ = add_store(database, world, lat=LAT + 0.01, lng=LNG)
    add_store(database, world, lat=LAT + 0.005, lng=LNG)
    receive(database, stocked_id, sku_id, 4)
    with database.transaction(read_only=True) as session:
        found = cloudstore_service.nearby_stores(
            session=session,
            lat=LAT,
            lng=LNG,
            radius_km=5,
            brand_code=world.brand_code,
            sku_id=sku_id,
        )
    assert [(n.store.id, n.available) for n in found] == [(stocked_id, 4)]


def test_a_sku_filter_needs_the_brand(database: Database) -> None:
    with (
        database.transaction(read_only=True) as session,
        pytest.raises(cloudstore_errors.BrandRequired),
    ):
        cloudstore_service.nearby_stores(session=session, lat=LAT, lng=LNG, radius_km=5, sku_id=1)


@pytest.mark.parametrize(
    ("lat", "lng", "radius_km", "error"),
    [
        (95.0, 0.0, 5.0, errors.InvalidCoordinates),
        (0.0, float("nan"), 5.0, errors.InvalidCoordinates),
        (0.0, 0.0, 0.0, errors.InvalidRadius),
        (0.0, 0.0, 1000.0, errors.InvalidRadius),
    ],
)
def test_bad_queries_are_refused_with_a_code(
    database: Database, lat: float, lng: float, radius_km: float, error: type[Exception]
) -> None:
    with database.transaction(read_only=True) as session, pytest.raises(error):
        org_service.nearby_stores(session=session, lat=lat, lng=lng, radius_km=radius_km)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lat=st.floats(LAT - 0.25, LAT + 0.25),
    lng=st.floats(LNG - 0.3, LNG + 0.3),
    radius_km=st.floats(0.5, 30),
)
def test_nearby_is_sorted_within_radius_and_matches_brute_force(
    scattered: tuple[Database, CloudWorld], lat: float, lng: float, radius_km: float
) -> None:
    database, _ = scattered
    with database.transaction(read_only=True) as session:
        found = org_service.nearby_stores(
            session=session, lat=lat, lng=lng, radius_km=radius_km, limit=100
        )
        stores = org_service.nearby_stores(
            session=session, lat=LAT, lng=LNG, radius_km=100, limit=100
        )
    measured = sorted(
        (org_service.geodesic_km(lat, lng, s.store.lat, s.store.lng), s.store.id) for s in stores
    )
    brute = [(round(km, 3), store_id) for km, store_id in measured if km <= radius_km]
    assert [(n.distance_km, n.store.id) for n in found] == brute


@pytest.fixture
def scattered(database: Database) -> tuple[Database, CloudWorld]:
    return database, _scattered(database, 60, seed=7)
