from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newretail.org import rules


def test_a_region_cannot_become_its_own_ancestor() -> None:
    parent_of = {1: None, 2: 1, 3: 2}
    assert rules.would_create_cycle(1, 3, parent_of)
    assert rules.would_create_cycle(2, 2, parent_of)
    assert not rules.would_create_cycle(3, 1, parent_of)


@given(st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=20))
def test_moving_under_a_node_outside_the_subtree_never_loops(parents: list[int]) -> None:
    # a random forest: node i's parent is a node with a smaller id, so it has no cycles
    parent_of: dict[int, int | None] = {0: None}
    for i, p in enumerate(parents, start=1):
        parent_of[i] = p % i
    children: dict[int, list[int]] = {}
    for node, parent in parent_of.items():
        if parent is not None:
            children.setdefault(parent, []).append(node)
    for node in parent_of:
        below = rules.subtree([node], children)
        for target in parent_of:
            assert rules.would_create_cycle(node, target, parent_of) == (target in below)


def test_subtree_includes_the_roots_and_all_descendants() -> None:
    assert rules.subtree([2], {1: [2], 2: [3, 4], 4: [5]}) == {2, 3, 4, 5}


def test_opening_hours_reject_overlaps_and_bad_times() -> None:
    with pytest.raises(ValueError, match="overlap"):
        rules.check_opening_hours({"mon": [["10:00", "14:00"], ["13:00", "18:00"]]})
    with pytest.raises(ValueError, match="time of day"):
        rules.check_opening_hours({"mon": [["25:00", "26:00"]]})
    with pytest.raises(ValueError, match="weekday"):
        rules.check_opening_hours({"someday": [["10:00", "12:00"]]})


def test_a_store_open_past_midnight_is_open_early_next_morning() -> None:
    hours = {"fri": [["18:00", "02:00"]]}
    saturday_1am = datetime(2026, 11, 21, 1, 0)  # a Saturday
    assert rules.is_open(hours, saturday_1am)
    assert not rules.is_open(hours, saturday_1am.replace(hour=3))


def test_open_now_uses_the_store_timezone() -> None:
    hours = {"mon": [["10:00", "22:00"]]}
    monday_0300_utc = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
    assert rules.is_open_at(hours, "Asia/Shanghai", monday_0300_utc)
    assert not rules.is_open_at(hours, "Europe/London", monday_0300_utc)


def test_haversine_shanghai_to_beijing_is_about_1070_km() -> None:
    assert 1060 < rules.haversine_km(31.2304, 121.4737, 39.9042, 116.4074) < 1080
