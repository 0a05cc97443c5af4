"""Re-targeting near stores, the pure part: distances, the period an event falls in, and
whether a rule is in force.

A rule answers a geo event (a ``Geofence Entered`` or any event carrying a position) of a
member of its audience within ``radius_m`` (3 to 5 km) of one of the brand's stores. Time
from ``starts_at`` is cut into periods of ``period_hours``; a member gets the offer at most
once per period (the send row is unique per rule, member and period). Only fresh events
count: a position more than ``FRESH`` old says nothing about where the person is now.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

EARTH_RADIUS_M = 6_371_008.8
MIN_RADIUS_M, MAX_RADIUS_M = 3_000, 5_000
FRESH = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class StorePoint:
    store_id: int
    name: str
    lat: float
    lng: float


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def nearest_within(
    lat: float, lng: float, stores: Sequence[StorePoint], radius_m: int
) -> StorePoint | None:
    """The nearest store no further than ``radius_m``, if any."""
    best: tuple[float, StorePoint] | None = None
    for store in stores:
        d = distance_m(lat, lng, store.lat, store.lng)
        if d <= radius_m and (best is None or d < best[0]):
            best = (d, store)
    return None if best is None else best[1]


def period_index(at: datetime, *, starts_at: datetime, period_hours: int) -> int:
    return int((at - starts_at) // timedelta(hours=period_hours))


def in_force(at: datetime, *, starts_at: datetime, ends_at: datetime | None) -> bool:
    return starts_at <= at and (ends_at is None or at < ends_at)


def fresh(at: datetime, now: datetime) -> bool:
    return now - FRESH <= at <= now
