"""Targets count actuals in every channel: a member's online purchase counts for the store
and guide they are bound to, not the store that shipped it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from tests import builders, member_builders, order_builders
from tests.integration.workbench.sales import paid_order

from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.workbench import service

pytestmark = pytest.mark.postgres


def _today() -> str:
    """Today where the test stores are (their days are the targets' days)."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def _put(client: TestClient, headers: dict[str, str], **body: object) -> dict[str, object]:
    answer = client.put("/api/v1/targets", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_an_online_purchase_counts_for_the_members_store_and_guide(
    database: Database, client: TestClient
) -> None:
    shop = order_builders.shop(database)
    world = shop.world
    west_guide = member_builders.guide(database, world.brand.id, world.west_store.id)
    consumer = member_builders.consumer(database)
    member_builders.scan(database, world.brand.id, consumer, world.west_store.id, west_guide.id)
    today = _today()
    admin = world.headers("admin")
    for guide in (None, west_guide.id):
        for store in (world.west_store.id, world.east_store.id):
            if guide is None or store == world.west_store.id:
                _put(
                    client,
                    admin,
                    store_id=store,
                    guide_id=guide,
                    metric="sales",
                    period="month",
                    starts_on=today,
                    goal=1_000_000,
                )
    _, total = paid_order(database, consumer, shop)
    answer = client.get("/api/v1/targets", headers=admin).json()
    actuals = {(t["store_id"], t["guide_id"]): t["actual"] for t in answer}
    assert actuals == {
        (world.west_store.id, None): total,
        (world.west_store.id, west_guide.id): total,
        (world.east_store.id, None): 0,
    }


def test_new_members_count_for_their_store_and_their_guide(
    database: Database, client: TestClient
) -> None:
    world = builders.brand_world(database)
    admin = world.headers("admin")
    today = _today()
    _put(
        client,
        admin,
        store_id=world.east_store.id,
        metric="new_members",
        period="day",
        starts_on=today,
        goal=5,
    )
    _put(
        client,
        admin,
        store_id=world.east_store.id,
        guide_id=world.east_guide.id,
        metric="new_members",
        period="week",
        starts_on=today,
        goal=3,
    )
    member_builders.member(database, world)
    member_builders.member(database, world)
    with database.transaction(read_only=True) as session:
        rows = service.current_progress(session=session, scope=SYSTEM, now=utcnow())
        found = sorted((r.target.guide_id or 0, r.actual, r.percent) for r in rows)
    assert found == [
        (0, 2, 40),
        (world.east_guide.id, 2, 66),
    ]


def test_a_guide_sees_their_own_targets_and_may_not_set_any(
    database: Database, client: TestClient
) -> None:
    world = builders.brand_world(database)
    today = _today()
    _put(
        client,
        world.headers("admin"),
        store_id=world.east_store.id,
        guide_id=world.east_guide.id,
        metric="sales",
        period="day",
        starts_on=today,
        goal=100,
    )
    guide = world.headers("east_guide")
    mine = client.get("/api/v1/targets", headers=guide).json()
    assert [t["guide_id"] for t in mine] == [world.east_guide.id]
    refused = client.put(
        "/api/v1/targets",
        json={
            "store_id": world.east_store.id,
            "metric": "sales",
            "period": "day",
            "starts_on": today,
            "goal": 1,
        },
        headers=guide,
    )
    assert refused.status_code == 403


def test_a_store_manager_may_not_set_another_stores_target(
    database: Database, client: TestClient
) -> None:
    world = builders.brand_world(database)
    refused = client.put(
        "/api/v1/targets",
        json={
            "store_id": world.west_store.id,
            "metric": "sales",
            "period": "day",
            "starts_on": _today(),
            "goal": 1,
        },
        headers=world.headers("east_store_manager"),
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "target_out_of_scope")
    other = builders.brand_world(database)
    assert client.get("/api/v1/targets", headers=other.headers("admin")).json() == []


def test_another_brand_may_not_set_a_target_for_my_store(
    database: Database, client: TestClient
) -> None:
    world = builders.brand_world(database)
    other = builders.brand_world(database)
    refused = client.put(
        "/api/v1/targets",
        json={
            "store_id": world.east_store.id,
            "metric": "sales",
            "period": "day",
            "starts_on": _today(),
            "goal": 1,
        },
        headers=other.headers("admin"),
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "target_out_of_scope")
    assert client.get("/api/v1/targets", headers=world.headers("admin")).json() == []
