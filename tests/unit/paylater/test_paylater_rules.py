"""Pay-later rules: qualification, down payment, due date and the retry schedule."""

from datetime import UTC, datetime, timedelta

from newretail.paylater import credit, rules

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_a_score_at_the_threshold_qualifies() -> None:
    assert rules.qualifies(650, 650)
    assert not rules.qualifies(649, 650)


def test_the_down_payment_is_never_more_than_the_order() -> None:
    assert rules.down_payment(59_900, 100) == 100
    assert rules.down_payment(50, 100) == 50


def test_the_balance_is_due_after_the_term() -> None:
    assert rules.due_at(NOW, 30) == NOW + timedelta(days=30)


def test_retries_back_off_then_stop() -> None:
    attempts = [rules.next_attempt(n, NOW) for n in range(1, len(rules.RETRY_DELAYS) + 2)]
    assert attempts == [
        NOW + timedelta(hours=1),
        NOW + timedelta(hours=6),
        NOW + timedelta(days=1),
        None,
    ]


def test_the_demo_score_depends_on_the_member_alone() -> None:
    scores = {credit.DemoCreditProvider().score(brand_id=b, member_id=42) for b in (1, 2)}
    assert len(scores) == 1
    assert 300 <= scores.pop() <= 850


def test_the_terms_split_an_order_into_the_down_payment_now_and_the_rest_at_the_term() -> None:
    now = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)
    assert rules.terms(12_900, 100, now, 30) == rules.Terms(
        now=100, later=12_800, due_at=datetime(2027, 1, 5, 4, 0, tzinfo=UTC)
    )


def test_an_order_below_the_down_payment_is_paid_whole_now_and_nothing_is_left() -> None:
    now = datetime(2026, 12, 6, tzinfo=UTC)
    terms = rules.terms(50, 100, now, 30)
    assert (terms.now, terms.later) == (50, 0)
