"""The search finds exactly what trying every subset finds, and its splits add up.

The suite tries 1,000 random problems; ``NEWRETAIL_BEST_EXAMPLES`` asks for more.
"""

import os
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from newretail.promotions import rules
from newretail.promotions.rules import Quote
from newretail.promotions.tail import Tail
from newretail.simulate.offers import CONTEXT, problem, tail


def _splits_add_up(quote: Quote, line_totals: list[int], held: Tail = Tail()) -> bool:
    for combination in (quote.best, *quote.alternatives):
        parts = (*combination.applied, *combination.tail)
        taken = [sum(a.lines[i] for a in parts) for i in range(len(line_totals))]
        left = [total - off for total, off in zip(line_totals, taken, strict=True)]
        if left != list(combination.line_payable) or min(left) < 0:
            return False
        if not all(sum(a.lines) == a.saving for a in parts):
            return False
        if not all(a.saving + a.gift > 0 for a in combination.applied):
            return False
        if combination.gift != sum(a.gift for a in combination.applied):
            return False
        after_offers = quote.subtotal - combination.saving
        if combination.payable != after_offers - combination.credit - combination.points_off:
            return False
        if combination.points > held.offered or combination.credit > held.credit:
            return False
        # The points pay at the brand's rate, within its share of what is left to pay.
        left = after_offers - combination.credit
        if combination.points_off * 100 > left * held.cap_pct:
            return False
        if combination.points_off * held.per_yuan > combination.points * 100:
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


@settings(max_examples=int(os.environ.get("NEWRETAIL_BEST_EXAMPLES", "1000")), deadline=None)
@given(st.integers(min_value=0, max_value=2**64))
def test_with_points_and_deposit_credit_the_search_still_equals_exhaustive_search(
    seed: int,
) -> None:
    r = Random(seed)
    cart, offers, limits = problem(r)
    held = tail(r, cart)
    found = rules.quote(cart, offers, CONTEXT, limits, tail=held)
    tried = rules.quote(
        cart, offers, CONTEXT, limits, search=rules.exhaustive_combinations, tail=held
    )
    assert found == tried
    assert _splits_add_up(found, [line.unit_price * line.quantity for line in cart], held)
