"""The commission maths and rule matching, without a database."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from newretail.commission import rules
from newretail.commission.rules import Guide, LineFacts, Match, PlanSpec, RuleSpec

AT = datetime(2026, 11, 20, tzinfo=UTC)


def _facts(**fields: object) -> LineFacts:
    values: dict[str, object] = {
        "line_id": 1, "at": AT, "channel": "online", "base": 10_000, "sku_id": 7,
        "category_id": 3, "store_type": "direct", "bound_guide": Guide(1, "junior"),
        "referring_guide": Guide(2, "star"), "share_guide": None, "bound_store_id": None,
        "selling_store_id": 10, "fulfilling_store_id": None,
    }  # fmt: skip
    return LineFacts(**(values | fields))  # type: ignore[arg-type]


def _plan(*specs: RuleSpec, policy: str = "bound", bound_share_bp: int = 10_000) -> PlanSpec:
    return PlanSpec(1, "Plan", policy, bound_share_bp, specs)


def test_round_half_up_rounds_halves_away_from_zero() -> None:
    assert [rules.round_half_up(n, 10) for n in (14, 15, 25, -15)] == [1, 2, 3, -2]


@given(
    base=st.integers(0, 10**9),
    rate=st.integers(0, 10_000),
    cap=st.none() | st.integers(0, 10**7),
    share=st.integers(0, 10_000),
)
def test_a_groups_parts_add_up_to_its_commission(
    base: int, rate: int, cap: int | None, share: int
) -> None:
    parts = rules.group_amounts(base, rate, None, cap, [share, 10_000 - share])
    assert sum(parts) == rules.group_commission(base, rate, None, cap)
    assert all(p >= 0 for p in parts)


@given(kept=st.integers(0, 10**7), weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=5))
def test_line_bases_never_exceed_what_each_line_kept(kept: int, weights: list[int]) -> None:
    bases = rules.line_bases(kept, weights)
    assert all(0 <= b <= w for b, w in zip(bases, weights, strict=True))
    assert sum(bases) == (min(kept, sum(weights)) if sum(weights) else 0)


def test_a_sku_rule_beats_a_category_rule_whatever_their_priorities() -> None:
    category = RuleSpec(1, "category", "cps", priority=9, category_id=3, rate_bp=100)
    sku = RuleSpec(2, "sku", "cps", priority=0, sku_id=7, rate_bp=200)
    assert rules.resolve([category, sku], rules.Kind.CPS, Match(AT, sku_id=7, category_id=3)) == sku


def test_priority_decides_between_equally_specific_rules() -> None:
    low = RuleSpec(1, "low", "cps", channel="online", rate_bp=100, valid_until=AT)
    high = RuleSpec(2, "high", "cps", channel="online", priority=1, rate_bp=200)
    assert rules.resolve([low, high], rules.Kind.CPS, Match(AT, channel="online")) == high


def test_rules_outside_their_dates_never_match() -> None:
    later = RuleSpec(1, "later", "cps", rate_bp=100, valid_from=AT + timedelta(days=1))
    assert rules.resolve([later], rules.Kind.CPS, Match(AT)) is None


def test_equal_rules_at_equal_priority_overlap_unless_their_dates_part() -> None:
    a = RuleSpec(1, "a", "cps", channel="pos", rate_bp=100, valid_until=AT)
    b = RuleSpec(2, "b", "cps", channel="pos", rate_bp=200)
    c = RuleSpec(3, "c", "cps", channel="pos", rate_bp=200, valid_from=AT)
    assert rules.overlapping(a, b)
    assert not rules.overlapping(a, c)
    assert not rules.overlapping(b, RuleSpec(4, "d", "cps", channel="online", rate_bp=1))


def test_a_split_credits_both_guides_by_the_level_of_the_bound_one() -> None:
    junior = RuleSpec(1, "junior", "cps", guide_level="junior", rate_bp=1000)
    star = RuleSpec(2, "star", "cps", guide_level="star", rate_bp=3000)
    plan = _plan(junior, star, policy="split", bound_share_bp=7000)
    found = rules.accrue_line(plan, _facts())
    assert [(a.beneficiary_id, a.amount, a.share_bp, a.rule.name) for a in found] == [
        (1, 700, 7000, "junior"),
        (2, 300, 3000, "junior"),
    ]


def test_a_guide_buying_for_themselves_leaves_the_split_to_the_other() -> None:
    plan = _plan(RuleSpec(1, "all", "cps", rate_bp=1000), policy="split", bound_share_bp=5000)
    found = rules.accrue_line(plan, _facts(bound_guide=Guide(1, None, is_buyer=True)))
    assert [(a.beneficiary_id, a.amount, a.share_bp, a.reason) for a in found] == [
        (2, 1000, None, "referring_guide")
    ]


def test_repricing_on_a_smaller_base_is_pricing_afresh() -> None:
    plan = _plan(
        RuleSpec(1, "r", "cps", rate_bp=1234, cap=500), policy="split", bound_share_bp=3333
    )
    first = rules.accrue_line(plan, _facts(base=9_999))
    again = rules.repriced([(a.rate_bp, a.fixed, a.cap, a.share_bp) for a in first], 2_001)
    assert again == [a.amount for a in rules.accrue_line(plan, _facts(base=2_001))]


def test_entries_frozen_until_fulfilment_wait_for_it() -> None:
    rule = RuleSpec(1, "r", "cps", rate_bp=1, until_fulfilled=True, freeze_days=3)
    assert rules.release_at(rule, AT, None) is None
    assert rules.release_at(rule, AT, AT + timedelta(days=2)) == AT + timedelta(days=2)
    assert rules.release_at(RuleSpec(2, "s", "cps", freeze_days=3), AT, None) == AT + timedelta(
        days=3
    )
