"""Audiences over HTTP: defined with a checked rule, filled on refresh, exported as CSV and
pushed signed to the brand's webhook; another brand's audience is 404 on every route."""

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from tests import builders
from tests.warehouse_builders import ENGINES, PlantedWarehouse

from newretail import consumers
from newretail.config import Settings
from newretail.db import Database
from newretail.integrations import delivery, rules
from newretail.integrations import service as webhook_service
from newretail.integrations.schemas import WebhookCreate
from newretail.kernel.scope import SYSTEM
from newretail.outbox.dispatch import OutboxDispatcher

pytestmark = pytest.mark.postgres
BASE = "/api/v1/analytics/audiences"
ENTERED = {"kind": "did", "event": "Store Entered", "within_days": 7}


def _planted(wh: PlantedWarehouse, brand_id: int) -> None:
    day = (datetime.now(UTC) - timedelta(days=1)).replace(tzinfo=None)
    for member_id, consent in ((31, True), (32, False)):
        wh.member(brand_id, member_id, day, marketing_consent=consent)
        wh.event(brand_id, f"member:{member_id}", "Store Entered", day)
    wh.event(brand_id, "anon:q", "Store Entered", day)


def _webhook(database: Database, brand_id: int) -> str:
    with database.transaction() as session:
        data = WebhookCreate.model_validate(
            {
                "brand_id": brand_id,
                "url": "https://ads.example.com/in",
                "event_types": ["audience.exported"],
            }
        )
        return webhook_service.create_endpoint(session=session, scope=SYSTEM, data=data).secret


@pytest.mark.parametrize("warehouse", ENGINES, indirect=True)
def test_an_audience_is_filled_exported_and_pushed_signed(
    analytics_client: TestClient,
    database: Database,
    warehouse: PlantedWarehouse,
    settings: Settings,
) -> None:
    world = builders.brand_world(database)
    admin = world.headers("admin")
    _planted(warehouse, world.brand.id)
    secret = _webhook(database, world.brand.id)

    created = analytics_client.post(BASE, json={"name": "Came in", "rule": ENTERED}, headers=admin)
    path = f"{BASE}/{created.json()['id']}"
    refreshed = analytics_client.post(f"{path}/refresh", headers=admin)
    members = analytics_client.get(f"{path}/members", headers=admin)
    exported = analytics_client.get(f"{path}/members.csv", headers=admin)
    pushed = analytics_client.post(f"{path}/push", headers=admin)
    sent: list[httpx.Request] = []
    deliverer = delivery.WebhookDeliverer(
        transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200))
    )
    OutboxDispatcher(registry=consumers.registry())(database, settings)
    deliverer(database, settings)
    deliverer.close()

    assert created.status_code == 201, created.text
    assert refreshed.json()["size"] == 3
    assert [m["member_id"] for m in members.json()] == [None, 31, 32]
    assert exported.text.splitlines()[0] == "person_id,member_id,marketing_consent,entered_at"
    assert len(exported.text.splitlines()) == 4
    assert pushed.status_code == 202
    (request,) = sent
    assert rules.verify_signature(
        secret=secret,
        event_id=request.headers["Webhook-Id"],
        timestamp=request.headers["Webhook-Timestamp"],
        body=request.content,
        signature=request.headers["Webhook-Signature"],
    )
    body = json.loads(request.content)
    assert (body["type"], body["data"]["member_ids"]) == ("audience.exported", [31])


def test_bad_rules_are_refused_with_the_reason(
    analytics_client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    bad = {"name": "x", "rule": {"kind": "profile", "field": "member", "value": 3}}

    refused = analytics_client.post(BASE, json=bad, headers=world.headers("admin"))

    assert refused.status_code == 422
    assert "member takes true or false" in refused.text


def test_another_brands_audience_does_not_exist_for_the_caller(
    analytics_client: TestClient, database: Database
) -> None:
    mine, theirs = builders.brand_world(database), builders.brand_world(database)
    created = analytics_client.post(
        BASE, json={"name": "theirs", "rule": ENTERED}, headers=theirs.headers("admin")
    )
    path = f"{BASE}/{created.json()['id']}"
    me = mine.headers("admin")

    answers = [
        analytics_client.get(path, headers=me),
        analytics_client.patch(path, json={"name": "mine"}, headers=me),
        analytics_client.post(f"{path}/refresh", headers=me),
        analytics_client.get(f"{path}/members", headers=me),
        analytics_client.get(f"{path}/members.csv", headers=me),
        analytics_client.get(f"{path}/history", headers=me),
        analytics_client.post(f"{path}/push", headers=me),
        analytics_client.delete(path, headers=me),
        analytics_client.get(BASE, params={"brand_id": theirs.brand.id}, headers=me),
    ]

    assert [a.status_code for a in answers] == [404] * 9
    assert analytics_client.get(BASE, headers=me).json() == []
