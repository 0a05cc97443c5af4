"""What every report needs: whose figures the caller may read, and the days they cover.

A report covers one brand. HQ (brand admins, platform admins) read the whole brand; a
region manager reads the stores of their regions; a store manager their stores. Other
staff and consumers read no reports. Figures fall into days of the brand's own time zone,
so "today" starts at the brand's midnight, whatever the server's clock says.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from newretail.kernel.errors import NotFound, PermissionDenied
from newretail.kernel.scope import Role, Scope

READERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)


def covered_stores(scope: Scope, brand_id: int) -> frozenset[int] | None:
    """The stores of ``brand_id`` whose figures ``scope`` reads; None means every store."""
    if scope.actor_type == "consumer":
        raise PermissionDenied("Consumers read no reports.")
    scope.require(*READERS)
    if not scope.sees_brand(brand_id):
        raise NotFound("Brand not found.")
    if scope.is_brand_wide or scope.store_ids is None:
        return None
    return scope.store_ids


def day_bounds(now: datetime, timezone: str, days: int) -> list[datetime]:
    """``days + 1`` instants (UTC): the local midnights that start each of the last ``days``
    days, today last, then the midnight that ends today."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    return [_midnight(first + timedelta(days=offset), zone) for offset in range(days + 1)]


def local_days(bounds: Sequence[datetime], timezone: str) -> list[date]:
    """The local date each interval of ``bounds`` covers."""
    zone = ZoneInfo(timezone)
    return [start.astimezone(zone).date() for start in bounds[:-1]]


def average(total: int, count: int) -> int:
    """``total / count`` rounded half up to a whole minor unit (0 when nothing was counted)."""
    if count <= 0:
        return 0
    return (2 * total + count) // (2 * count)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
