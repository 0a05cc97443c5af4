"""The period an analysis covers: ``[start, end)``, aware UTC, at most a year."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from newretail.analytics.reports.errors import InvalidPeriod

DEFAULT_DAYS = 30
LONGEST = timedelta(days=366)
EARLIEST, LATEST = 2000, 2100  # years: analyses of other times are typing errors


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime


def period(start: datetime | None, end: datetime | None, *, now: datetime) -> Period:
    """The asked period; by default the 30 days up to ``now``."""
    end = _utc(end or now)
    start = _utc(start or end - timedelta(days=DEFAULT_DAYS))
    if end <= start or end - start > LONGEST or start.year < EARLIEST or end.year > LATEST:
        raise InvalidPeriod()
    return Period(start, end)


def _utc(moment: datetime) -> datetime:
    """Aware UTC; a time given without a zone is taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
