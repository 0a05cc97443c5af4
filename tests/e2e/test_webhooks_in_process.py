"""The demo and ``newretail serve`` run the worker inside the web process."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import builders
from tests.e2e.webhook_receiver import Receiver

from newretail.app import create_app
from newretail.config import Settings
from newretail.db import Database
from newretail.outbox.models import OutboxEvent


@pytest.fixture
def serving_with_worker(database: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, database, run_worker=True)) as client:
        yield client


def test_a_store_created_through_the_api_reaches_the_webhook(
    serving_with_worker: TestClient, database: Database
) -> None:
    client = serving_with_worker
    world = builders.brand_world(database)
    admin = world.headers("admin")
    with Receiver() as receiver:
        created = client.post(
            "/api/v1/webhooks",
            json={"url": receiver.url, "event_types": ["store.created"]},
            headers=admin,
        ).json()
        receiver.secret = created["secret"]
        store = client.post(
            "/api/v1/stores",
            json={
                "region_id": world.east.id,
                "code": "POPUP1",
                "name": "Pop-up",
                "type": "popup",
                "lat": 31.23,
                "lng": 121.47,
            },
            headers=admin,
        ).json()
        with database.transaction(read_only=True) as session:
            event_id = session.scalar(
                select(OutboxEvent.event_id).where(
                    OutboxEvent.type == "store.created",
                    OutboxEvent.resource_id == str(store["id"]),
                )
            )
        arrived = receiver.wait_for({str(event_id)}, timeout=30)
        arrivals = [a for a in receiver.arrivals if a.event_id == event_id]
    assert arrived
    assert arrivals[0].valid
    assert arrivals[0].resource == ("store", str(store["id"]))
