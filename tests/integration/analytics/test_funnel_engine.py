"""The funnel engine on planted warehouses: planted per-store rates come back exactly,
people still inside their window are in progress, persons join devices, exclusions drop."""

from datetime import datetime, timedelta
from fractions import Fraction

from tests.warehouse_builders import PlantedWarehouse, plant_seed_funnel

from newretail.analytics.funnels import rules
from newretail.analytics.funnels.query import FunnelQuery, run_funnel
from newretail.analytics.funnels.rules import Exclusion, FunnelSpec, Step
from newretail.analytics.reports.standard import TRAFFIC_LAYERS_SPEC

BRAND, OTHER_BRAND = 1, 2
START = datetime(2026, 11, 1)
NOW = datetime(2026, 11, 30)
SEED = FunnelSpec(
    steps=[
        Step(label="district", events=["District Entered"]),
        Step(label="store", events=["Store Entered"]),
        Step(label="tried", events=["Item Tried On"]),
        Step(label="bought", events=["Order Completed"]),
        Step(label="member", events=["Member Signed Up"]),
    ],
    window_seconds=86_400,
)


def _groups(wh: PlantedWarehouse, spec: FunnelSpec, breakdown: str | None = None) -> dict:
    reaches = run_funnel(wh, FunnelQuery(BRAND, spec, START, NOW, NOW, breakdown=breakdown))
    labels = [s.label for s in spec.steps]
    return {g.value: g.steps for g in rules.grouped(labels, reaches)}


def test_the_planted_rates_of_each_store_come_back_exactly(planted: PlantedWarehouse) -> None:
    wh = planted
    plant_seed_funnel(
        wh,
        BRAND,
        store_id=11,
        district_id=5,
        reached=[10, 5, 2, 1],
        start=START + timedelta(days=1),
        district_only=30,
    )
    plant_seed_funnel(
        wh, BRAND, store_id=12, district_id=5, reached=[8, 6, 3, 3], start=START + timedelta(days=2)
    )
    plant_seed_funnel(
        wh,
        OTHER_BRAND,
        store_id=99,
        district_id=5,
        reached=[50, 50, 50, 50],
        start=START + timedelta(days=2),
    )

    by_store = _groups(wh, SEED, "store")
    by_district = _groups(wh, SEED, "district")

    assert [s.reached for s in by_store["11"]] == [10, 10, 5, 2, 1]
    assert [s.rate_from_previous for s in by_store["11"][2:]] == [
        Fraction(1, 2),
        Fraction(2, 5),
        Fraction(1, 2),
    ]
    assert [s.reached for s in by_store["12"]] == [8, 8, 6, 3, 3]
    assert [s.reached for s in by_store["(none)"]] == [30, 0, 0, 0, 0]
    assert [s.reached for s in by_district["5"]] == [48, 18, 11, 5, 4]
    assert by_district["5"][1].rate_from_start == Fraction(18, 48)


def test_people_still_inside_their_window_are_in_progress_and_left_out_of_rates(
    planted: PlantedWarehouse,
) -> None:
    wh = planted
    plant_seed_funnel(
        wh, BRAND, store_id=11, district_id=5, reached=[4, 2, 2, 2], start=START + timedelta(days=1)
    )
    plant_seed_funnel(
        wh, BRAND, store_id=11, district_id=5, reached=[6, 3], start=NOW - timedelta(hours=3)
    )

    steps = _groups(wh, SEED)["(none)"]

    assert [s.reached for s in steps] == [10, 10, 5, 2, 2]
    assert [s.in_progress for s in steps] == [0, 3, 3, 0, 0]
    assert [s.settled for s in steps] == [4, 4, 2, 2, 2]
    assert steps[2].rate_from_previous == Fraction(1, 2)


def test_a_person_seen_on_two_devices_walks_the_funnel_once(planted: PlantedWarehouse) -> None:
    wh = planted
    plant_seed_funnel(
        wh,
        BRAND,
        store_id=11,
        district_id=5,
        reached=[4, 3, 2, 1],
        start=START + timedelta(days=1),
        cross_device=True,
    )

    steps = _groups(wh, SEED)["(none)"]

    assert [s.reached for s in steps] == [4, 4, 3, 2, 1]


def test_strict_order_stops_where_steps_came_out_of_order_and_any_order_does_not(
    planted: PlantedWarehouse,
) -> None:
    wh = planted
    at = START + timedelta(days=3)
    wh.event(BRAND, "anon:a", "District Entered", at)
    wh.event(BRAND, "anon:a", "Item Tried On", at + timedelta(minutes=5))
    wh.event(BRAND, "anon:a", "Store Entered", at + timedelta(minutes=9))
    wh.event(BRAND, "anon:b", "District Entered", at)
    wh.event(BRAND, "anon:b", "Store Entered", at + timedelta(minutes=5))
    wh.event(BRAND, "anon:b", "Item Tried On", at + timedelta(minutes=9))
    wh.event(BRAND, "anon:b", "Order Completed", at + timedelta(days=2))
    any_order = SEED.model_copy(update={"order": "any"})

    strict = _groups(wh, SEED)["(none)"]
    unordered = _groups(wh, any_order)["(none)"]

    assert [s.reached for s in strict] == [2, 2, 1, 0, 0]
    assert [s.reached for s in unordered] == [2, 2, 2, 0, 0]


