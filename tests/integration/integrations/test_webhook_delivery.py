import json
import random
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select, update
from tests import builders

from newretail import consumers
from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.integrations import delivery, rules
from newretail.integrations import service as webhook_service
from newretail.integrations.models import WebhookDelivery
from newretail.integrations.rules import DeliveryStatus, QueuedDelivery
from newretail.integrations.schemas import WebhookCreate, WebhookUpdate
from newretail.kernel.scope import SYSTEM
from newretail.org import service as org_service
from newretail.org.schemas import StoreUpdate
from newretail.outbox import service as outbox_service
from newretail.outbox.dispatch import OutboxDispatcher
from newretail.outbox.models import OutboxEvent

URL = "https://hooks.example.com/in"


@dataclass
class Receiver:
    """A mock endpoint: answers from a script per event id (default 200), records requests."""

    script: dict[str, list[int]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answers = self.script.get(request.headers["Webhook-Id"], [])
        return httpx.Response(answers.pop(0) if answers else 200)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def event_ids(self) -> list[str]:
        return [r.headers["Webhook-Id"] for r in self.requests]


@dataclass
class Setup:
    brand_id: int
    region_id: int
    webhook_id: int
    secret: str


def _setup(database: Database) -> Setup:
    with database.transaction() as session:
        brand = builders.brand(session)
        region = builders.region(session, brand.id)
        data = WebhookCreate.model_validate({"brand_id": brand.id, "url": URL})
        endpoint = webhook_service.create_endpoint(session=session, scope=SYSTEM, data=data)
        return Setup(brand.id, region.id, endpoint.id, endpoint.secret)


def _store(database: Database, setup: Setup) -> int:
    with database.transaction() as session:
        return builders.store(session, setup.brand_id, setup.region_id).id


def _rename(database: Database, store_id: int, name: str) -> None:
    with database.transaction() as session:
        data = StoreUpdate.model_validate({"name": name})
        org_service.update_store(session=session, scope=SYSTEM, store_id=store_id, data=data)


def _fast(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(
        update={"webhook_backoff_base_seconds": 0.0, "webhook_max_attempts": 3, **changes}
    )


def _round(database: Database, settings: Settings, deliverer: delivery.WebhookDeliverer) -> int:
    return OutboxDispatcher(registry=consumers.registry())(database, settings) + deliverer(
        database, settings
    )


def _deliveries(database: Database) -> list[tuple[str, str, int, int | None]]:
    with database.transaction(read_only=True) as session:
        rows = session.execute(
            select(
                WebhookDelivery.event_type,
                WebhookDelivery.status,
                WebhookDelivery.attempts,
                WebhookDelivery.last_status_code,
            ).order_by(WebhookDelivery.outbox_seq)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_delivery_is_signed_and_carries_the_event(database: Database, settings: Settings) -> None:
    setup = _setup(database)
    store_id = _store(database, setup)
    receiver = Receiver()
    deliverer = delivery.WebhookDeliverer(transport=receiver.transport())
    _round(database, _fast(settings), deliverer)
    deliverer.close()
    (request,) = receiver.requests
    body = json.loads(request.content)
    assert rules.verify_signature(
        secret=setup.secret,
        event_id=request.headers["Webhook-Id"],
        timestamp=request.headers["Webhook-Timestamp"],
        body=request.content,
        signature=request.headers["Webhook-Signature"],
    )
    assert body["id"] == request.headers["Webhook-Id"]
    assert (body["type"], body["brand_id"]) == ("store.created", setup.brand_id)
    assert body["resource"] == {"type": "store", "id": str(store_id)}
    assert body["data"]["id"] == store_id
    assert _deliveries(database) == [("store.created", "delivered", 1, 200)]


def test_a_failing_first_event_holds_back_later_events_of_its_resource_only(
    database: Database, settings: Settings
) -> None:
    setup = _setup(database)
    first = _store(database, setup)
    _rename(database, first, "renamed")
    other = _store(database, setup)
    fast = _fast(settings, webhook_backoff_base_seconds=3600.0)
    OutboxDispatcher(registry=consumers.registry()).dispatch_once(database, fast)
    with database.transaction(read_only=True) as session:
        created_id = session.scalars(
            select(WebhookDelivery.event_id).order_by(WebhookDelivery.outbox_seq)
        ).first()
    assert created_id is not None
    receiver = Receiver(script={created_id: [503]})
    deliverer = delivery.WebhookDeliverer(transport=receiver.transport())
    deliverer(database, fast)
    deliverer(database, fast)
    held_back = list(receiver.event_ids())
    later = delivery.WebhookDeliverer(
        transport=receiver.transport(), clock=lambda: utcnow() + timedelta(hours=3)
    )
    later(database, fast)
    later(database, fast)
    deliverer.close()
    later.close()
    with database.transaction(read_only=True) as session:
        by_resource = dict(
            session.execute(select(WebhookDelivery.event_id, WebhookDelivery.resource_id)).all()
        )
    assert sorted(by_resource[e] for e in held_back) == sorted([str(first), str(other)])
    assert [by_resource[e] for e in receiver.event_ids()[2:]] == [str(first), str(first)]
    assert [row[1] for row in _deliveries(database)] == ["delivered"] * 3


def test_a_delivery_is_dead_after_its_last_attempt_and_then_frees_its_resource(
    database: Database, settings: Settings
) -> None:
    setup = _setup(database)
    store_id = _store(database, setup)
    _rename(database, store_id, "renamed")
    fast = _fast(settings)
    OutboxDispatcher(registry=consumers.registry()).dispatch_once(database, fast)
    with database.transaction(read_only=True) as session:
        created_id = session.scalars(
            select(WebhookDelivery.event_id).order_by(WebhookDelivery.outbox_seq)
        ).first()
    assert created_id is not None
    receiver = Receiver(script={created_id: [500, 500, 500]})
    deliverer = delivery.WebhookDeliverer(transport=receiver.transport())
    rounds = [_round(database, fast, deliverer) for _ in range(6)]
    deliverer.close()
    assert _deliveries(database) == [
        ("store.created", "dead", 3, 500),
        ("store.updated", "delivered", 1, 200),
    ]
    assert rounds[-1] == 0


def test_a_claim_whose_worker_died_is_sent_again_after_its_lease(
    database: Database, settings: Settings
) -> None:
    setup = _setup(database)
    _store(database, setup)
    fast = _fast(settings, worker_lease_seconds=30.0)
    OutboxDispatcher(registry=consumers.registry()).dispatch_once(database, fast)
    now = utcnow()
    with database.transaction() as session:
        (lost,) = delivery.claim(session=session, now=now, lease_seconds=30, limit=10)
    receiver = Receiver()
    during = delivery.WebhookDeliverer(transport=receiver.transport(), clock=lambda: now)
    after = delivery.WebhookDeliverer(
        transport=receiver.transport(), clock=lambda: now + timedelta(seconds=31)
    )
    sent_during_lease = during(database, fast)
    sent_after_lease = after(database, fast)
    during.close()
    after.close()
    assert (sent_during_lease, sent_after_lease) == (0, 1)
    assert receiver.event_ids() == [lost.event_id]
    assert _deliveries(database) == [("store.created", "delivered", 2, 200)]


def test_the_outcome_of_a_lost_claim_does_not_overwrite_a_newer_attempt(
    database: Database, settings: Settings
) -> None:
    setup = _setup(database)
    _store(database, setup)
    OutboxDispatcher(registry=consumers.registry()).dispatch_once(database, settings)
    now = utcnow()
    with database.transaction() as session:
        (old,) = delivery.claim(session=session, now=now, lease_seconds=1, limit=10)
    with database.transaction() as session:
        (new,) = delivery.claim(
            session=session, now=now + timedelta(seconds=2), lease_seconds=60, limit=10
        )
    with database.transaction() as session:
        stale = delivery.record(
            session=session,
            settings=settings,
            claim=old,
            result=delivery.Result(succeeded=False, status_code=500, error="HTTP 500"),
            now=now,
            jitter=0.5,
        )
        fresh = delivery.record(
            session=session,
            settings=settings,
            claim=new,
            result=delivery.Result(succeeded=True, status_code=204),
            now=now,
            jitter=0.5,
        )
    assert (stale, fresh) == (None, DeliveryStatus.DELIVERED)
    assert _deliveries(database) == [("store.created", "delivered", 2, 204)]


def test_an_inactive_endpoint_keeps_its_deliveries_until_it_is_active_again(
    database: Database, settings: Settings
) -> None:
    setup = _setup(database)
    _store(database, setup)
    OutboxDispatcher(registry=consumers.registry()).dispatch_once(database, settings)

    def set_active(active: bool) -> None:
        with database.transaction() as session:
            webhook_service.update_endpoint(
                session=session,
                scope=SYSTEM,
                webhook_id=setup.webhook_id,
                data=WebhookUpdate(active=active),
            )

    receiver = Receiver()
    deliverer = delivery.WebhookDeliverer(transport=receiver.transport())
    set_active(False)
    while_inactive = deliverer(database, settings)
    set_active(True)
    once_active = deliverer(database, settings)
    deliverer.close()
    assert (while_inactive, once_active) == (0, 1)


def _random_queue(
    database: Database, setup: Setup, rng: random.Random, now: datetime
) -> list[QueuedDelivery]:
    statuses = list(DeliveryStatus)
    with database.transaction() as session:
        events = [
            outbox_service.record(
                session=session,
                brand_id=setup.brand_id,
                type="store.updated",
                resource_type="store",
                resource_id=rng.choice("123"),
                payload={},
            )
            for _ in range(25)
        ]
        rows = [
            WebhookDelivery(
                brand_id=setup.brand_id,
                endpoint_id=setup.webhook_id,
                event_id=event.event_id,
                event_type=event.type,
                resource_type=event.resource_type,
                resource_id=event.resource_id,
                outbox_seq=event.seq,
                status=rng.choice(statuses),
                next_attempt_at=now + timedelta(seconds=rng.randint(-5, 5)),
                leased_until=rng.choice([None, now + timedelta(seconds=rng.randint(-5, 5))]),
            )
            for event in events
        ]
        session.add_all(rows)
        session.execute(update(OutboxEvent).values(dispatched_at=now))
        session.flush()
        return [
            QueuedDelivery(
                id=row.id,
                endpoint_id=row.endpoint_id,
                resource=(row.resource_type, row.resource_id),
                seq=row.outbox_seq,
                status=DeliveryStatus(row.status),
                next_attempt_at=row.next_attempt_at,
                leased_until=row.leased_until,
            )
            for row in rows
        ]


def test_the_claim_query_picks_exactly_what_the_ordering_rule_allows(
    database: Database,
) -> None:
    setup = _setup(database)
    rng = random.Random(20250301)
    now = utcnow()
    picked: list[tuple[set[int], set[int]]] = []
    for _ in range(4):
        queue = _random_queue(database, setup, rng, now)
        with database.transaction() as session:  # it locks what it picks: not a read
            chosen = set(session.scalars(delivery.claimable(now, limit=1000)))
        picked.append((chosen, rules.attemptable(queue, now)))
        with database.transaction() as session:
            session.execute(update(WebhookDelivery).values(status=DeliveryStatus.DELIVERED.value))
    assert all(sql == rule for sql, rule in picked)
    assert any(sql for sql, _ in picked)


def test_an_undispatched_earlier_event_of_the_resource_holds_a_delivery_back(
    database: Database, settings: Settings
) -> None:
    setup = _setup(database)
    store_id = _store(database, setup)
    OutboxDispatcher(registry=consumers.registry()).dispatch_once(database, settings)
    with database.transaction() as session:
        session.execute(update(WebhookDelivery).values(status="delivered"))
    _rename(database, store_id, "second")
    _rename(database, store_id, "third")
    second_and_third = OutboxDispatcher(registry=consumers.registry(), batch_size=2).dispatch_once(
        database, settings
    )
    with database.transaction() as session:
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.seq == second_and_third[0])
            .values(dispatched_at=None)
        )
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.outbox_seq == second_and_third[0])
            .values(status="delivered")
        )
    now = utcnow()
    with database.transaction() as session:  # it locks what it picks: not a read
        held = list(session.scalars(delivery.claimable(now, limit=10)))
    assert held == []


def test_two_workers_delivering_at_once_send_each_event_once(
    database: Database, settings: Settings
) -> None:
    setup = _setup(database)
    with database.transaction() as session:
        for n in range(40):
            outbox_service.record(
                session=session,
                brand_id=setup.brand_id,
                type="store.updated",
                resource_type="store",
                resource_id=n % 8,
                payload={"n": n},
            )
    OutboxDispatcher(registry=consumers.registry()).dispatch_once(database, settings)
    receiver = Receiver()
    lock = threading.Lock()

    def handle(request: httpx.Request) -> httpx.Response:
        with lock:
            return receiver.handle(request)

    start = threading.Barrier(2)

    def run() -> None:
        deliverer = delivery.WebhookDeliverer(concurrency=3, transport=httpx.MockTransport(handle))
        start.wait()
        for _ in range(100):
            deliverer(database, settings)
        deliverer.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    sent = receiver.event_ids()
    assert len(sent) == 40
    assert len(set(sent)) == 40
    assert {row[1] for row in _deliveries(database)} == {"delivered"}
