"""Guides and their members talking, over the API: both sides, refusals, handover, credit."""

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import builders, order_builders
from tests import member_builders as mb
from tests.notify_builders import member

from newretail import consumers
from newretail.app import create_app
from newretail.auth import service as auth_service
from newretail.config import Settings
from newretail.db import Database
from newretail.guides import rules as guides_rules
from newretail.kernel.scope import SYSTEM
from newretail.members import service as members_service
from newretail.members.schemas import RebindRequest
from newretail.notify.models import ConversationMessage, NotifyMessage
from newretail.outbox.dispatch import OutboxDispatcher
from newretail.outbox.models import OutboxEvent


@pytest.fixture
def settings(database: Database) -> Settings:
    return Settings(database_url=database.url, log_json=False, log_level="WARNING")


@pytest.fixture
def client(database: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, database)) as test_client:
        yield test_client


def _staff(world: builders.BrandWorld, who: str) -> dict[str, str]:
    return world.headers(who)


def _member_headers(consumer_id: int) -> dict[str, str]:
    token, _ = auth_service.issue_consumer_token(consumer_id=consumer_id)
    return {"Authorization": f"Bearer {token}"}


def _count(database: Database, model: type) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_members_reply_reaches_the_guide(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    member_id, consumer_id = member(database, world, marketing=True)
    wrote = client.post(
        "/api/v1/conversations/messages",
        json={"member_ids": [member_id], "text": "The new coats are in, size M is kept for you."},
        headers=_staff(world, "east_guide"),
    )
    assert wrote.status_code == 201, wrote.text
    mine = client.get("/api/v1/conversations", headers=_member_headers(consumer_id)).json()
    [conversation] = mine["items"]
    read = client.post(
        f"/api/v1/conversations/{conversation['id']}/read", headers=_member_headers(consumer_id)
    )
    answered = client.post(
        f"/api/v1/conversations/{conversation['id']}/messages",
        json={"text": "Great, I will come on Saturday."},
        headers=_member_headers(consumer_id),
    )
    guide_inbox = client.get("/api/v1/notifications", headers=_staff(world, "east_guide")).json()
    thread = client.get(
        f"/api/v1/conversations/{conversation['id']}", headers=_staff(world, "east_guide")
    ).json()
    assert (read.json()["read"], answered.status_code) == (1, 201)
    assert [n["body"] for n in guide_inbox["items"]] == ["Great, I will come on Saturday."]
    assert [m["author_kind"] for m in thread["messages"]] == ["staff", "consumer"]
    assert thread["conversation"]["guide_unread"] == 1
    with database.transaction(read_only=True) as session:
        touches = session.scalars(
            select(OutboxEvent.payload).where(OutboxEvent.type == "conversation.read")
        ).all()
    assert [t["guide_id"] for t in touches] == [world.east_guide.id]


def test_a_message_to_someone_elses_member_is_refused_and_nothing_is_sent(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    other_guide = mb.guide(database, world.brand.id, world.east_store.id)
    mine, _ = member(database, world, marketing=True)
    theirs, _ = member(database, world, marketing=True, guide_id=other_guide.id)
    refused = client.post(
        "/api/v1/conversations/messages",
        json={"member_ids": [mine, theirs], "text": "Hello"},
        headers=_staff(world, "east_guide"),
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "not_your_member")
    assert (_count(database, NotifyMessage), _count(database, ConversationMessage)) == (0, 0)


def test_a_member_who_opted_out_of_marketing_is_not_written_to(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    member_id, _ = member(database, world, marketing=False)
    refused = client.post(
        "/api/v1/conversations/messages",
        json={"member_ids": [member_id], "text": "20% off this weekend"},
        headers=_staff(world, "east_guide"),
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "no_marketing_consent")
    assert (_count(database, NotifyMessage), _count(database, ConversationMessage)) == (0, 0)


def test_a_flood_from_a_guide_is_refused_with_429(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    member_id, _ = member(database, world, marketing=True)
    client.put(
        "/api/v1/notifications/policy", json={"max_per_hour": 2}, headers=_staff(world, "admin")
    )
    answers = [
        client.post(
            "/api/v1/conversations/messages",
            json={"member_ids": [member_id], "text": f"Message {n}"},
            headers=_staff(world, "east_guide"),
        )
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].json()["code"] == "notify_rate_limited"
    assert _count(database, ConversationMessage) == 2


def test_another_brand_sees_no_conversation(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    other = builders.brand_world(database)
    member_id, _ = member(database, world, marketing=True)
    [written] = client.post(
        "/api/v1/conversations/messages",
        json={"member_ids": [member_id], "text": "Hello"},
        headers=_staff(world, "east_guide"),
    ).json()
    path = f"/api/v1/conversations/{written['conversation_id']}"
    assert client.get(path, headers=_staff(other, "admin")).status_code == 404
    assert client.get(path, headers=_staff(other, "east_guide")).status_code == 404
    sent = client.post(
        "/api/v1/conversations/messages",
        json={"member_ids": [member_id], "text": "Hello"},
        headers=_staff(other, "east_guide"),
    )
    assert sent.status_code == 404


def test_conversations_move_with_the_handover_and_managers_see_them(
    client: TestClient, database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    member_id, _ = member(database, world, marketing=True)
    successor = mb.guide(database, world.brand.id, world.east_store.id)
    [written] = client.post(
        "/api/v1/conversations/messages",
        json={"member_ids": [member_id], "text": "Hello"},
        headers=_staff(world, "east_guide"),
    ).json()
    path = f"/api/v1/conversations/{written['conversation_id']}"
    with database.transaction() as session:
        members_service.rebind_guide_members(
            session=session,
            scope=SYSTEM,
            guide_id=world.east_guide.id,
            data=RebindRequest(to_guide_id=successor.id),
        )
    OutboxDispatcher(registry=consumers.registry())(database, settings)
    seen_by_successor = client.get(
        path, headers={"Authorization": f"Bearer {builders.token(successor)}"}
    )
    seen_by_manager = client.get(path, headers=_staff(world, "east_store_manager"))
    seen_by_departed = client.get(path, headers=_staff(world, "east_guide"))
    assert seen_by_successor.json()["conversation"]["guide_id"] == successor.id
    assert seen_by_successor.json()["messages"][0]["author_id"] == world.east_guide.id
    assert seen_by_manager.status_code == 200
    assert seen_by_departed.status_code == 404


def test_a_sale_through_a_product_card_is_credited_to_the_guide(
    client: TestClient, database: Database, settings: Settings
) -> None:
    shop = order_builders.shop(database)
    world = shop.world
    member_id, consumer_id = member(database, world, marketing=True)
    with database.transaction(read_only=True) as session:
        from newretail.catalog.models import Sku

        product_id = session.get(Sku, shop.skus[0]).product_id  # type: ignore[union-attr]
    [card] = client.post(
        "/api/v1/conversations/messages",
        json={"member_ids": [member_id], "card": {"kind": "product", "id": product_id}},
        headers=_staff(world, "east_guide"),
    ).json()
    url = urlsplit(card["card"]["url"])
    ref = parse_qs(url.query)["ref"][0]
    credited = guides_rules.read_share_ref(secret=settings.secret_key, ref=ref)
    order = client.post(
        "/api/v1/orders",
        json=order_builders.order_body(shop, channel="guide_share", referring_guide_id=credited),
        headers=shop.consumer_headers(consumer_id),
    ).json()
    assert url.path == f"/s/{world.brand.code}.{world.east_store.code}/p/{product_id}"
    assert (order["channel"], order["referring_guide_id"]) == ("guide_share", world.east_guide.id)
