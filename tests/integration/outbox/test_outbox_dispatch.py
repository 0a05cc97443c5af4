import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from tests import builders

from newretail import consumers
from newretail.audit import service as audit_service
from newretail.audit.models import AuditEntry
from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.integrations import service as webhook_service
from newretail.integrations.consumers import FAN_OUT as WEBHOOK_FAN_OUT
from newretail.integrations.models import WebhookDelivery
from newretail.integrations.schemas import WebhookCreate
from newretail.kernel.scope import SYSTEM
from newretail.outbox import service as outbox_service
from newretail.outbox.consumers import ConsumerRegistry
from newretail.outbox.dispatch import OutboxDispatcher
from newretail.outbox.models import ConsumerRetry, OutboxEvent, RelayPending


def _brand_with_stores(database: Database, stores: int = 1) -> tuple[int, list[int]]:
    with database.transaction() as session:
        brand = builders.brand(session)
        region = builders.region(session, brand.id)
        ids = [builders.store(session, brand.id, region.id).id for _ in range(stores)]
        return brand.id, ids


def _webhook(database: Database, brand_id: int, **fields: object) -> int:
    data = WebhookCreate.model_validate(
        {"brand_id": brand_id, "url": "https://hooks.example.com/in", **fields}
    )
    with database.transaction() as session:
        return webhook_service.create_endpoint(session=session, scope=SYSTEM, data=data).id


def _audit_effect(session: Session, event: OutboxEvent) -> None:
    audit_service.write(
        session=session,
        scope=SYSTEM,
        action="test.consumed",
        target_type="event",
        target_id=event.event_id,
        brand_id=event.brand_id,
    )


def _count(database: Database, query: object) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(query) or 0)  # type: ignore[call-overload]


def _effects(database: Database) -> int:
    return _count(
        database,
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "test.consumed"),
    )


def test_a_rolled_back_store_creation_leaves_no_event(database: Database) -> None:
    with database.transaction() as session:
        brand = builders.brand(session)
        region = builders.region(session, brand.id)
    with pytest.raises(RuntimeError), database.transaction() as session:
        builders.store(session, brand.id, region.id)
        raise RuntimeError("the request failed after the store was written")
    assert _count(database, select(func.count()).select_from(OutboxEvent)) == 0


def test_a_committed_store_creation_writes_its_event(database: Database) -> None:
    brand_id, (store_id,) = _brand_with_stores(database)
    with database.transaction(read_only=True) as session:
        event = session.execute(
            select(
                OutboxEvent.type,
                OutboxEvent.brand_id,
                OutboxEvent.resource_id,
                OutboxEvent.dispatched_at,
            )
        ).one()
    assert tuple(event) == ("store.created", brand_id, str(store_id), None)


def test_dispatch_runs_consumers_queues_webhooks_and_marks_events(
    database: Database, settings: Settings
) -> None:
    brand_id, _ = _brand_with_stores(database, stores=0)
    everything = _webhook(database, brand_id)
    updates_only = _webhook(database, brand_id, event_types=["store.updated"])
    _webhook(database, brand_id, active=False)
    other_brand, _ = _brand_with_stores(database, stores=0)
    _webhook(database, other_brand)
    with database.transaction() as session:
        region = builders.region(session, brand_id)
        builders.store(session, brand_id, region.id)
    registry = ConsumerRegistry([WEBHOOK_FAN_OUT])
    registry.add("effect", ["store.created"], _audit_effect)
    dispatched = OutboxDispatcher(registry=registry).dispatch_once(database, settings)
    with database.transaction(read_only=True) as session:
        deliveries = session.scalars(select(WebhookDelivery.endpoint_id)).all()
        undispatched = session.scalar(
            select(func.count()).where(OutboxEvent.dispatched_at.is_(None))
        )
    assert len(dispatched) == 1
    assert deliveries == [everything]
    assert updates_only not in deliveries
    assert _effects(database) == 1
    assert undispatched == 0


