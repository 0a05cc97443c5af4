import asyncio
import json
import uuid

from sqlalchemy import func, select
from tests import builders
from tests.services import nats_url

from newretail import consumers
from newretail.config import Settings
from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.org import service as org_service
from newretail.org.schemas import StoreUpdate
from newretail.outbox.dispatch import OutboxDispatcher
from newretail.outbox.models import OutboxEvent, RelayPending
from newretail.outbox.relay import NatsRelay


def _events(database: Database, stores: int) -> tuple[int, list[str]]:
    """Each store is created and renamed: two events per store."""
    with database.transaction() as session:
        brand = builders.brand(session)
        region = builders.region(session, brand.id)
        for _ in range(stores):
            store = builders.store(session, brand.id, region.id)
            org_service.update_store(
                session=session,
                scope=SYSTEM,
                store_id=store.id,
                data=StoreUpdate.model_validate({"name": "renamed"}),
            )
    with database.transaction(read_only=True) as session:
        ids = list(session.scalars(select(OutboxEvent.event_id).order_by(OutboxEvent.seq)))
    return brand.id, ids


async def _read_stream(settings: Settings) -> tuple[int, list[tuple[str, str, dict[str, str]]]]:
    import nats

    connection = await nats.connect(settings.nats_url)
    try:
        js = connection.jetstream()
        info = await js.stream_info(settings.nats_stream)
        subscription = await js.pull_subscribe(
            f"{settings.nats_subject_prefix}.>", stream=settings.nats_stream
        )
        messages = await subscription.fetch(info.state.messages, timeout=10)
        return info.state.messages, [
            (m.subject, json.loads(m.data)["id"], dict(m.headers or {})) for m in messages
        ]
    finally:
        await connection.close()


async def _delete_stream(settings: Settings) -> None:
    import nats

    connection = await nats.connect(settings.nats_url)
    try:
        await connection.jetstream().delete_stream(settings.nats_stream)
    finally:
        await connection.close()


def test_relayed_events_are_in_the_stream_once_even_when_published_again(
    database: Database, settings: Settings
) -> None:
    token = uuid.uuid4().hex[:12]
    relayed = settings.model_copy(
        update={
            "nats_url": nats_url(),
            "nats_stream": f"TEST_{token}",
            "nats_subject_prefix": f"test{token}",
        }
    )
    brand_id, event_ids = _events(database, stores=5)
    OutboxDispatcher(registry=consumers.registry()).dispatch_once(database, relayed)
    relay = NatsRelay()
    try:
        first = relay(database, relayed)
        with database.transaction() as session:
            # as if the relay died after publishing, before it forgot these four
            for seq in session.scalars(select(OutboxEvent.seq).order_by(OutboxEvent.seq).limit(4)):
                session.add(RelayPending(event_seq=seq))
        again = relay(database, relayed)
        stored, messages = asyncio.run(_read_stream(relayed))
    finally:
        relay.close()
        asyncio.run(_delete_stream(relayed))
    with database.transaction(read_only=True) as session:
        left = session.scalar(select(func.count()).select_from(RelayPending))
    assert (first, again, left) == (10, 4, 0)
    assert stored == 10
    assert [event_id for _, event_id, _ in messages] == event_ids
    assert [headers["Nats-Msg-Id"] for _, _, headers in messages] == event_ids
    assert {subject for subject, _, _ in messages} == {
        f"test{token}.{brand_id}.store.created",
        f"test{token}.{brand_id}.store.updated",
    }


def test_events_stay_queued_while_nats_is_unreachable(
    database: Database, settings: Settings
) -> None:
    unreachable = settings.model_copy(update={"nats_url": "nats://127.0.0.1:9"})
    _events(database, stores=1)
    OutboxDispatcher(registry=consumers.registry()).dispatch_once(database, unreachable)
    relay = NatsRelay(timeout_seconds=2)
    try:
        published = relay(database, unreachable)
    finally:
        relay.close()
    with database.transaction(read_only=True) as session:
        queued = session.execute(select(RelayPending.leased_until)).scalars().all()
    assert published == 0
    assert queued == [None, None]
