"""Distances on the WGS84 ellipsoid, the bounding box and the lazy nearest-first ranking."""

import math
import random

import pytest
from geographiclib.geodesic import Geodesic
from hypothesis import given
from hypothesis import strategies as st

from newretail.org import geo

PEOPLES_SQUARE = (31.2304, 121.4737)
PUDONG_AIRPORT = (31.1443, 121.8083)

lats = st.floats(min_value=-89.9, max_value=89.9, allow_nan=False)
lngs = st.floats(min_value=-180, max_value=180, allow_nan=False)
radii = st.floats(min_value=0.01, max_value=geo.MAX_RADIUS_KM)
bearings = st.floats(min_value=0, max_value=360)


def vincenty_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Vincenty's inverse formula on WGS84 (1975): an independent check, good to 0.5 mm."""
    a, f = 6378137.0, 1 / 298.257223563
    b = (1 - f) * a
    u1, u2 = (math.atan((1 - f) * math.tan(math.radians(x))) for x in (lat1, lat2))
    lng = math.radians(lng2 - lng1)
    lam = lng
    for _ in range(200):
        sin_sigma = math.hypot(
            math.cos(u2) * math.sin(lam),
            math.cos(u1) * math.sin(u2) - math.sin(u1) * math.cos(u2) * math.cos(lam),
        )
        cos_sigma = math.sin(u1) * math.sin(u2) + math.cos(u1) * math.cos(u2) * math.cos(lam)
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = math.cos(u1) * math.cos(u2) * math.sin(lam) / sin_sigma
        cos2_alpha = 1 - sin_alpha**2
        cos_2sm = cos_sigma - 2 * math.sin(u1) * math.sin(u2) / cos2_alpha
        c = f / 16 * cos2_alpha * (4 + f * (4 - 3 * cos2_alpha))
        previous = lam
        lam = lng + (1 - c) * f * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm**2))
        )
        if abs(lam - previous) < 1e-13:
            break
    k = cos2_alpha * (a * a - b * b) / (b * b)
    big_a = 1 + k / 16384 * (4096 + k * (-768 + k * (320 - 175 * k)))
    big_b = k / 1024 * (256 + k * (-128 + k * (74 - 47 * k)))
    delta = (
        big_b
        * sin_sigma
        * (
            cos_2sm
            + big_b
            / 4
            * (
                cos_sigma * (-1 + 2 * cos_2sm**2)
                - big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sm**2)
            )
        )
    )
    return b * big_a * (sigma - delta) / 1000


def test_peoples_square_to_pudong_airport_is_the_ellipsoidal_distance() -> None:
    distance = geo.geodesic_km(*PEOPLES_SQUARE, *PUDONG_AIRPORT)
    assert distance == pytest.approx(33.291082, abs=1e-6)
    assert distance == pytest.approx(vincenty_km(*PEOPLES_SQUARE, *PUDONG_AIRPORT), abs=1e-6)


def test_the_published_wellington_to_salamanca_distance_is_matched() -> None:
    # GeographicLib's documented example: 19959679.267 m.
    assert geo.geodesic_km(-41.32, 174.81, 40.96, -5.50) == pytest.approx(19959.679267, abs=1e-6)


def test_the_sphere_is_off_by_metres_across_shanghai() -> None:
    rough = geo.rough_km(*PEOPLES_SQUARE, *PUDONG_AIRPORT)
    exact = geo.geodesic_km(*PEOPLES_SQUARE, *PUDONG_AIRPORT)
    assert abs(rough - exact) > 0.01


@given(lats, lngs, bearings, st.floats(min_value=0.001, max_value=19000))
def test_the_rough_distance_stays_within_its_tolerance(
    lat: float, lng: float, bearing: float, km: float
) -> None:
    there = Geodesic.WGS84.Direct(lat, lng, bearing, km * 1000)
    rough = geo.rough_km(lat, lng, there["lat2"], there["lon2"])
    assert km / (1 + geo.ROUGH_TOLERANCE) <= rough <= km * (1 + geo.ROUGH_TOLERANCE)


