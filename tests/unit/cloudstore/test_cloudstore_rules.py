import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newretail.cloudstore import rules
from newretail.cloudstore.rules import Candidate, SourceKind, StoreSourcing
from newretail.org.rules import EARTH_RADIUS_KM, haversine_km

codes = st.from_regex(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$", fullmatch=True)
lats = st.floats(min_value=-90, max_value=90, allow_nan=False)
lngs = st.floats(min_value=-180, max_value=180, allow_nan=False)
radii = st.floats(min_value=0.01, max_value=rules.MAX_RADIUS_KM)


def destination(lat: float, lng: float, bearing: float, km: float) -> tuple[float, float]:
    """The point ``km`` from (lat, lng) along ``bearing`` (radians) on the sphere."""
    d, p1, l1 = km / EARTH_RADIUS_KM, math.radians(lat), math.radians(lng)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))
    l2 = l1 + math.atan2(
        math.sin(bearing) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    lng2 = (math.degrees(l2) + 540) % 360 - 180
    return math.degrees(p2), lng2


@given(codes, codes)
def test_a_public_code_splits_back_into_brand_and_store_codes(brand: str, store: str) -> None:
    assert rules.split_public_code(rules.public_code(brand, store)) == (brand, store)


@pytest.mark.parametrize("code", ["ACME", ".S1", "ACME.", "A.B.C", ""])
def test_a_code_without_exactly_two_parts_is_no_public_code(code: str) -> None:
    assert rules.split_public_code(code) is None


@given(lats, lngs, radii, st.floats(min_value=0, max_value=2 * math.pi), st.floats(0, 1))
def test_the_bounding_box_holds_every_point_within_the_radius(
    lat: float, lng: float, radius: float, bearing: float, share: float
) -> None:
    point = destination(lat, lng, bearing, radius * share)
    assert rules.bounding_box(lat, lng, radius).contains(*point)


def test_a_box_across_the_antimeridian_has_two_longitude_ranges() -> None:
    box = rules.bounding_box(-17.7, 179.99, 10)
    assert len(box.lng_ranges) == 2
    assert box.contains(-17.7, -179.99)


def test_a_box_holding_a_pole_spans_every_longitude() -> None:
    assert rules.bounding_box(89.99, 10.0, 5).lng_ranges == ((-180.0, 180.0),)


points = st.lists(
    st.tuples(st.floats(30.5, 32.0), st.floats(120.8, 122.2)), min_size=0, max_size=40
)


@given(st.floats(30.5, 32.0), st.floats(120.8, 122.2), radii, points)
def test_within_radius_is_sorted_by_distance_and_misses_nothing(
    lat: float, lng: float, radius: float, coords: list[tuple[float, float]]
) -> None:
    pts = [rules.Point(n, p_lat, p_lng) for n, (p_lat, p_lng) in enumerate(coords)]
    found = rules.within_radius(lat, lng, radius, pts)
    distances = [distance for distance, _ in found]
    assert distances == sorted(distances)
    assert all(distance <= radius for distance in distances)
    brute = {p.id for p in pts if haversine_km(lat, lng, p.lat, p.lng) <= radius}
    assert {p.id for _, p in found} == brute


@pytest.mark.parametrize(
    ("lat", "lng"), [(91.0, 0.0), (0.0, -180.5), (math.nan, 0.0), (0.0, math.inf)]
)
def test_points_off_the_earth_are_refused(lat: float, lng: float) -> None:
    assert rules.coordinates_problem(lat, lng) is not None


@pytest.mark.parametrize("radius", [0.0, -1.0, rules.MAX_RADIUS_KM + 0.1, math.nan])
def test_radii_out_of_range_are_refused(radius: float) -> None:
    assert rules.radius_problem(radius) is not None


def test_a_radius_at_the_maximum_is_accepted() -> None:
    assert rules.radius_problem(rules.MAX_RADIUS_KM) is None


def candidate(id_: int, km: float, units: int, *, warehouse: bool = False) -> Candidate:
    return Candidate(id_, f"C{id_}", f"Location {id_}", warehouse, km, units)


def test_stock_here_wins_over_everything() -> None:
    source = rules.choose_source(2, [candidate(1, 0.1, 50)])
    assert (source.kind, source.available, source.location_id) == (SourceKind.HERE, 2, None)


def test_without_stock_here_the_closest_store_with_stock_supplies() -> None:
    options = [candidate(1, 0.5, 0), candidate(2, 3.0, 4), candidate(3, 1.2, 1)]
    source = rules.choose_source(0, options)
    assert (source.kind, source.location_id, source.distance_km) == (
        SourceKind.NEARBY_STORE,
        3,
        1.2,
    )


def test_a_store_is_preferred_to_a_closer_warehouse() -> None:
    options = [candidate(1, 0.2, 9, warehouse=True), candidate(2, 8.0, 1)]
    assert rules.choose_source(0, options).location_id == 2


def test_a_warehouse_supplies_when_no_store_can() -> None:
    options = [candidate(1, 30.0, 9, warehouse=True), candidate(2, 1.0, 0)]
    assert rules.choose_source(0, options).kind is SourceKind.WAREHOUSE


def test_equally_far_locations_go_to_the_lower_id() -> None:
    assert rules.choose_source(0, [candidate(7, 1.0, 1), candidate(3, 1.0, 1)]).location_id == 3


def test_nowhere_with_enough_units_means_sold_out() -> None:
    source = rules.choose_source(1, [candidate(1, 1.0, 1)], quantity=2)
    assert source.kind is SourceKind.NONE


@pytest.mark.parametrize(
    ("sourcing", "distance", "allowed"),
    [
        (StoreSourcing.NONE, 0.1, False),
        (StoreSourcing.NEARBY, 4.9, True),
        (StoreSourcing.NEARBY, 5.1, False),
        (StoreSourcing.ANY, 900.0, True),
    ],
)
def test_the_policy_says_which_stores_may_supply(
    sourcing: StoreSourcing, distance: float, allowed: bool
) -> None:
    assert rules.allows_store(sourcing, 5.0, distance) is allowed


def test_an_activity_is_current_from_its_start_until_just_before_its_end() -> None:
    start = datetime(2025, 5, 1, tzinfo=UTC)
    end = start + timedelta(days=1)
    assert rules.is_current(start, end, start)
    assert not rules.is_current(start, end, end)
    assert not rules.is_current(start, end, start - timedelta(seconds=1))


def test_todays_hours_are_those_of_the_local_weekday() -> None:
    hours = {"mon": [["10:00", "22:00"]], "sun": [["12:00", "18:00"]]}
    assert rules.hours_on(hours, datetime(2025, 6, 1, 23, 0)) == [["12:00", "18:00"]]
