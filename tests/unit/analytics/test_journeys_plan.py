"""The journeys' planted funnel: per-store rates around the seed funnel, exact counts."""

import random

from newretail.simulate.journey_plan import SEED_RATES, JourneysPlan, realised, store_plan


def test_each_store_gets_its_own_rates_within_the_spread() -> None:
    rng = random.Random(100)
    plan = JourneysPlan(people_per_store=1000)

    stores = [store_plan(rng, plan, store_id=n, district_id=None, guide_id=None) for n in range(4)]

    assert len({s.rates for s in stores}) == 4
    for s in stores:
        for rate, seed in zip(s.rates, SEED_RATES, strict=True):
            assert seed * 0.75 <= rate <= seed * 1.25


def test_the_counts_follow_the_rates_step_by_step() -> None:
    plan = JourneysPlan(people_per_store=1000, spread=0.0)

    s = store_plan(random.Random(1), plan, store_id=1, district_id=None, guide_id=None)

    assert s.counts == (1000, 200, 100, 40, 20)
    assert realised(s.counts) == [0.2, 0.5, 0.4, 0.5]