@given(lats, lngs, radii, bearings, st.floats(0, 1))
def test_the_bounding_box_holds_every_point_within_the_radius(
    lat: float, lng: float, radius: float, bearing: float, share: float
) -> None:
    there = Geodesic.WGS84.Direct(lat, lng, bearing, radius * share * 1000)
    assert geo.bounding_box(lat, lng, radius).contains(there["lat2"], there["lon2"])


def test_a_box_across_the_antimeridian_has_two_longitude_ranges() -> None:
    box = geo.bounding_box(-17.7, 179.99, 10)
    assert len(box.lng_ranges) == 2
    assert box.contains(-17.7, -179.99)


def test_a_box_holding_a_pole_spans_every_longitude() -> None:
    assert geo.bounding_box(89.99, 10.0, 5).lng_ranges == ((-180.0, 180.0),)


points = st.lists(
    st.tuples(st.floats(30.5, 32.0), st.floats(120.8, 122.2)), min_size=0, max_size=40
)


@given(st.floats(30.5, 32.0), st.floats(120.8, 122.2), radii, points)
def test_nearest_first_is_the_geodesic_order_within_the_radius(
    lat: float, lng: float, radius: float, coords: list[tuple[float, float]]
) -> None:
    pts = [geo.Point(n, p_lat, p_lng) for n, (p_lat, p_lng) in enumerate(coords)]
    found = [(d, p.id) for d, p in geo.nearest_first(lat, lng, pts, radius)]
    measured = [(geo.geodesic_km(lat, lng, p.lat, p.lng), p.id) for p in pts]
    assert found == sorted(pair for pair in measured if pair[0] <= radius)


def test_equally_far_points_come_lowest_id_first() -> None:
    pts = [geo.Point(9, 31.24, 121.4737), geo.Point(4, 31.24, 121.4737)]
    assert [p.id for _, p in geo.nearest_first(*PEOPLES_SQUARE, pts)] == [4, 9]


def test_taking_the_nearest_few_computes_few_geodesics(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    pts = [
        geo.Point(n, 31.2 + rng.uniform(0, 0.3), 121.4 + rng.uniform(0, 0.3)) for n in range(500)
    ]
    computed: list[int] = []
    exact = geo.geodesic_km

    def counted(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
        computed.append(1)
        return exact(lat1, lng1, lat2, lng2)

    monkeypatch.setattr(geo, "geodesic_km", counted)
    ranked = geo.nearest_first(*PEOPLES_SQUARE, pts)
    first = [next(ranked) for _ in range(5)]
    assert len(first) == 5
    assert len(computed) < 50


def test_known_distances_are_not_computed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    pts = [geo.Point(1, 31.24, 121.48), geo.Point(2, 31.25, 121.49)]
    known: dict[int, float] = {}
    list(geo.nearest_first(*PEOPLES_SQUARE, pts, known=known))
    monkeypatch.setattr(geo, "geodesic_km", lambda *_: pytest.fail("computed again"))
    assert [p.id for _, p in geo.nearest_first(*PEOPLES_SQUARE, pts, known=known)] == [1, 2]


@pytest.mark.parametrize(
    ("lat", "lng"), [(91.0, 0.0), (0.0, -180.5), (math.nan, 0.0), (0.0, math.inf)]
)
def test_points_off_the_earth_are_refused(lat: float, lng: float) -> None:
    assert geo.coordinates_problem(lat, lng) is not None


@pytest.mark.parametrize("radius", [0.0, -1.0, geo.MAX_RADIUS_KM + 0.1, math.nan])
def test_radii_out_of_range_are_refused(radius: float) -> None:
    assert geo.radius_problem(radius) is not None


def test_a_radius_at_the_maximum_is_accepted() -> None:
    assert geo.radius_problem(geo.MAX_RADIUS_KM) is None
