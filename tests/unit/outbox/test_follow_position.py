"""How far an event follower has read: the watermark and the holes below it."""

from newretail.outbox.follow import MAX_HOLES, Position, advance

TTL = 600.0


def test_reading_in_order_moves_the_watermark_and_leaves_no_holes() -> None:
    position = Position(watermark=10)
    assert advance(position, [11, 12, 13], 0.0, hole_ttl=TTL)
    assert (position.watermark, position.holes) == (13, {})


def test_numbers_skipped_over_are_kept_as_holes() -> None:
    position = Position(watermark=10)
    advance(position, [11, 14], 5.0, hole_ttl=TTL)
    assert (position.watermark, position.holes) == (14, {12: 5.0, 13: 5.0})


def test_a_hole_that_shows_up_later_is_filled() -> None:
    position = Position(watermark=14, holes={12: 5.0, 13: 5.0})
    advance(position, [13, 15], 6.0, hole_ttl=TTL)
    assert (position.watermark, position.holes) == (15, {12: 5.0})


def test_a_hole_is_given_up_after_its_time() -> None:
    position = Position(watermark=14, holes={12: 5.0, 13: 100.0})
    advance(position, [], 5.0 + TTL, hole_ttl=TTL)
    assert position.holes == {13: 100.0}


def test_too_many_holes_at_once_stop_the_tracking() -> None:
    position = Position(watermark=0)
    assert not advance(position, [MAX_HOLES + 2], 0.0, hole_ttl=TTL)


def test_numbers_already_read_change_nothing() -> None:
    position = Position(watermark=20, holes={18: 1.0})
    advance(position, [19, 20], 2.0, hole_ttl=TTL)
    assert (position.watermark, position.holes) == (20, {18: 1.0})
