"""POST /events/batch: events kept once, refused one by one with reasons, never lost."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import analytics_builders as ab
from tests import builders

from newretail.analytics.events import rules, senders
from newretail.analytics.events.models import AnalyticsEvent, RejectedEvent
from newretail.config import Settings
from newretail.db import Database, utcnow

pytestmark = pytest.mark.postgres
URL = "/api/v1/events/batch"


def _post(client: TestClient, world: builders.BrandWorld, batch: list[Any], **extra: Any) -> Any:
    return client.post(URL, json={"batch": batch, **extra}, headers=world.headers("admin"))


def _count(database: Database, model: Any) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_replayed_batch_changes_nothing(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    now = utcnow()
    batch = [ab.event(f"m{i}", at=now, store=world.east_store.id) for i in range(3)]

    first = _post(client, world, batch).json()
    second = _post(client, world, batch).json()

    assert (first["accepted"], first["duplicates"]) == (3, 0)
    assert (second["accepted"], second["duplicates"]) == (0, 3)
    assert _count(database, AnalyticsEvent) == 3


def test_bad_events_are_refused_with_reasons_and_the_rest_kept(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    now = utcnow()
    batch = [
        ab.event("ok", at=now, store=world.east_store.id),
        ab.event("unknown", "Teleported", at=now),
        ab.event("types", "Product Added", at=now, properties={"product_id": "shoe"}),
        ab.event("future", at=now + timedelta(days=2), store=world.east_store.id),
        ab.event("ancient", at=now - timedelta(days=400), store=world.east_store.id),
        ab.event("nobody", at=now, anonymous_id=None, store=world.east_store.id),
        ab.event("no-store", at=now),
        {"messageId": "not-an-event"},
    ]

    result = _post(client, world, batch).json()

    assert result["accepted"] == 1
    assert [(r["index"], r["code"]) for r in result["rejected"]] == [
        (1, "unknown_event"),
        (2, "invalid_properties"),
        (3, "future_timestamp"),
        (4, "ancient_timestamp"),
        (5, "no_identity"),
        (6, "missing_context"),
        (7, "invalid_envelope"),
    ]
    assert _count(database, RejectedEvent) == 7


def test_an_event_naming_another_brands_store_is_refused(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    other = builders.brand_world(database)

    response = _post(client, world, [ab.event("x", at=utcnow(), store=other.east_store.id)])

    assert (response.status_code, response.json()["code"]) == (404, "foreign_events")
    assert [r["code"] for r in response.json()["rejected"]] == ["foreign_store"]
    assert (_count(database, AnalyticsEvent), _count(database, RejectedEvent)) == (0, 1)


def test_a_batch_whose_every_event_is_refused_is_a_422_and_still_quarantined(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    batch = [ab.event("a", "Teleported", at=utcnow()), ab.event("b", at=utcnow())]

    response = _post(client, world, batch)

    assert (response.status_code, response.json()["code"]) == (422, "events_rejected")
    assert [r["code"] for r in response.json()["rejected"]] == ["unknown_event", "missing_context"]
    assert _count(database, RejectedEvent) == 2


def test_an_oversized_batch_is_refused_whole(
    client: TestClient, database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    batch = [ab.event(f"m{i}", at=utcnow(), store=world.east_store.id) for i in range(501)]

    response = _post(client, world, batch)

    assert (response.status_code, response.json()["code"]) == (413, "batch_too_large")
    assert _count(database, AnalyticsEvent) == 0


def test_an_empty_or_shapeless_batch_is_a_clear_422(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)

    empty = _post(client, world, [])
    shapeless = client.post(URL, content=b"[1, 2]", headers=world.headers("admin"))

    assert (empty.status_code, empty.json()["code"]) == (422, "empty_batch")
    assert (shapeless.status_code, shapeless.json()["code"]) == (422, "invalid_batch")


def test_events_need_a_token(client: TestClient, database: Database) -> None:
    response = client.post(URL, json={"batch": []})

    assert (response.status_code, response.json()["code"]) == (401, "events_token_required")


def test_the_senders_clock_skew_is_corrected(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    now = utcnow().replace(microsecond=0)
    skewed = now + timedelta(hours=3)  # the device's clock runs three hours fast
    event = ab.event("skewed", at=skewed - timedelta(minutes=10), store=world.east_store.id)

    _post(client, world, [event], sentAt=skewed.isoformat())

    with database.transaction(read_only=True) as session:
        ts, original = session.execute(select(AnalyticsEvent.ts, AnalyticsEvent.original_ts)).one()
    assert abs(ts - (now - timedelta(minutes=10))) < timedelta(seconds=5)
    assert original == skewed - timedelta(minutes=10)


def test_a_member_without_analytics_consent_leaves_no_events(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    refused = ab.member(database, world.brand.id, analytics=False)
    consented = ab.member(database, world.brand.id, analytics=True)
    now = utcnow()
    batch = [
        ab.event("a", at=now, user_id=refused, store=world.east_store.id),
        ab.event("b", at=now, user_id=consented, store=world.east_store.id),
    ]

    result = _post(client, world, batch).json()

    assert (result["accepted"], result["no_consent"]) == (1, 1)
    with database.transaction(read_only=True) as session:
        keys = list(session.scalars(select(AnalyticsEvent.person_key)))
    assert keys == [f"member:{consented}"]


def test_a_page_token_sends_anonymous_events_of_its_own_store_only(
    client: TestClient, database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    member = ab.member(database, world.brand.id)
    now = utcnow()
    token = senders.issue_page_token(
        secret=settings.secret_key, brand_id=world.brand.id, store_id=world.east_store.id, now=now
    )
    batch = [
        ab.event("v", "Product Viewed", at=now, channel="web", properties={"product_id": 3}),
        ab.event("w", at=now, channel="web", store=world.west_store.id),
        ab.event("u", "Product Viewed", at=now, user_id=member, properties={"product_id": 3}),
    ]

    result = client.post(URL, json={"batch": batch}, headers={"Authorization": f"Bearer {token}"})

    body = result.json()
    assert body["accepted"] == 1
    assert [r["code"] for r in body["rejected"]] == ["foreign_store", "user_not_allowed"]
    with database.transaction(read_only=True) as session:
        assert session.scalar(select(AnalyticsEvent.store_id)) == world.east_store.id


def test_a_forged_page_token_is_refused(client: TestClient, database: Database) -> None:
    token = rules.page_token(secret="not-the-key", brand_id=1, store_id=1, expires_at=utcnow())

    response = client.post(
        URL,
        json={"batch": [ab.event("v", at=utcnow())]},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert (response.status_code, response.json()["code"]) == (401, "invalid_page_token")


def test_store_staff_send_events_of_their_own_stores_only(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    now = utcnow()
    batch = [
        ab.event("own", at=now, store=world.east_store.id),
        ab.event("other", at=now, store=world.west_store.id),
    ]

    result = client.post(URL, json={"batch": batch}, headers=world.headers("east_cashier")).json()

    assert result["accepted"] == 1
    assert [r["code"] for r in result["rejected"]] == ["foreign_store"]
