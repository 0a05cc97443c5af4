"""The simulator's journeys, ingested and copied, give back exactly what was planted."""

import random
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from tests import builders

from newretail.analytics.warehouse import open_warehouse
from newretail.analytics.warehouse.duck import DuckDBWarehouse
from newretail.analytics.warehouse.sync import sync
from newretail.db import Database
from newretail.members import service as members_service
from newretail.members.models import Membership
from newretail.simulate import journeys
from newretail.simulate.journey_plan import FUNNEL, JourneysPlan, Planted
from newretail.simulate.members import anchor_time

pytestmark = pytest.mark.postgres
PLAN = JourneysPlan(people_per_store=400, touch_buyers=10, browsers=5, shared_kiosks=1)
PERSON = "coalesce(p.person_id, e.person_key)"
JOIN = (
    "FROM events e LEFT JOIN persons p ON p.brand_id = e.brand_id AND p.person_key = e.person_key"
)


@dataclass
class Run:
    database: Database
    warehouse: DuckDBWarehouse
    planted: Planted
    events: list[dict]
    totals: dict[str, int]
    brand_id: int


@pytest.fixture
def run(database: Database) -> Iterator[Run]:
    world = builders.brand_world(database)
    sites = [journeys.Site(world.east_store.id, 7, world.east_guide.id)]
    sites.append(journeys.Site(world.west_store.id, 8))
    anchor = anchor_time()
    with database.transaction() as session:
        events, planted = journeys.plant(
            session=session,
            brand_id=world.brand.id,
            sites=sites,
            plan=PLAN,
            rng=random.Random(100),
            anchor=anchor,
        )
        totals = journeys.send(
            session=session, brand_id=world.brand.id, events=events, days=PLAN.days, now=anchor
        )
    warehouse = open_warehouse(":memory:")
    sync(database=database, warehouse=warehouse)
    yield Run(database, warehouse, planted, events, totals, world.brand.id)
    warehouse.close()


def _person(run: Run, key: str) -> str:
    rows = run.warehouse.query(
        "SELECT coalesce(max(person_id), ?) FROM persons WHERE brand_id = ? AND person_key = ?",
        [key, run.brand_id, key],
    )
    return str(rows[0][0])


def test_every_journey_event_is_kept(run: Run) -> None:
    assert run.totals == {
        "accepted": len(run.events),
        "duplicates": 0,
        "no_consent": 0,
        "rejected": 0,
    }


def test_every_planted_same_person_pair_is_one_person(run: Run) -> None:
    apart = [(a, b) for a, b in run.planted.same_person if _person(run, a) != _person(run, b)]

    assert len(run.planted.same_person) > 20
    assert apart == []


def test_no_two_members_become_one(run: Run) -> None:
    with run.database.transaction(read_only=True) as session:
        refusals = members_service.refused_merges(session=session)
        consumers = {}
        for a, b in run.planted.kept_apart:
            for key in (a, b):
                member = session.get(Membership, int(key.removeprefix("member:")))
                assert member is not None
                consumers[key] = member.consumer_id
    merged_members = run.warehouse.query(
        "SELECT count(*) FROM persons WHERE person_key LIKE 'member:%'"
    )

    assert len(run.planted.kept_apart) == 2
    assert all(consumers[a] != consumers[b] for a, b in run.planted.kept_apart)
    assert len(refusals) == len(run.planted.kept_apart)
    assert merged_members == [(0,)]


def test_the_recovered_funnel_counts_are_the_planted_ones(run: Run) -> None:
    for store in run.planted.stores:
        recovered = []
        for k in range(len(FUNNEL)):
            steps = ", ".join(f"'{name}'" for name in FUNNEL[: k + 1])
            rows = run.warehouse.query(
                f"SELECT count(*) FROM (SELECT {PERSON} AS person {JOIN} "
                f"WHERE e.store_id = ? AND e.event IN ({steps}) "
                f"GROUP BY person HAVING count(DISTINCT e.event) = ?)",
                [store.store_id, k + 1],
            )
            recovered.append(rows[0][0])

        assert tuple(recovered) == store.counts


def test_each_planted_purchase_follows_its_touch_within_the_window(run: Run) -> None:
    rows = run.warehouse.query(
        "SELECT o.order_id, o.revenue_fen FROM events o JOIN events t "
        "ON t.person_key = o.person_key AND t.ts < o.ts AND o.ts <= t.ts + INTERVAL 14 DAY "
        "WHERE o.event = 'Order Completed' AND t.event IN ('Popup Visited', 'QR Scanned', "
        "'Share Opened', 'Sample Dispensed', 'Ad Exposed') ORDER BY o.order_id"
    )
    planted = sorted((a["order_id"], a["revenue_fen"]) for a in run.planted.attributions)

    assert rows == planted


def test_sending_the_journeys_again_changes_nothing(run: Run) -> None:
    anchor = anchor_time()
    with run.database.transaction() as session:
        again = journeys.send(
            session=session, brand_id=run.brand_id, events=run.events, days=PLAN.days, now=anchor
        )
    report = sync(database=run.database, warehouse=run.warehouse)

    assert (again["accepted"], again["duplicates"]) == (0, len(run.events))
    assert report.events == 0
