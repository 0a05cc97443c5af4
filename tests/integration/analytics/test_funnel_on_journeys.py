"""The analyses on the simulator's journeys, ingested and copied like real traffic: the
seed funnel by store gives back each store's planted counts, and attribution gives back
the planted touch -> purchase pairs, on each warehouse engine."""

import random
from datetime import timedelta

import pytest
from tests import builders
from tests.warehouse_builders import PlantedWarehouse

from newretail.analytics.attribution.query import attribute_period
from newretail.analytics.attribution.rules import AttributionSettings
from newretail.analytics.funnels.query import FunnelQuery, run_funnel
from newretail.analytics.funnels.rules import grouped, step_counts
from newretail.analytics.reports.standard import SEED_FUNNEL_SPEC
from newretail.analytics.warehouse.sync import sync
from newretail.db import Database
from newretail.simulate import journeys
from newretail.simulate.journey_plan import JourneysPlan
from newretail.simulate.members import anchor_time

pytestmark = pytest.mark.postgres
PLAN = JourneysPlan(people_per_store=300, touch_buyers=10, browsers=2, shared_kiosks=1)


def test_the_seed_funnel_and_attribution_recover_what_the_journeys_planted(
    database: Database, engine: str
) -> None:
    world = builders.brand_world(database)
    sites = [
        journeys.Site(world.east_store.id, 7, world.east_guide.id),
        journeys.Site(world.west_store.id, 8),
    ]
    anchor = anchor_time()
    with database.transaction() as session:
        events, planted = journeys.plant(
            session=session,
            brand_id=world.brand.id,
            sites=sites,
            plan=PLAN,
            rng=random.Random(7),
            anchor=anchor,
        )
        journeys.send(
            session=session, brand_id=world.brand.id, events=events, days=PLAN.days, now=anchor
        )
    copy = PlantedWarehouse(engine)
    warehouse = copy.store
    sync(database=database, warehouse=warehouse)
    start = anchor - timedelta(days=PLAN.days + 1)
    query = FunnelQuery(world.brand.id, SEED_FUNNEL_SPEC, start, anchor, anchor, "store")
    labels = [s.label for s in SEED_FUNNEL_SPEC.steps]

    by_store = {
        g.value: [s.reached for s in g.steps] for g in grouped(labels, run_funnel(warehouse, query))
    }
    overall = FunnelQuery(world.brand.id, SEED_FUNNEL_SPEC, start, anchor, anchor)
    total = [s.reached for s in step_counts(labels, run_funnel(warehouse, overall))]
    found = attribute_period(
        warehouse,
        brand_id=world.brand.id,
        start=start,
        end=anchor + timedelta(days=1),
        settings=AttributionSettings(),
    )
    copy.close()

    assert len(planted.attributions) == 20
    assert by_store == {str(s.store_id): list(s.counts) for s in planted.stores}
    assert total == [sum(n) for n in zip(*(s.counts for s in planted.stores), strict=True)]
    assert sorted((c.order_id, c.touch.event, c.fen) for c in found.credits) == sorted(
        (int(str(a["order_id"])), str(a["touch"]), int(str(a["revenue_fen"])))
        for a in planted.attributions
    )
