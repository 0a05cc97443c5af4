"""Pure rules of the organisation: store types, opening hours, region trees, geometry."""

import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, available_timezones

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


class StoreType(StrEnum):
    DIRECT = "direct"
    FRANCHISE = "franchise"
    COUNTER = "counter"
    POPUP = "popup"
    WAREHOUSE = "warehouse"


class StoreStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


def is_valid_timezone(name: str) -> bool:
    return name in _timezones()


def _timezones() -> frozenset[str]:
    global _TZ_CACHE
    if _TZ_CACHE is None:
        _TZ_CACHE = frozenset(available_timezones())
    return _TZ_CACHE


_TZ_CACHE: frozenset[str] | None = None


def minutes(hhmm: str) -> int:
    match = _HHMM.match(hhmm)
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        raise ValueError(f"{hhmm!r} is not a time of day (HH:MM)")
    return int(match.group(1)) * 60 + int(match.group(2))


def check_opening_hours(hours: Mapping[str, list[list[str]]]) -> None:
    """Raise ValueError unless ``hours`` maps weekdays to ordered, non-overlapping spans.

    A span may cross midnight (``["22:00", "02:00"]``): it then ends on the next day.
    """
    for day, spans in hours.items():
        if day not in WEEKDAYS:
            raise ValueError(f"{day!r} is not a weekday ({', '.join(WEEKDAYS)})")
        previous_end = -1
        for span in spans:
            if len(span) != 2:
                raise ValueError(f"{day}: a span is [open, close]")
            start, end = minutes(span[0]), minutes(span[1])
            if start == end:
                raise ValueError(f"{day}: a span cannot open and close at the same time")
            if start <= previous_end:
                raise ValueError(f"{day}: spans must be in order and must not overlap")
            previous_end = end if end > start else 24 * 60


def is_open(hours: Mapping[str, list[list[str]]], local: datetime) -> bool:
    """Whether a store with ``hours`` is open at the local wall-clock time ``local``."""
    now = local.hour * 60 + local.minute
    today = WEEKDAYS[local.weekday()]
    yesterday = WEEKDAYS[(local.weekday() - 1) % 7]
    for start_s, end_s in hours.get(today, []):
        start, end = minutes(start_s), minutes(end_s)
        if (start < end and start <= now < end) or (end < start and now >= start):
            return True
    for start_s, end_s in hours.get(yesterday, []):
        start, end = minutes(start_s), minutes(end_s)
        if end < start and now < end:
            return True
    return False


def is_open_at(hours: Mapping[str, list[list[str]]], timezone: str, at: datetime) -> bool:
    return is_open(hours, at.astimezone(ZoneInfo(timezone)))


def would_create_cycle(
    region_id: int, new_parent_id: int | None, parent_of: Mapping[int, int | None]
) -> bool:
    """Whether making ``new_parent_id`` the parent of ``region_id`` closes a loop."""
    seen: set[int] = set()
    node = new_parent_id
    while node is not None:
        if node == region_id or node in seen:
            return True
        seen.add(node)
        node = parent_of.get(node)
    return False


def subtree(root_ids: Iterable[int], children_of: Mapping[int, list[int]]) -> set[int]:
    """All region ids under (and including) the roots."""
    found: set[int] = set()
    stack = list(root_ids)
    while stack:
        node = stack.pop()
        if node in found:
            continue
        found.add(node)
        stack.extend(children_of.get(node, []))
    return found


EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance on the mean sphere, in kilometres: for ranking and prefilters
    (``geo.rough_km``); distances shown to people are geodesics (``geo.geodesic_km``)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


CLOUD_STORE_CODE_SEPARATOR = "."


def cloud_store_code(brand_code: str, store_code: str) -> str:
    """A store's public code in cloud store URLs: store codes are unique only per brand."""
    return f"{brand_code}{CLOUD_STORE_CODE_SEPARATOR}{store_code}"
