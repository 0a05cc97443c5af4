"""Re-targeting's pure rules: distances, the nearest store in reach, periods, freshness."""

from datetime import datetime, timedelta

from newretail.analytics.retarget.rules import (
    StorePoint,
    distance_m,
    fresh,
    in_force,
    nearest_within,
    period_index,
)

PEOPLES_SQUARE = (31.2304, 121.4737)
START = datetime(2026, 11, 1)


def test_a_degree_of_latitude_is_about_111_km() -> None:
    assert 111_000 < distance_m(31.0, 121.0, 32.0, 121.0) < 111_400


def test_the_nearest_store_within_the_radius_is_chosen() -> None:
    near = StorePoint(1, "near", 31.2304 + 0.018, 121.4737)  # about 2 km north
    nearer = StorePoint(2, "nearer", 31.2304 - 0.009, 121.4737)  # about 1 km south
    far = StorePoint(3, "far", 31.2304 + 0.09, 121.4737)  # about 10 km

    assert nearest_within(*PEOPLES_SQUARE, [near, nearer, far], 3_000) == nearer
    assert nearest_within(*PEOPLES_SQUARE, [far], 5_000) is None


def test_periods_are_counted_from_the_rule_start() -> None:
    assert (
        period_index(START + timedelta(hours=23, minutes=59), starts_at=START, period_hours=24) == 0
    )
    assert period_index(START + timedelta(hours=24), starts_at=START, period_hours=24) == 1
    assert period_index(START + timedelta(hours=13), starts_at=START, period_hours=6) == 2


def test_a_rule_is_in_force_from_its_start_to_its_end() -> None:
    end = START + timedelta(days=7)

    assert not in_force(START - timedelta(seconds=1), starts_at=START, ends_at=end)
    assert in_force(START, starts_at=START, ends_at=end)
    assert not in_force(end, starts_at=START, ends_at=end)
    assert in_force(end, starts_at=START, ends_at=None)


def test_only_positions_of_the_last_hour_count() -> None:
    now = START + timedelta(days=1)

    assert fresh(now - timedelta(minutes=59), now)
    assert not fresh(now - timedelta(minutes=61), now)
    assert not fresh(now + timedelta(minutes=1), now)
