"""The search finds exactly what trying every subset finds, and its splits add up.

The suite tries 1,000 random problems; ``NEWRETAIL_BEST_EXAMPLES`` asks for more.
"""

import os
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from newretail.promotions import rules
from newretail.promotions.rules import Quote
from newretail.simulate.offers import CONTEXT, problem


def _splits_add_up(quote: Quote, line_totals: list[int]) -> bool:
    for combination in (quote.best, *quote.alternatives):
        taken = [sum(a.lines[i] for a in combination.applied) for i in range(len(line_totals))]
        left = [total - off for total, off in zip(line_totals, taken, strict=True)]
        if left != list(combination.line_payable) or min(left) < 0:
            return False
        if not all(sum(a.lines) == a.saving for a in combination.applied):
            return False
        if not all(a.saving + a.gift > 0 for a in combination.applied):
            return False
        if combination.gift != sum(a.gift for a in combination.applied):
            return False
        if combination.payable != quote.subtotal - combination.saving:
            return False
    return True


@settings(max_examples=int(os.environ.get("NEWRETAIL_BEST_EXAMPLES", "1000")), deadline=None)
@given(st.integers(min_value=0, max_value=2**64))
def test_the_search_equals_exhaustive_search_and_splits_add_up_to_the_fen(seed: int) -> None:
    cart, offers, limits = problem(Random(seed))
    found = rules.quote(cart, offers, CONTEXT, limits)
    tried = rules.quote(cart, offers, CONTEXT, limits, search=rules.exhaustive_combinations)
    assert found == tried
    assert _splits_add_up(found, [line.unit_price * line.quantity for line in cart])
