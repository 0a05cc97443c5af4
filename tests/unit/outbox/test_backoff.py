"""The retry backoff shared by webhook deliveries and in-process consumers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newretail.outbox import rules


def test_backoff_doubles_from_the_base() -> None:
    waits = [rules.backoff_seconds(n, base=2, cap=3600, jitter=1.0) for n in range(1, 6)]
    assert waits == [2, 4, 8, 16, 32]


def test_backoff_without_jitter_is_half_the_ceiling() -> None:
    assert rules.backoff_seconds(3, base=2, cap=3600, jitter=0.0) == 4


def test_backoff_stops_at_the_cap() -> None:
    assert rules.backoff_seconds(40, base=2, cap=60, jitter=1.0) == 60


@given(
    attempt=st.integers(min_value=1, max_value=10_000),
    base=st.floats(min_value=0, max_value=100),
    cap=st.floats(min_value=0, max_value=86_400),
    jitter=st.floats(min_value=0, max_value=1),
)
def test_backoff_stays_between_half_the_ceiling_and_the_ceiling(
    attempt: int, base: float, cap: float, jitter: float
) -> None:
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, 64))
    wait = rules.backoff_seconds(attempt, base=base, cap=cap, jitter=jitter)
    assert ceiling / 2 <= wait <= ceiling
    assert wait <= cap


@given(
    attempt=st.integers(min_value=1, max_value=200),
    jitter=st.floats(min_value=0, max_value=1),
)
def test_backoff_never_shrinks_from_one_attempt_to_the_next_at_equal_jitter(
    attempt: int, jitter: float
) -> None:
    now = rules.backoff_seconds(attempt, base=0.5, cap=3600, jitter=jitter)
    then = rules.backoff_seconds(attempt + 1, base=0.5, cap=3600, jitter=jitter)
    assert then >= now


def test_backoff_refuses_attempt_zero() -> None:
    with pytest.raises(ValueError):
        rules.backoff_seconds(0, base=1, cap=10, jitter=0.5)
