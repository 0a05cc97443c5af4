import random

from newretail.org.rules import check_opening_hours
from newretail.simulate import names
from newretail.simulate.plans import WAREHOUSE_HOURS, hours
from newretail.simulate.shanghai import DEMO_PLAN
from newretail.simulate.world import step_rng


def test_a_step_stream_depends_only_on_the_seed_and_the_step() -> None:
    first = [step_rng(7, "members").random() for _ in range(3)]
    again = [step_rng(7, "members").random() for _ in range(3)]

    assert first == again
    assert step_rng(7, "orders").random() != first[0]
    assert step_rng(8, "members").random() != first[0]


def test_late_hours_apply_on_friday_and_saturday_only() -> None:
    week = hours(("10:00", "22:00"), late=("10:00", "22:30"))

    assert week["fri"] == week["sat"] == [["10:00", "22:30"]]
    assert week["sun"] == week["mon"] == [["10:00", "22:00"]]


def test_a_closed_day_has_no_hours() -> None:
    assert "sun" not in WAREHOUSE_HOURS
    assert len(WAREHOUSE_HOURS) == 6


def test_every_planned_store_has_valid_opening_hours() -> None:
    for brand in DEMO_PLAN.brands:
        for store in brand.stores:
            check_opening_hours(store.opening_hours)


def test_names_drawn_for_a_brand_are_distinct() -> None:
    drawn = names.people(random.Random(3), 40)

    assert len(set(drawn)) == 40
    assert all(2 <= len(name) <= 3 for name in drawn)


def test_store_codes_are_unique_across_brands() -> None:
    codes = [store.code for brand in DEMO_PLAN.brands for store in brand.stores]

    assert len(codes) == len(set(codes))
