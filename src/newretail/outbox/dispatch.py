"""The outbox dispatcher job: fans committed events out, then marks them dispatched.

For each undispatched event, in ``seq`` order and in one transaction per batch:

* every in-process consumer registered for its type runs once (``consumers``); one that
  fails is rolled back to a savepoint and retried later with backoff (``consumer_retry``),
  without holding up the event for anyone else;
* a pending webhook delivery is queued for each subscribed endpoint of its brand;
* when NATS is configured, it is queued for the relay (``relay_pending``).

Several dispatchers may run: on PostgreSQL they claim disjoint batches with
``FOR UPDATE SKIP LOCKED``; on SQLite the write lock serialises them.
"""

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from prometheus_client import Counter
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.integrations import rules as webhook_rules
from newretail.integrations import service as webhook_service
from newretail.observability import log
from newretail.outbox import consumers as consumer_registry
from newretail.outbox import service as outbox_service
from newretail.outbox.consumers import Consumer, ConsumerRegistry
from newretail.outbox.models import ConsumedEvent, ConsumerRetry, OutboxEvent, RelayPending

DISPATCHED = Counter("newretail_outbox_dispatched_total", "Outbox events dispatched")
CONSUMER_FAILURES = Counter(
    "newretail_outbox_consumer_failures_total", "In-process consumer failures", ["consumer"]
)


def claim_events(*, session: Session, limit: int) -> list[OutboxEvent]:
    query = (
        select(OutboxEvent)
        .where(OutboxEvent.dispatched_at.is_(None))
        .order_by(OutboxEvent.seq)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def consume(*, session: Session, consumer: Consumer, event: OutboxEvent) -> str | None:
    """Run ``consumer`` on ``event`` unless it already has; the error text if it failed.

    The ``consumed_event`` row and the consumer's effect share one savepoint: both stay or
    neither does.
    """
    try:
        with session.begin_nested():
            first_time = outbox_service.insert_new(
                session=session,
                model=ConsumedEvent,
                rows=[{"consumer": consumer.name, "event_id": event.event_id}],
                unique=["consumer", "event_id"],
            )
            if first_time:
                consumer.handler(session, event)
                session.flush()
    except Exception as exc:  # noqa: BLE001 - a consumer's bug is retried, not fatal to others
        CONSUMER_FAILURES.labels(consumer.name).inc()
        log.exception("consumer_failed", consumer=consumer.name, event_id=event.event_id)
        return f"{type(exc).__name__}: {exc}"[:500]
    return None


class OutboxDispatcher:
    """The worker job; ``registry`` is the shared consumer registry unless a test gives one."""

    name = "dispatch_outbox"

    def __init__(
        self,
        *,
        registry: ConsumerRegistry | None = None,
        batch_size: int = 100,
        clock: Callable[[], datetime] = utcnow,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.registry = registry if registry is not None else consumer_registry.registry
        self.batch_size = batch_size
        self.clock = clock
        self.jitter = jitter

    def __call__(self, database: Database, settings: Settings) -> int:
        return len(self.dispatch_once(database, settings)) + self.retry_consumers(
            database, settings
        )

    def dispatch_once(self, database: Database, settings: Settings) -> list[int]:
        """Dispatch one batch; the seqs of the events this call dispatched."""
        with database.transaction() as session:
            events = claim_events(session=session, limit=self.batch_size)
            if not events:
                return []
            now = self.clock()
            for event in events:
                for consumer in self.registry.for_type(event.type):
                    error = consume(session=session, consumer=consumer, event=event)
                    if error is not None:
                        self._schedule_retry(session, settings, consumer, event, error, now)
            webhook_service.enqueue_deliveries(session=session, events=events)
            seqs = [event.seq for event in events]
            if settings.nats_url:
                outbox_service.insert_new(
                    session=session,
                    model=RelayPending,
                    rows=[{"event_seq": seq} for seq in seqs],
                    unique=["event_seq"],
                )
            session.execute(
                update(OutboxEvent).where(OutboxEvent.seq.in_(seqs)).values(dispatched_at=now)
            )
        DISPATCHED.inc(len(seqs))
        return seqs

    def retry_consumers(self, database: Database, settings: Settings) -> int:
        """Run consumers again on the events they failed on, once those are due."""
        with database.transaction() as session:
            now = self.clock()
            retries = list(
                session.scalars(
                    select(ConsumerRetry)
                    .where(ConsumerRetry.next_attempt_at <= now)
                    .order_by(ConsumerRetry.next_attempt_at, ConsumerRetry.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            )
            for retry in retries:
                self._retry(session, settings, retry, now)
        return len(retries)

    def _retry(
        self, session: Session, settings: Settings, retry: ConsumerRetry, now: datetime
    ) -> None:
        consumer = self.registry.get(retry.consumer)
        event = session.get(OutboxEvent, retry.event_seq)
        if consumer is None or event is None:
            log.warning("consumer_retry_dropped", consumer=retry.consumer, seq=retry.event_seq)
            session.delete(retry)
            return
        error = consume(session=session, consumer=consumer, event=event)
        if error is None:
            session.delete(retry)
            return
        retry.attempts += 1
        retry.next_attempt_at = now + self._backoff(settings, retry.attempts)
        retry.last_error = error

    def _schedule_retry(
        self,
        session: Session,
        settings: Settings,
        consumer: Consumer,
        event: OutboxEvent,
        error: str,
        now: datetime,
    ) -> None:
        outbox_service.insert_new(
            session=session,
            model=ConsumerRetry,
            rows=[
                {
                    "consumer": consumer.name,
                    "event_seq": event.seq,
                    "attempts": 1,
                    "next_attempt_at": now + self._backoff(settings, 1),
                    "last_error": error,
                }
            ],
            unique=["consumer", "event_seq"],
        )

    def _backoff(self, settings: Settings, attempt: int) -> timedelta:
        seconds = webhook_rules.backoff_seconds(
            attempt,
            base=settings.webhook_backoff_base_seconds,
            cap=settings.webhook_backoff_max_seconds,
            jitter=self.jitter(),
        )
        return timedelta(seconds=seconds)