def test_events_are_queued_for_nats_only_when_it_is_configured(
    database: Database, settings: Settings
) -> None:
    _brand_with_stores(database, stores=2)
    OutboxDispatcher(registry=consumers.registry()).dispatch_once(database, settings)
    assert _count(database, select(func.count()).select_from(RelayPending)) == 0
    _brand_with_stores(database, stores=3)
    with_nats = settings.model_copy(update={"nats_url": "nats://127.0.0.1:1"})
    OutboxDispatcher(registry=consumers.registry()).dispatch_once(database, with_nats)
    assert _count(database, select(func.count()).select_from(RelayPending)) == 3


def test_the_same_event_dispatched_twice_has_its_effect_once(
    database: Database, settings: Settings
) -> None:
    brand_id, _ = _brand_with_stores(database, stores=2)
    _webhook(database, brand_id)
    registry = ConsumerRegistry([WEBHOOK_FAN_OUT])
    registry.add("effect", ["*"], _audit_effect)
    dispatcher = OutboxDispatcher(registry=registry)
    dispatcher.dispatch_once(database, settings)
    with database.transaction() as session:
        session.execute(update(OutboxEvent).values(dispatched_at=None))
    again = dispatcher.dispatch_once(database, settings)
    assert len(again) == 2
    assert _effects(database) == 2
    assert _count(database, select(func.count()).select_from(WebhookDelivery)) == 2


def test_a_failing_consumer_is_retried_and_holds_nothing_up(
    database: Database, settings: Settings
) -> None:
    brand_id, _ = _brand_with_stores(database, stores=0)
    _webhook(database, brand_id)
    _brand_with_stores(database)
    failures = [RuntimeError("downstream not ready")]

    def flaky(session: Session, event: OutboxEvent) -> None:
        _audit_effect(session, event)
        if failures:
            raise failures.pop()

    registry = ConsumerRegistry()
    registry.add("flaky", ["store.created"], flaky)
    registry.add("steady", ["store.created"], _audit_effect)
    now = utcnow()
    dispatcher = OutboxDispatcher(registry=registry, clock=lambda: now)
    dispatcher.dispatch_once(database, settings)
    with database.transaction(read_only=True) as session:
        retry = session.execute(
            select(ConsumerRetry.consumer, ConsumerRetry.attempts, ConsumerRetry.last_error)
        ).one()
    assert tuple(retry) == ("flaky", 1, "RuntimeError: downstream not ready")
    assert _effects(database) == 1
    assert dispatcher.retry_consumers(database, settings) == 0
    later = OutboxDispatcher(registry=registry, clock=lambda: now + timedelta(hours=2))
    assert later.retry_consumers(database, settings) == 1
    assert _effects(database) == 2
    assert _count(database, select(func.count()).select_from(ConsumerRetry)) == 0


def test_two_dispatchers_at_once_never_dispatch_an_event_twice(
    database: Database, settings: Settings
) -> None:
    with database.transaction() as session:
        brand = builders.brand(session)
        region = builders.region(session, brand.id)
        for _ in range(120):
            outbox_service.record(
                session=session,
                brand_id=brand.id,
                type="store.updated",
                resource_type="store",
                resource_id=region.id,
                payload={},
            )
    claimed: list[list[int]] = [[], []]
    start = threading.Barrier(2)

    def run(index: int) -> None:
        dispatcher = OutboxDispatcher(registry=consumers.registry(), batch_size=7)
        start.wait()
        while seqs := dispatcher.dispatch_once(database, settings):
            claimed[index].extend(seqs)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not set(claimed[0]) & set(claimed[1])
    assert len(claimed[0]) + len(claimed[1]) == 120


def test_committing_events_calls_the_commit_listeners(database: Database) -> None:
    calls: list[str] = []

    def listener() -> None:
        calls.append("woken")

    outbox_service.add_commit_listener(listener)
    try:
        with database.transaction() as session:
            builders.brand(session)
        quiet = list(calls)
        _brand_with_stores(database)
    finally:
        outbox_service.remove_commit_listener(listener)
    assert quiet == []
    assert calls == ["woken"]
