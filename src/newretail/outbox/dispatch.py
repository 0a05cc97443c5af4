"""The outbox dispatcher job: hands committed events to their consumers, marks them dispatched.

For each batch of undispatched events, in ``seq`` order and in one transaction:

* every registered consumer (``consumers``: webhook fan-out, pre-sale deposits, ...) gets
  the events it wants, all at once; if that fails, one at a time, and an event it still
  fails on is rolled back to a savepoint and retried later with backoff
  (``consumer_retry``) without holding up the event for anyone else;
* when NATS is configured, the events are queued for the relay (``relay_pending``).

Several dispatchers may run: on PostgreSQL they claim disjoint batches with
``FOR UPDATE SKIP LOCKED``; on SQLite the write lock serialises them.
"""

import random
from collections import Counter as Tally
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from prometheus_client import Counter
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.observability import log
from newretail.outbox import rules
from newretail.outbox import service as outbox_service
from newretail.outbox.consumers import Consumer, ConsumerRegistry
from newretail.outbox.models import ConsumedEvent, ConsumerRetry, OutboxEvent, RelayPending

DISPATCHED = Counter("newretail_outbox_dispatched_total", "Outbox events dispatched")
PROCESSED = Counter(
    "newretail_outbox_consumer_processed_total",
    "Events an in-process consumer handled (committed)",
    ["consumer"],
)
CONSUMER_FAILURES = Counter(
    "newretail_outbox_consumer_failures_total",
    "Events an in-process consumer failed on, each attempt counted",
    ["consumer"],
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


@dataclass
class Outcome:
    processed: int = 0
    failures: dict[int, str] = field(default_factory=dict)  # error text by event seq


def consume(*, session: Session, consumer: Consumer, events: Sequence[OutboxEvent]) -> Outcome:
    """Run ``consumer`` on the ``events`` it has not handled yet.

    The batch runs in one savepoint; if it fails, each event runs again in its own, so the
    outcome of one bad event is its own failure and nobody else's.
    """
    outcome = Outcome()
    if _attempt(session, consumer, events, outcome):
        return outcome
    if len(events) > 1:
        for event in events:
            _attempt(session, consumer, [event], outcome)
    return outcome


def _attempt(
    session: Session, consumer: Consumer, events: Sequence[OutboxEvent], outcome: Outcome
) -> bool:
    """Whether the consumer's effect on ``events`` (and its receipts) is in the savepoint."""
    try:
        with session.begin_nested():
            fresh = _not_yet_consumed(session, consumer, events)
            if fresh:
                consumer.handle(session, fresh)
                session.flush()
    except Exception as exc:  # noqa: BLE001 - a consumer's bug is retried, not fatal to others
        if len(events) > 1:
            log.warning("consumer_batch_failed", consumer=consumer.name, events=len(events))
            return False
        CONSUMER_FAILURES.labels(consumer.name).inc()
        log.exception("consumer_failed", consumer=consumer.name, event_id=events[0].event_id)
        outcome.failures[events[0].seq] = f"{type(exc).__name__}: {exc}"[:500]
        return False
    outcome.processed += len(fresh)
    return True


def _not_yet_consumed(
    session: Session, consumer: Consumer, events: Sequence[OutboxEvent]
) -> list[OutboxEvent]:
    """The events without a receipt for this consumer, whose receipts are now written."""
    if not consumer.dedupe:
        return list(events)
    fresh = set(
        outbox_service.insert_new_returning(
            session=session,
            model=ConsumedEvent,
            rows=[{"consumer": consumer.name, "event_id": e.event_id} for e in events],
            unique=["consumer", "event_id"],
            returning="event_id",
        )
    )
    return [event for event in events if event.event_id in fresh]


class OutboxDispatcher:
    """The worker job over the consumers of ``registry`` (the boot layer builds it)."""

    name = "dispatch_outbox"

    def __init__(
        self,
        *,
        registry: ConsumerRegistry,
        batch_size: int = 100,
        clock: Callable[[], datetime] = utcnow,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.registry = registry
        self.batch_size = batch_size
        self.clock = clock
        self.jitter = jitter

    def __call__(self, database: Database, settings: Settings) -> int:
        return len(self.dispatch_once(database, settings)) + self.retry_consumers(
            database, settings
        )

    def dispatch_once(self, database: Database, settings: Settings) -> list[int]:
        """Dispatch one batch; the seqs of the events this call dispatched."""
        processed: Tally[str] = Tally()
        with database.transaction() as session:
            events = claim_events(session=session, limit=self.batch_size)
            if not events:
                return []
            now = self.clock()
            for consumer in self.registry:
                wanted = [event for event in events if consumer.wants(event.type)]
                if not wanted:
                    continue
                outcome = consume(session=session, consumer=consumer, events=wanted)
                processed[consumer.name] += outcome.processed
                for event in wanted:
                    if event.seq in outcome.failures:
                        error = outcome.failures[event.seq]
                        self._schedule_retry(session, settings, consumer, event, error, now)
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
        _count_processed(processed)
        return seqs

    def retry_consumers(self, database: Database, settings: Settings) -> int:
        """Run consumers again on the events they failed on, once those are due.

        Only this registry's consumers are claimed: a retry of a consumer this process does
        not run stays for a process that does.
        """
        names = [consumer.name for consumer in self.registry]
        if not names:
            return 0
        processed: Tally[str] = Tally()
        with database.transaction() as session:
            now = self.clock()
            retries = list(
                session.scalars(
                    select(ConsumerRetry)
                    .where(ConsumerRetry.next_attempt_at <= now, ConsumerRetry.consumer.in_(names))
                    .order_by(ConsumerRetry.next_attempt_at, ConsumerRetry.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            )
            for retry in retries:
                processed[retry.consumer] += self._retry(session, settings, retry, now)
        _count_processed(processed)
        return len(retries)

    def _retry(
        self, session: Session, settings: Settings, retry: ConsumerRetry, now: datetime
    ) -> int:
        consumer = self.registry.get(retry.consumer)
        event = session.get(OutboxEvent, retry.event_seq)
        assert consumer is not None and event is not None  # claimed by name; seq is a key
        outcome = consume(session=session, consumer=consumer, events=[event])
        if event.seq not in outcome.failures:
            session.delete(retry)
            return outcome.processed
        retry.attempts += 1
        retry.next_attempt_at = now + self._backoff(settings, retry.attempts)
        retry.last_error = outcome.failures[event.seq]
        return 0

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
        seconds = rules.backoff_seconds(
            attempt,
            base=settings.webhook_backoff_base_seconds,
            cap=settings.webhook_backoff_max_seconds,
            jitter=self.jitter(),
        )
        return timedelta(seconds=seconds)


def _count_processed(processed: Tally[str]) -> None:
    """Count what committed (called after the transaction, so a rollback counts nothing)."""
    for name, count in processed.items():
        PROCESSED.labels(name).inc(count)
