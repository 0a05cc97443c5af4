from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newretail.inventory import errors, rules
from newretail.inventory.rules import Line, Purpose, ReservationStatus, SequenceVerdict

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_available_is_on_hand_less_reserved() -> None:
    assert rules.available(10, 3) == 7


def test_available_never_shows_below_zero_when_a_level_fell_under_its_reservations() -> None:
    assert rules.available(2, 5) == 0
    assert rules.shortfall(2, 5) == 3


@pytest.mark.parametrize("quantity", [0, -1, 1.5, True, "2", None])
def test_quantities_are_whole_units_above_zero(quantity: object) -> None:
    with pytest.raises(errors.InvalidQuantity):
        rules.check_quantity(quantity)


@pytest.mark.parametrize("reference", ["", " cart-1", "x" * 65])
def test_a_reference_is_short_and_trimmed(reference: str) -> None:
    with pytest.raises(errors.InvalidReference):
        rules.check_reference(reference)


def test_a_level_may_be_zero_but_not_negative_or_fractional() -> None:
    assert rules.check_level(0) == 0
    for bad in (-1, 0.5, False):
        with pytest.raises(errors.InvalidQuantity):
            rules.check_level(bad)


def test_lines_are_put_in_lock_order() -> None:
    lines = [Line(2, 1, 1), Line(1, 9, 1), Line(1, 3, 2)]
    assert [line.key for line in rules.lock_ordered(lines)] == [(1, 3), (1, 9), (2, 1)]


def test_the_same_sku_at_the_same_location_twice_is_refused() -> None:
    with pytest.raises(errors.DuplicateLine):
        rules.lock_ordered([Line(1, 3, 1), Line(1, 3, 2)])


def test_the_same_sku_at_two_locations_is_two_lines() -> None:
    assert len(rules.lock_ordered([Line(1, 3, 1), Line(2, 3, 1)])) == 2


def test_no_lines_or_a_bad_quantity_is_refused() -> None:
    with pytest.raises(errors.InvalidQuantity):
        rules.lock_ordered([])
    with pytest.raises(errors.InvalidQuantity):
        rules.lock_ordered([Line(1, 3, 0)])


def test_too_many_lines_are_refused() -> None:
    with pytest.raises(errors.InvalidQuantity):
        rules.lock_ordered(Line(1, sku, 1) for sku in range(rules.MAX_LINES + 1))


def test_an_absolute_level_above_reservations_has_no_shortfall() -> None:
    level = rules.absolute_level(on_hand=10, reserved=4, level=6)
    assert (level.on_hand, level.delta, level.shortfall) == (6, -4, 0)


def test_an_absolute_level_below_reservations_is_taken_and_the_shortfall_reported() -> None:
    level = rules.absolute_level(on_hand=10, reserved=4, level=1)
    assert (level.on_hand, level.delta, level.shortfall) == (1, -9, 3)


def test_only_a_newer_erp_sequence_applies() -> None:
    assert rules.sequence_verdict(None, 0) is SequenceVerdict.APPLY
    assert rules.sequence_verdict(5, 6) is SequenceVerdict.APPLY
    assert rules.sequence_verdict(5, 5) is SequenceVerdict.DUPLICATE
    assert rules.sequence_verdict(5, 4) is SequenceVerdict.STALE


def test_a_reservation_lasts_its_purposes_default_or_its_own_ttl() -> None:
    assert rules.expiry(Purpose.CART, NOW) == NOW + timedelta(minutes=15)
    assert rules.expiry(Purpose.PRESALE, NOW) == NOW + timedelta(days=7)
    assert rules.expiry(Purpose.ORDER, NOW, 60) == NOW + timedelta(seconds=60)


def test_a_reservation_cannot_be_held_past_the_maximum() -> None:
    with pytest.raises(errors.InvalidQuantity):
        rules.expiry(Purpose.PRESALE, NOW, int(rules.MAX_TTL.total_seconds()) + 1)


def test_only_an_active_reservation_changes_state() -> None:
    assert rules.can_transition(ReservationStatus.ACTIVE, ReservationStatus.COMMITTED)
    assert rules.can_transition(ReservationStatus.ACTIVE, ReservationStatus.EXPIRED)
    assert not rules.can_transition(ReservationStatus.COMMITTED, ReservationStatus.RELEASED)
    assert not rules.can_transition(ReservationStatus.EXPIRED, ReservationStatus.COMMITTED)


def test_a_reservation_expires_at_its_expiry_time() -> None:
    assert rules.is_expired(NOW, NOW)
    assert not rules.is_expired(NOW + timedelta(seconds=1), NOW)


def test_journal_mismatches_name_each_level_that_does_not_add_up() -> None:
    on_hand = {(1, 1): 5, (1, 2): 3}
    journal = {(1, 1): 5, (1, 2): 2, (2, 1): 1}
    assert rules.journal_mismatches(on_hand, journal) == [
        rules.JournalMismatch(1, 2, 3, 2),
        rules.JournalMismatch(2, 1, 0, 1),
    ]


@given(
    on_hand=st.integers(min_value=0, max_value=10**9),
    reserved=st.integers(min_value=0, max_value=10**9),
    level=st.integers(min_value=0, max_value=10**9),
)
def test_an_absolute_level_keeps_reservations_covered(
    on_hand: int, reserved: int, level: int
) -> None:
    result = rules.absolute_level(on_hand=on_hand, reserved=reserved, level=level)
    assert on_hand + result.delta == level
    assert reserved <= result.on_hand + result.shortfall
    assert result.shortfall == 0 or result.on_hand + result.shortfall == reserved


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), unique=True, min_size=1))
def test_lock_order_is_sorted_and_keeps_every_line(keys: list[tuple[int, int]]) -> None:
    ordered = rules.lock_ordered(Line(loc, sku, 1) for loc, sku in keys)
    assert [line.key for line in ordered] == sorted(keys)
