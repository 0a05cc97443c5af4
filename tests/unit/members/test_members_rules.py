from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newretail.members.rules import (
    ConsumerFacts,
    Tier,
    check_tiers,
    decide_merge,
    earn_expiry,
    entry_tier,
    evaluate_tier,
    points_to_expire,
)


def _facts(
    consumer_id: int, kinds: set[str] = frozenset(), brands: set[int] = frozenset()
) -> ConsumerFacts:
    return ConsumerFacts(consumer_id, frozenset(kinds), frozenset(brands))


# ---- merges ---------------------------------------------------------------------------


def test_two_verified_phones_are_two_people() -> None:
    decision = decide_merge(_facts(1, {"phone"}), _facts(2, {"phone"}))
    assert (decision.allowed, decision.reason) == (False, "two_verified_phones")


def test_two_verified_union_ids_are_two_people() -> None:
    decision = decide_merge(_facts(1, {"union_id"}), _facts(2, {"union_id"}))
    assert (decision.allowed, decision.reason) == (False, "two_verified_union_ids")


def test_two_members_of_one_brand_are_never_merged_automatically() -> None:
    decision = decide_merge(_facts(1, {"phone"}, {7, 8}), _facts(2, set(), {8}))
    assert (decision.allowed, decision.reason) == (False, "two_members_of_one_brand")


def test_a_consumer_is_not_merged_with_itself() -> None:
    assert decide_merge(_facts(3), _facts(3)).reason == "same_consumer"


def test_the_verified_record_survives_an_anonymous_one() -> None:
    decision = decide_merge(_facts(9, {"phone"}, {1}), _facts(2))
    assert (decision.allowed, decision.survivor_id, decision.absorbed_id) == (True, 9, 2)


def test_memberships_of_different_brands_merge_into_the_record_with_more() -> None:
    decision = decide_merge(_facts(1, set(), {1}), _facts(2, set(), {2, 3}))
    assert (decision.survivor_id, decision.absorbed_id) == (2, 1)


def test_between_equals_the_older_record_survives() -> None:
    decision = decide_merge(_facts(5), _facts(4))
    assert (decision.survivor_id, decision.absorbed_id) == (4, 5)


def test_a_verified_phone_and_a_verified_union_id_may_be_one_person() -> None:
    assert decide_merge(_facts(1, {"phone"}), _facts(2, {"union_id"})).allowed


# ---- tiers ----------------------------------------------------------------------------

TIERS = [Tier("silver", "Silver", 0), Tier("gold", "Gold", 1000), Tier("black", "Black", 5000)]


@pytest.mark.parametrize(
    ("value", "tier"),
    [(0, "silver"), (999, "silver"), (1000, "gold"), (4999, "gold"), (10**9, "black")],
)
def test_the_highest_tier_reached_is_the_members(value: int, tier: str) -> None:
    assert evaluate_tier(TIERS, value) == tier


def test_the_entry_tier_is_the_one_at_zero() -> None:
    assert entry_tier(reversed(TIERS)) == "silver"


@pytest.mark.parametrize(
    "tiers",
    [
        [],
        [Tier("a", "A", 10)],
        [Tier("a", "A", 0), Tier("a", "B", 10)],
        [Tier("a", "A", 0), Tier("b", "B", 0)],
        [Tier("a", "A", 0), Tier("b", "B", -5)],
    ],
)
def test_tier_tables_without_one_clear_entry_tier_are_refused(tiers: list[Tier]) -> None:
    with pytest.raises(ValueError):
        check_tiers(tiers)


@given(st.lists(st.integers(1, 10**6), unique=True, max_size=8), st.integers(0, 10**7))
def test_more_value_never_means_a_lower_tier(thresholds: list[int], value: int) -> None:
    tiers = [Tier("t0", "T0", 0), *(Tier(f"t{t}", "T", t) for t in thresholds)]
    rank = {t.code: t.threshold for t in tiers}
    assert rank[evaluate_tier(tiers, value)] <= rank[evaluate_tier(tiers, value + 1)]


# ---- points ---------------------------------------------------------------------------

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def test_earned_points_expire_after_the_brand_s_days() -> None:
    assert earn_expiry(T0, 365) == T0 + timedelta(days=365)
    assert earn_expiry(T0, None) is None


Op = tuple[str, int]
ops = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(1, 500)),
        st.tuples(st.just("spend"), st.integers(1, 800)),
        st.tuples(st.just("wait"), st.integers(1, 40)),
    ),
    max_size=40,
)
LIFETIME = timedelta(days=30)


@dataclass
class Lot:
    remaining: int
    expires_at: datetime


@dataclass
class Books:
    """Two ways to keep points: lots spent first in, first out, and the bare ledger."""

    now: datetime = T0
    lots: list[Lot] = field(default_factory=list)
    ledger: list[tuple[int, datetime | None]] = field(default_factory=list)

    def lot_balance(self) -> int:
        return sum(lot.remaining for lot in self.lots)

    def ledger_balance(self) -> int:
        return sum(points for points, _ in self.ledger)

    def expire(self) -> None:
        for lot in self.lots:
            lot.remaining = 0 if lot.expires_at <= self.now else lot.remaining
        expired_earned = sum(
            p for p, exp in self.ledger if p > 0 and exp is not None and exp <= self.now
        )
        debited = -sum(p for p, _ in self.ledger if p < 0)
        amount = points_to_expire(expired_earned=expired_earned, debited=debited)
        self.ledger.extend([(-amount, None)] * (amount > 0))

    def wait(self, days: int) -> None:
        self.now += timedelta(days=days)

    def earn(self, n: int) -> None:
        self.lots.append(Lot(n, self.now + LIFETIME))
        self.ledger.append((n, self.now + LIFETIME))

    def spend(self, n: int) -> None:
        n = n if self.lot_balance() >= n else 0
        self.ledger.extend([(-n, None)] * (n > 0))
        for lot in self.lots:
            take = min(lot.remaining, n)
            lot.remaining -= take
            n -= take


@given(ops)
def test_the_ledger_formula_expires_what_a_fifo_of_lots_would(sequence: list[Op]) -> None:
    """With one expiry period for all earnings, charging debits to the earliest-expiring
    points (what the expiry job's sums assume) is the same as spending lots first in, first out."""
    books = Books()
    for op, n in sequence:
        books.expire()
        assert books.lot_balance() == books.ledger_balance()
        getattr(books, op)(n)
    books.expire()
    assert books.lot_balance() == books.ledger_balance() >= 0