def test_an_excluded_event_between_the_steps_drops_the_person_from_the_funnel(
    planted: PlantedWarehouse,
) -> None:
    wh = planted
    people = plant_seed_funnel(
        wh, BRAND, store_id=11, district_id=5, reached=[3, 3, 3, 3], start=START + timedelta(days=1)
    )
    wh.event(BRAND, people[0], "Order Refunded", START + timedelta(days=1, minutes=15))
    wh.event(BRAND, people[1], "Order Refunded", START + timedelta(days=4))
    excluding = SEED.model_copy(
        update={"exclusions": [Exclusion(events=["Order Refunded"], after_step=2)]}
    )

    steps = _groups(wh, excluding)["(none)"]

    assert [s.reached for s in steps] == [2, 2, 2, 2, 2]


def test_entries_outside_the_period_and_late_steps_outside_the_window_do_not_count(
    planted: PlantedWarehouse,
) -> None:
    wh = planted
    wh.event(BRAND, "anon:early", "District Entered", START - timedelta(hours=1))
    wh.event(BRAND, "anon:early", "Store Entered", START + timedelta(minutes=1))
    wh.event(BRAND, "anon:slow", "District Entered", START + timedelta(days=1))
    wh.event(BRAND, "anon:slow", "Store Entered", START + timedelta(days=2, minutes=1))

    steps = _groups(wh, SEED)["(none)"]

    assert [s.reached for s in steps] == [1, 0, 0, 0, 0]


def test_counting_per_step_and_per_person_agree(planted: PlantedWarehouse) -> None:
    wh = planted
    plant_seed_funnel(
        wh,
        BRAND,
        store_id=11,
        district_id=5,
        reached=[7, 5, 2, 1],
        start=START + timedelta(days=1),
        district_only=4,
        cross_device=True,
    )
    plant_seed_funnel(
        wh, BRAND, store_id=12, district_id=5, reached=[6, 3, 3], start=NOW - timedelta(hours=2)
    )
    query = FunnelQuery(BRAND, SEED, START, NOW, NOW)

    by_steps = run_funnel(wh, query)
    by_person = run_funnel(wh, query, per_person=True)

    assert sorted(by_steps, key=repr) == sorted(by_person, key=repr)
    assert {r.in_progress for r in by_steps} == {True, False}


def test_a_step_repeating_the_previous_steps_event_needs_a_second_event(
    planted: PlantedWarehouse,
) -> None:
    wh = planted
    at = START + timedelta(days=3)
    wh.event(BRAND, "anon:once", "Store Entered", at)
    wh.event(BRAND, "anon:once", "Order Completed", at + timedelta(minutes=5))
    wh.event(BRAND, "anon:twice", "Store Entered", at)
    wh.event(BRAND, "anon:twice", "Store Entered", at + timedelta(hours=2))
    wh.event(BRAND, "anon:twice", "Order Completed", at + timedelta(hours=3))
    returning = FunnelSpec(
        steps=[
            Step(label="came", events=["Store Entered"]),
            Step(label="came back", events=["Store Entered"]),
            Step(label="bought", events=["Order Completed"]),
        ],
        window_seconds=86_400,
    )

    steps = _groups(wh, returning)["(none)"]

    assert [s.reached for s in steps] == [2, 1, 1]


def test_the_traffic_layers_count_each_person_at_the_deepest_layer_reached_with_all_above(
    planted: PlantedWarehouse,
) -> None:
    wh = planted
    at = START + timedelta(days=3)
    walks = {
        "anon:ad": [("Ad Exposed", "store_sensor")],
        "anon:web": [("Product Viewed", "web")],
        "anon:near": [("Product Viewed", "mini_app"), ("Geofence Entered", "app")],
        "anon:shop": [
            ("Product Viewed", "app"),
            ("QR Scanned", "mini_app"),
            ("Store Entered", "store_sensor"),
            ("Order Completed", "pos"),
        ],
        "anon:walk-in": [("Store Entered", "store_sensor"), ("Order Completed", "pos")],
    }
    for key, steps in walks.items():
        for i, (name, channel) in enumerate(steps):
            wh.event(BRAND, key, name, at + timedelta(days=i), channel=channel)

    layers = _groups(wh, TRAFFIC_LAYERS_SPEC)["(none)"]

    assert [s.reached for s in layers] == [5, 3, 2, 1, 1]


def test_a_breakdown_by_channel_guide_or_popup_takes_the_value_on_the_first_step_that_has_one(
    planted: PlantedWarehouse,
) -> None:
    wh = planted
    spec = FunnelSpec(
        steps=[
            Step(label="scanned", events=["QR Scanned"]),
            Step(label="store", events=["Store Entered"]),
        ],
        window_seconds=86_400,
    )
    # (first step's channel, guide, pop-up; entered the store after it)
    walkers = [
        ("mini_app", 7, 3, True),
        ("mini_app", 7, 3, False),
        ("mini_app", None, 3, True),
        ("web", 8, None, False),
        ("web", 8, None, False),
    ]
    for n, (channel, guide, popup, entered) in enumerate(walkers):
        person, at = f"anon:split{n}", START + timedelta(days=1, minutes=n)
        wh.event(BRAND, person, "QR Scanned", at, channel=channel, guide_id=guide, popup_id=popup)
        if entered:
            wh.event(BRAND, person, "Store Entered", at + timedelta(minutes=5), store_id=11)

    def reached(breakdown: str) -> dict[str, list[int]]:
        return {v: [s.reached for s in steps] for v, steps in _groups(wh, spec, breakdown).items()}

    assert reached("channel") == {"mini_app": [3, 2], "web": [2, 0]}
    assert reached("guide") == {"7": [2, 1], "8": [2, 0], "(none)": [1, 1]}
    assert reached("popup") == {"3": [3, 2], "(none)": [2, 0]}
