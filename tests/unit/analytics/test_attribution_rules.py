"""Attribution maths: windows per touch type, last touch and 40/20/40, unique touchpoints,
and credits that always add up to the purchase exactly."""

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from newretail.analytics.attribution.rules import (
    TOUCH_EVENTS,
    AttributionSettings,
    Purchase,
    Touch,
    attribute,
    weights,
)

AT = datetime(2026, 11, 20, 12)
POSITION = AttributionSettings(model="position", touches="all")


def _touch(event: str, days_before: float, seq: int = 0, **dims: object) -> Touch:
    return Touch(event, AT - timedelta(days=days_before), seq, **dims)  # type: ignore[arg-type]


def test_last_touch_gives_the_whole_purchase_to_the_latest_touch() -> None:
    touches = [_touch("QR Scanned", 3, 1), _touch("Ad Exposed", 1, 2)]

    credits = attribute(Purchase(1, AT, 9_999), touches, AttributionSettings())

    assert [(c.touch.event, c.fen) for c in credits] == [("Ad Exposed", 9_999)]


def test_position_gives_forty_twenty_forty() -> None:
    touches = [_touch("Ad Exposed", d, i) for i, d in enumerate([6, 5, 4, 3])]

    credits = attribute(Purchase(1, AT, 10_000), touches, POSITION)

    assert [c.fen for c in credits] == [4_000, 1_000, 1_000, 4_000]


def test_two_touches_share_half_and_half_and_the_odd_fen_goes_to_the_first() -> None:
    credits = attribute(
        Purchase(1, AT, 101), [_touch("QR Scanned", 2), _touch("Ad Exposed", 1)], POSITION
    )

    assert [c.fen for c in credits] == [51, 50]


def test_each_touch_type_has_its_own_window() -> None:
    touches = [_touch("Ad Exposed", 8, 1), _touch("Popup Visited", 13, 2)]
    longer_ads = AttributionSettings(window_days={"Ad Exposed": 10})

    default = attribute(Purchase(1, AT, 100), touches, AttributionSettings())
    widened = attribute(Purchase(1, AT, 100), touches, longer_ads)

    assert [c.touch.event for c in default] == ["Popup Visited"]
    assert [c.touch.event for c in widened] == ["Ad Exposed"]


def test_touches_after_the_purchase_or_of_other_kinds_earn_nothing() -> None:
    touches = [_touch("QR Scanned", -1), _touch("Store Entered", 1)]

    assert attribute(Purchase(1, AT, 100), touches, AttributionSettings()) == []


def test_unique_counts_a_touchpoint_once_at_its_latest_touch() -> None:
    touches = [
        _touch("QR Scanned", 5, 1, code="A"),
        _touch("Ad Exposed", 4, 2),
        _touch("QR Scanned", 2, 3, code="A"),
    ]
    unique = POSITION.model_copy(update={"touches": "unique"})

    every = attribute(Purchase(1, AT, 100), touches, POSITION)
    once = attribute(Purchase(1, AT, 100), touches, unique)

    assert [(c.touch.event, c.fen) for c in every] == [
        ("QR Scanned", 40),
        ("Ad Exposed", 20),
        ("QR Scanned", 40),
    ]
    assert [(c.touch.seq, c.fen) for c in once] == [(2, 50), (3, 50)]


def test_unknown_touch_types_in_the_windows_are_refused() -> None:
    with pytest.raises(ValidationError, match="not touch types"):
        AttributionSettings(window_days={"Store Entered": 7})


@given(st.integers(min_value=1, max_value=40))
def test_position_weights_are_forty_twenty_forty_of_the_whole(n: int) -> None:
    shares = weights(n, "position")

    assert len(shares) == n
    if n >= 3:
        assert shares[0] * 5 == sum(shares) * 2 == shares[-1] * 5
        assert sum(shares[1:-1]) * 5 == sum(shares)


touch_lists = st.lists(
    st.tuples(
        st.sampled_from(TOUCH_EVENTS),
        st.floats(min_value=0, max_value=20),
        st.sampled_from(["A", "B", None]),
    ),
    max_size=12,
)


@given(
    st.integers(min_value=0, max_value=10**10),
    touch_lists,
    st.sampled_from(["last_touch", "position"]),
    st.sampled_from(["unique", "all"]),
)
def test_credits_add_up_to_the_purchase_exactly(
    total: int, raw: list[tuple[str, float, str | None]], model: str, how: str
) -> None:
    settings = AttributionSettings.model_validate({"model": model, "touches": how})
    touches = [_touch(e, d, i, code=c) for i, (e, d, c) in enumerate(raw)]
    purchase = Purchase(1, AT, total)

    credits = attribute(purchase, touches, settings)

    qualified = [t for t in touches if AT - settings.window(t.event) <= t.at <= AT]
    assert sum(c.fen for c in credits) == (total if qualified else 0)
    assert all(c.fen >= 0 for c in credits)
    assert all(c.touch in qualified for c in credits)
