"""Pure rules of the cloud store: public codes, geometry for "near me", fulfilment sources.

Public store code. Store codes are unique per brand, not on the platform, so the cloud
store's public code joins the brand code and the store code with a dot:
``ACME.SH001``. Neither code may contain a dot (see ``newretail.kernel.schemas.Code``), so the
first dot splits it back unambiguously.

Fulfilment source. A product shown in a store's cloud store comes, in this order, from:

    here          this store has it in stock
    nearby_store  the closest other store the brand's policy allows, with stock
    warehouse     the closest warehouse, if the brand sells warehouse stock
    none          nowhere the policy allows has it: sold out here
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from newretail.org.rules import EARTH_RADIUS_KM, WEEKDAYS, haversine_km

CODE_SEPARATOR = "."
MAX_RADIUS_KM = 100.0
_MARGIN = 1.001


class StoreSourcing(StrEnum):
    """Which other stores' stock a brand's cloud stores may sell."""

    NONE = "none"
    NEARBY = "nearby"
    ANY = "any"


class SourceKind(StrEnum):
    HERE = "here"
    NEARBY_STORE = "nearby_store"
    WAREHOUSE = "warehouse"
    NONE = "none"


# ---- public codes ---------------------------------------------------------------------


def public_code(brand_code: str, store_code: str) -> str:
    return f"{brand_code}{CODE_SEPARATOR}{store_code}"


def split_public_code(code: str) -> tuple[str, str] | None:
    """(brand code, store code), or None when ``code`` cannot be a public store code."""
    brand_code, separator, store_code = code.partition(CODE_SEPARATOR)
    if not separator or not brand_code or not store_code or CODE_SEPARATOR in store_code:
        return None
    return brand_code, store_code


# ---- geometry -------------------------------------------------------------------------


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
    """A box around (lat, lng) that every point within ``radius_km`` falls in.

    A little generous (``_MARGIN``) so rounding never drops a point on the edge; the exact
    distance filter comes after. When the circle holds a pole, every longitude is in.
    """
    angle = radius_km / EARTH_RADIUS_KM * _MARGIN  # the radius as an angle, in radians
    dlat = math.degrees(angle)
    lat_min, lat_max = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    every_lng = ((-180.0, 180.0),)
    if abs(lat) + dlat >= 90.0:
        return BoundingBox(lat_min, lat_max, every_lng)
    # The widest longitude of a circle on the sphere: asin(sin(angle) / cos(lat)).
    dlng = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(math.radians(lat)))))
    if dlng >= 180.0:
        return BoundingBox(lat_min, lat_max, every_lng)
    low, high = lng - dlng, lng + dlng
    if low < -180.0:
        return BoundingBox(lat_min, lat_max, ((-180.0, high), (low + 360.0, 180.0)))
    if high > 180.0:
        return BoundingBox(lat_min, lat_max, ((low, 180.0), (-180.0, high - 360.0)))
    return BoundingBox(lat_min, lat_max, ((low, high),))


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


@dataclass(frozen=True)
class Point:
    id: int
    lat: float
    lng: float


def within_radius(
    lat: float, lng: float, radius_km: float, points: Iterable[Point]
) -> list[tuple[float, Point]]:
    """Points within ``radius_km`` of (lat, lng) with their distance, nearest first."""
    found = [(haversine_km(lat, lng, p.lat, p.lng), p) for p in points]
    inside = [(distance, p) for distance, p in found if distance <= radius_km]
    inside.sort(key=lambda pair: (pair[0], pair[1].id))
    return inside


# ---- opening hours and activities -----------------------------------------------------


def hours_on(hours: dict[str, list[list[str]]], local: datetime) -> list[list[str]]:
    """The opening spans of the local day ``local`` falls on."""
    return hours.get(WEEKDAYS[local.weekday()], [])


def is_current(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    return starts_at <= now < ends_at


# ---- fulfilment -----------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """Another location that might supply a SKU, as far as the policy allows."""

    location_id: int
    code: str
    name: str
    is_warehouse: bool
    distance_km: float
    available: int


@dataclass(frozen=True)
class Source:
    kind: SourceKind
    available: int = 0
    location_id: int | None = None
    code: str | None = None
    name: str | None = None
    distance_km: float | None = None


def choose_source(here: int, candidates: Sequence[Candidate], quantity: int = 1) -> Source:
    """Where ``quantity`` units would come from: here, else the closest store, else a warehouse.

    Ties in distance go to the lower location id, so the answer never flickers.
    """
    if here >= quantity:
        return Source(SourceKind.HERE, available=here)
    stocked = [c for c in candidates if c.available >= quantity]
    for warehouse in (False, True):
        pool = [c for c in stocked if c.is_warehouse is warehouse]
        if pool:
            best = min(pool, key=lambda c: (c.distance_km, c.location_id))
            kind = SourceKind.WAREHOUSE if warehouse else SourceKind.NEARBY_STORE
            return Source(
                kind,
                available=best.available,
                location_id=best.location_id,
                code=best.code,
                name=best.name,
                distance_km=round(best.distance_km, 3),
            )
    return Source(SourceKind.NONE)


def allows_store(sourcing: StoreSourcing, radius_km: float, distance_km: float) -> bool:
    """Whether the policy lets a cloud store sell stock of a store ``distance_km`` away."""
    if sourcing is StoreSourcing.ANY:
        return True
    return sourcing is StoreSourcing.NEARBY and distance_km <= radius_km


@dataclass(frozen=True)
class Policy:
    """A brand's rule for selling stock that is not in the store itself."""

    store_sourcing: StoreSourcing = StoreSourcing.NONE
    nearby_radius_km: float = 5.0
    warehouse_sourcing: bool = False

    @property
    def sells_elsewhere(self) -> bool:
        return self.store_sourcing is not StoreSourcing.NONE or self.warehouse_sourcing
