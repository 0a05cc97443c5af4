"""Days of a report in the brand's time zone, and the average order value's rounding."""

from datetime import UTC, date, datetime
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from newretail.kernel.reporting import average, day_bounds, local_days


def test_today_starts_at_the_brand_s_midnight_not_the_server_s() -> None:
    # 01:30 in Shanghai on 3 June is still 2 June in UTC.
    now = datetime(2026, 6, 2, 17, 30, tzinfo=UTC)

    bounds = day_bounds(now, "Asia/Shanghai", 1)

    assert bounds == [
        datetime(2026, 6, 2, 16, 0, tzinfo=UTC),
        datetime(2026, 6, 3, 16, 0, tzinfo=UTC),
    ]


def test_seven_days_are_today_and_the_six_before() -> None:
    now = datetime(2026, 6, 3, 4, 0, tzinfo=UTC)

    bounds = day_bounds(now, "Asia/Shanghai", 7)

    assert local_days(bounds, "Asia/Shanghai") == [date(2026, 5, d) for d in range(28, 32)] + [
        date(2026, 6, d) for d in range(1, 4)
    ]


def test_a_day_that_changes_the_clocks_is_still_one_day() -> None:
    # Berlin moves to summer time on 29 March 2026: that day lasts 23 hours.
    now = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)

    bounds = day_bounds(now, "Europe/Berlin", 2)

    assert [(b - a).total_seconds() / 3600 for a, b in pairwise(bounds)] == [23, 24]


def test_the_average_rounds_half_up_to_a_fen() -> None:
    assert average(1000, 3) == 333
    assert average(1001, 2) == 501
    assert average(999, 2) == 500


def test_the_average_of_nothing_is_zero() -> None:
    assert average(0, 0) == 0


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=1, max_value=10**6))
def test_the_average_is_within_half_a_fen_of_the_exact_share(total: int, count: int) -> None:
    assert abs(average(total, count) * count - total) * 2 <= count
