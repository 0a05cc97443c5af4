"""Distances on the WGS84 ellipsoid, and finding the points nearest a place (pure).

Distances shown to people are ellipsoidal geodesics (GeographicLib, accurate to
nanometres). A geodesic costs about 0.1 ms in pure Python, so searches do not compute one
for every candidate: a bounding box in SQL first, then the great-circle distance on the
mean sphere (``rough_km``, a microsecond) which stays within ``ROUGH_TOLERANCE`` of the
geodesic, and the geodesic only where the rough distance cannot decide (the points shown,
and those near the radius or near a tie).
"""

import heapq
import math
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import cast

from geographiclib.geodesic import Geodesic

from newretail.org.rules import EARTH_RADIUS_KM, haversine_km

# rough_km / geodesic_km stays within [0.9955, 1.0057] on WGS84 (measured over the whole
# globe at every distance, see the unit tests); the tolerance keeps a margin around it.
ROUGH_TOLERANCE = 0.01
MAX_RADIUS_KM = 100.0
_WGS84 = Geodesic.WGS84


def geodesic_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The shortest distance over the WGS84 ellipsoid, in kilometres."""
    found = _WGS84.Inverse(lat1, lng1, lat2, lng2, Geodesic.DISTANCE)
    return cast(float, found["s12"]) / 1000.0


def rough_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance on the mean sphere (haversine): fast, within 1 % of the geodesic."""
    return haversine_km(lat1, lng1, lat2, lng2)


def _at_least(rough: float) -> float:
    """The least geodesic distance a point at ``rough`` kilometres can be at."""
    return rough / (1.0 + ROUGH_TOLERANCE)


# ---- checking a query -----------------------------------------------------------------


def coordinates_problem(lat: float, lng: float) -> str | None:
    """Why (lat, lng) is not a point on Earth, or None."""
    if not (math.isfinite(lat) and math.isfinite(lng)):
        return "lat and lng must be finite numbers"
    if not -90.0 <= lat <= 90.0:
        return "lat must be between -90 and 90"
    if not -180.0 <= lng <= 180.0:
        return "lng must be between -180 and 180"
    return None


def radius_problem(radius_km: float) -> str | None:
    if not math.isfinite(radius_km) or not 0.0 < radius_km <= MAX_RADIUS_KM:
        return f"radius_km must be greater than 0 and at most {MAX_RADIUS_KM:g}"
    return None


# ---- the prefilter --------------------------------------------------------------------


@dataclass(frozen=True)
class BoundingBox:
    """Latitude and longitude ranges holding every point within a radius of a centre.

    ``lng_ranges`` has two ranges when the box crosses the antimeridian.
    """

    lat_min: float
    lat_max: float
    lng_ranges: tuple[tuple[float, float], ...]

    def contains(self, lat: float, lng: float) -> bool:
        in_lat = self.lat_min <= lat <= self.lat_max
        return in_lat and any(low <= lng <= high for low, high in self.lng_ranges)


def bounding_box(lat: float, lng: float, radius_km: float) -> BoundingBox:
    """A box around (lat, lng) holding every point within ``radius_km`` (geodesic).

    The box is drawn around the spherical cap of the largest rough distance such a point
    can have, a little more, so rounding never drops a point on the edge. When the cap
    holds a pole, every longitude is in.
    """
    angle = radius_km * (1.0 + ROUGH_TOLERANCE) * 1.001 / EARTH_RADIUS_KM
    dlat = math.degrees(angle)
    lat_min, lat_max = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    every_lng = ((-180.0, 180.0),)
    if abs(lat) + dlat >= 90.0:
        return BoundingBox(lat_min, lat_max, every_lng)
    # The widest longitude of a cap on the sphere: asin(sin(angle) / cos(lat)).
    dlng = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(math.radians(lat)))))
    if dlng >= 180.0:
        return BoundingBox(lat_min, lat_max, every_lng)
    low, high = lng - dlng, lng + dlng
    if low < -180.0:
        return BoundingBox(lat_min, lat_max, ((-180.0, high), (low + 360.0, 180.0)))
    if high > 180.0:
        return BoundingBox(lat_min, lat_max, ((low, 180.0), (-180.0, high - 360.0)))
    return BoundingBox(lat_min, lat_max, ((low, high),))


# ---- nearest first --------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    id: int
    lat: float
    lng: float


def nearest_first(
    lat: float,
    lng: float,
    points: Iterable[Point],
    radius_km: float | None = None,
    *,
    known: MutableMapping[int, float] | None = None,
) -> Iterator[tuple[float, Point]]:
    """(geodesic km, point) for the points within ``radius_km``, nearest first, ties by id.

    Lazy: a point's geodesic is computed only when the points not yet computed could (by
    their rough distance) be nearer than the nearest one still to be given. So taking the
    first few of many points costs a few geodesics, not one per point. ``known`` keeps
    distances by point id from (lat, lng) across calls.
    """
    known = {} if known is None else known
    reach = math.inf if radius_km is None else radius_km * (1.0 + ROUGH_TOLERANCE)
    measured = ((rough_km(lat, lng, p.lat, p.lng), p.id, p) for p in points)
    rough = sorted(entry for entry in measured if entry[0] <= reach)
    computed: list[tuple[float, int, Point]] = []
    following = 0
    while following < len(rough) or computed:
        while following < len(rough) and (
            not computed or _at_least(rough[following][0]) <= computed[0][0]
        ):
            _, point_id, point = rough[following]
            following += 1
            distance = known.get(point_id)
            if distance is None:
                distance = known[point_id] = geodesic_km(lat, lng, point.lat, point.lng)
            if radius_km is None or distance <= radius_km:
                heapq.heappush(computed, (distance, point_id, point))
        if computed:
            distance, _, point = heapq.heappop(computed)
            yield distance, point
