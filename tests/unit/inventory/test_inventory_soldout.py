"""Sold-out marks: kept for their time, all SKUs of a request or none, dropped by a refill."""

from newretail.inventory import soldout
from newretail.inventory.soldout import SoldOutMarks


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def test_a_mark_answers_for_its_time_and_then_not() -> None:
    clock = Clock()
    marks = SoldOutMarks(1.0, clock=clock)
    marks.note(7, {1: 0, 2: 3})
    assert marks.units(7, [1, 2]) == {1: 0, 2: 3}
    clock.now += 0.99
    assert marks.units(7, [2]) == {2: 3}
    clock.now += 0.02
    assert marks.units(7, [1]) is None


def test_a_request_is_answered_only_when_every_sku_is_marked() -> None:
    marks = SoldOutMarks(1.0, clock=Clock())
    marks.note(7, {1: 0})
    assert marks.units(7, [1, 2]) is None
    assert marks.units(8, [1]) is None


def test_a_refill_drops_its_levels_marks_only() -> None:
    marks = SoldOutMarks(1.0, clock=Clock())
    marks.note(7, {1: 0, 2: 0})
    marks.forget([(7, 1)])
    assert marks.units(7, [1]) is None
    assert marks.units(7, [2]) == {2: 0}


def test_zero_seconds_keeps_nothing() -> None:
    marks = SoldOutMarks(0)
    marks.note(7, {1: 0})
    assert marks.units(7, [1]) is None


def test_past_the_bound_the_old_marks_go() -> None:
    marks = SoldOutMarks(1.0, clock=Clock())
    marks.note(1, dict.fromkeys(range(soldout.MAX_MARKS), 0))
    marks.note(2, {5: 0})
    assert marks.units(1, [0]) is None
    assert marks.units(2, [5]) == {5: 0}
