from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newretail.cloudstore import rules
from newretail.cloudstore.rules import Candidate, SourceKind

codes = st.from_regex(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$", fullmatch=True)


@given(codes, codes)
def test_a_public_code_splits_back_into_brand_and_store_codes(brand: str, store: str) -> None:
    assert rules.split_public_code(rules.public_code(brand, store)) == (brand, store)


@pytest.mark.parametrize("code", ["ACME", ".S1", "ACME.", "A.B.C", ""])
def test_a_code_without_exactly_two_parts_is_no_public_code(code: str) -> None:
    assert rules.split_public_code(code) is None


def candidate(id_: int, km: float, units: int, *, warehouse: bool = False) -> Candidate:
    return Candidate(id_, f"C{id_}", f"Location {id_}", warehouse, km, units)


def test_stock_here_wins_over_everything() -> None:
    source = rules.choose_source(2, [candidate(1, 0.1, 50)])
    assert (source.kind, source.available, source.location_id) == (SourceKind.HERE, 2, None)


def test_without_stock_here_the_closest_store_with_stock_supplies() -> None:
    options = [candidate(1, 0.5, 0), candidate(2, 3.0, 4), candidate(3, 1.2, 1)]
    source = rules.choose_source(0, options)
    assert (source.kind, source.location_id, source.distance_km) == (
        SourceKind.NEARBY_STORE,
        3,
        1.2,
    )


def test_a_store_is_preferred_to_a_closer_warehouse() -> None:
    options = [candidate(1, 0.2, 9, warehouse=True), candidate(2, 8.0, 1)]
    assert rules.choose_source(0, options).location_id == 2


def test_a_warehouse_supplies_when_no_store_can() -> None:
    options = [candidate(1, 30.0, 9, warehouse=True), candidate(2, 1.0, 0)]
    assert rules.choose_source(0, options).kind is SourceKind.WAREHOUSE


def test_equally_far_locations_go_to_the_lower_id() -> None:
    assert rules.choose_source(0, [candidate(7, 1.0, 1), candidate(3, 1.0, 1)]).location_id == 3


def test_nowhere_with_enough_units_means_sold_out() -> None:
    source = rules.choose_source(1, [candidate(1, 1.0, 1)], quantity=2)
    assert source.kind is SourceKind.NONE


def test_an_activity_is_current_from_its_start_until_just_before_its_end() -> None:
    start = datetime(2025, 5, 1, tzinfo=UTC)
    end = start + timedelta(days=1)
    assert rules.is_current(start, end, start)
    assert not rules.is_current(start, end, end)
    assert not rules.is_current(start, end, start - timedelta(seconds=1))


def test_todays_hours_are_those_of_the_local_weekday() -> None:
    hours = {"mon": [["10:00", "22:00"]], "sun": [["12:00", "18:00"]]}
    assert rules.hours_on(hours, datetime(2025, 6, 1, 23, 0)) == [["12:00", "18:00"]]
