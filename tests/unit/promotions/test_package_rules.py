"""Assembling a coupon package: one benefit per brand, no conflicts, within the budget, the
most expected value, and a reason for every benefit in or out; equal to exhaustive search."""

import os
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from newretail.promotions.packages import rules
from newretail.promotions.packages.rules import Benefit, Decision, Problem, Verdict
from newretail.simulate.packages import problem


def benefit(n: int, brand: int, value: int, cost: int, segment: str | None = None) -> Benefit:
    return Benefit(f"template:{n}", brand, value, cost, segment)


def test_a_brand_gives_its_best_benefit_that_fits() -> None:
    found = rules.assemble(
        Problem(
            (benefit(1, 1, 300, 1_000), benefit(2, 1, 500, 2_000), benefit(3, 2, 100, 500)), 2_600
        )
    )
    assert found.picked == ("template:2", "template:3")
    assert (found.value, found.cost) == (600, 2_500)


def test_conflicting_benefits_never_share_a_package() -> None:
    benefits = (
        benefit(1, 1, 400, 1_000, "prams"),
        benefit(2, 2, 300, 1_000, "prams"),
        benefit(3, 3, 250, 1_000),
        benefit(4, 4, 200, 1_000),
    )
    named = frozenset({frozenset({"template:3", "template:4"})})
    found = rules.assemble(Problem(benefits, 10_000, named))
    assert found.picked == ("template:1", "template:3")


def test_the_budget_can_make_two_small_benefits_beat_one_big_one() -> None:
    benefits = (benefit(1, 1, 900, 3_000), benefit(2, 2, 500, 1_500), benefit(3, 3, 500, 1_500))
    assert rules.assemble(Problem(benefits, 3_000)).picked == ("template:2", "template:3")


def test_equal_packages_go_to_the_cheaper_one() -> None:
    benefits = (benefit(1, 1, 500, 2_000), benefit(2, 2, 500, 1_000))
    assert rules.assemble(Problem(benefits, 2_000)).picked == ("template:2",)


def test_every_benefit_gets_a_reason_and_each_pick_its_margin() -> None:
    benefits = (
        benefit(1, 1, 600, 2_000, "sofas"),
        benefit(2, 1, 400, 1_000),
        benefit(3, 2, 500, 1_000, "sofas"),
        benefit(4, 3, 0, 100),
        benefit(5, 4, 900, 9_000),
        benefit(6, 5, 300, 1_500),
        benefit(7, 6, 350, 1_000),
    )
    found = rules.assemble(Problem(benefits, 4_000, max_benefits=2))
    assert found.decisions == (
        Decision("template:1", Verdict.PICKED, margin=50),
        Decision("template:2", Verdict.BRAND_TAKEN, "template:1"),
        Decision("template:3", Verdict.CONFLICT, "template:1"),
        Decision("template:4", Verdict.NO_VALUE),
        Decision("template:5", Verdict.OVER_BUDGET),
        Decision("template:6", Verdict.PACKAGE_FULL),
        Decision("template:7", Verdict.PICKED, margin=50),
    )
    assert found.picked == ("template:1", "template:7")


def test_a_benefit_that_fits_no_longer_is_out_for_the_budget_left() -> None:
    benefits = (benefit(1, 1, 800, 3_000), benefit(2, 2, 300, 1_500))
    found = rules.assemble(Problem(benefits, 4_000))
    assert found.decisions[1] == Decision("template:2", Verdict.BUDGET_LEFT)


def test_no_benefits_make_an_empty_package() -> None:
    found = rules.assemble(Problem((), 1_000))
    assert (found.picked, found.value, found.decisions) == ((), 0, ())


@settings(max_examples=int(os.environ.get("NEWRETAIL_PACKAGE_EXAMPLES", "500")), deadline=None)
@given(
    st.integers(min_value=0, max_value=2**64),
    st.integers(min_value=0, max_value=11),
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=0, max_value=4),
)
def test_the_search_equals_exhaustive_search(
    seed: int, size: int, brands: int, segments: int
) -> None:
    drawn = problem(Random(seed), size, brands, segments=segments)
    found = rules.assemble(drawn)
    best = rules.exhaustive(drawn)
    clash = rules.clashes(drawn)
    picked = [i for i, d in enumerate(found.decisions) if d.verdict is Verdict.PICKED]
    assert found.picked == tuple(drawn.benefits[i].key for i in best)
    assert rules.feasible(drawn, picked, clash)
    assert all(d.margin >= 0 for d in found.decisions if d.margin is not None)
