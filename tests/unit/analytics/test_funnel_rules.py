"""Reading the funnel engine's counts, and the funnel spec's refusals."""

from fractions import Fraction

import pytest
from pydantic import ValidationError

from newretail.analytics.funnels.rules import (
    FunnelSpec,
    Reach,
    grouped,
    reaches_of_steps,
    step_counts,
)

LABELS = ["a", "b", "c"]


def test_reached_counts_every_step_up_to_the_deepest() -> None:
    counts = step_counts(LABELS, [Reach("x", 3, False, 2), Reach("x", 1, False, 6)])

    assert [c.reached for c in counts] == [8, 2, 2]
    assert [c.rate_from_previous for c in counts] == [None, Fraction(1, 4), Fraction(1)]


def test_people_in_progress_are_shown_at_their_step_but_not_in_the_rates() -> None:
    counts = step_counts(
        LABELS, [Reach("x", 2, True, 5), Reach("x", 2, False, 1), Reach("x", 1, False, 1)]
    )

    assert [c.in_progress for c in counts] == [0, 5, 0]
    assert [c.reached for c in counts] == [7, 6, 0]
    assert counts[1].rate_from_previous == Fraction(1, 2)


def test_a_step_nobody_settled_at_has_no_rate_rather_than_a_division_by_zero() -> None:
    counts = step_counts(LABELS, [Reach("x", 1, True, 3)])

    assert [c.rate_from_previous for c in counts] == [None, None, None]


def test_groups_come_largest_first() -> None:
    groups = grouped(LABELS, [Reach("small", 1, False, 1), Reach("big", 1, False, 9)])

    assert [g.value for g in groups] == ["big", "small"]


def test_unknown_events_and_misplaced_exclusions_are_refused_with_reasons() -> None:
    with pytest.raises(ValidationError, match="unknown event 'Store Entred'"):
        FunnelSpec.model_validate(
            {"steps": [{"label": "a", "events": ["Store Entred"]}, {"label": "b"}]}
        )
    with pytest.raises(ValidationError, match="between two of the 2 steps"):
        FunnelSpec.model_validate(
            {
                "steps": [{"label": "a"}, {"label": "b"}],
                "exclusions": [{"events": ["Order Refunded"], "after_step": 2}],
            }
        )
    with pytest.raises(ValidationError, match="at least 2 items"):
        FunnelSpec.model_validate({"steps": [{"label": "a"}]})


def test_people_per_deepest_step_come_from_per_step_counts() -> None:
    # 10 entered (3 still in their window), 6 went on (2 open), 4 finished (1 open)
    reaches = reaches_of_steps([(10, 3), (6, 2), (4, 1)])

    assert reaches == [
        Reach("(none)", 1, True, 1),
        Reach("(none)", 1, False, 3),
        Reach("(none)", 2, True, 1),
        Reach("(none)", 2, False, 1),
        Reach("(none)", 3, False, 4),
    ]
    assert [c.reached for c in step_counts(LABELS, reaches)] == [10, 6, 4]
