"""How far behind each consumer is, read from the outbox when ``/metrics`` is scraped.

Lag is a fact of the database, not of one process: any API process can report it, whichever
process runs the worker. Per consumer, the events it has not consumed yet are the
undispatched events of the types it wants plus the events it is waiting to retry; the age
is that of the oldest. Two indexed queries, the first reading at most ``SCAN_LIMIT`` of the
oldest undispatched events: beyond that the count saturates (the age stays exact for the
types among them). Processed and failed counts are the dispatcher's counters
(``newretail.outbox.dispatch``).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from newretail.db import Database, utcnow
from newretail.observability import log
from newretail.outbox.consumers import ConsumerRegistry
from newretail.outbox.dispatch import CONSUMER_FAILURES, PROCESSED
from newretail.outbox.models import ConsumerRetry, OutboxEvent

SCAN_LIMIT = 10_000


@dataclass(frozen=True)
class Lag:
    events: int
    oldest_at: datetime | None


def lag(*, session: Session, registry: ConsumerRegistry) -> dict[str, Lag]:
    """Events not yet consumed, and the oldest one's time, per registered consumer."""
    oldest_undispatched = (
        select(OutboxEvent.type, OutboxEvent.occurred_at)
        .where(OutboxEvent.dispatched_at.is_(None))
        .order_by(OutboxEvent.seq)
        .limit(SCAN_LIMIT)
        .subquery()
    )
    pending = session.execute(
        select(
            oldest_undispatched.c.type,
            func.count(),
            func.min(oldest_undispatched.c.occurred_at),
        ).group_by(oldest_undispatched.c.type)
    ).all()
    retrying = {
        name: (count, oldest)
        for name, count, oldest in session.execute(
            select(ConsumerRetry.consumer, func.count(), func.min(OutboxEvent.occurred_at))
            .join(OutboxEvent, OutboxEvent.seq == ConsumerRetry.event_seq)
            .group_by(ConsumerRetry.consumer)
        ).all()
    }
    found: dict[str, Lag] = {}
    for consumer in registry:
        parts = [(n, at) for type_, n, at in pending if consumer.wants(type_)]
        parts.append(retrying.get(consumer.name, (0, None)))
        times = [_aware(at) for n, at in parts if n and at is not None]
        found[consumer.name] = Lag(sum(n for n, _ in parts), min(times, default=None))
    return found


def _aware(moment: datetime) -> datetime:
    """Aggregates bypass the column type, so SQLite hands back naive (UTC) times."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class LagCollector(Collector):
    """Gauges of each consumer's lag, computed from ``database`` at collection time."""

    def __init__(self, database: Database, registry: ConsumerRegistry) -> None:
        self.database = database
        self.registry = registry

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with self.database.transaction(read_only=True) as session:
                lags = lag(session=session, registry=self.registry)
        except SQLAlchemyError as exc:  # the process's own metrics still go out
            log.warning("consumer_lag_unavailable", error=f"{type(exc).__name__}: {exc}")
            return
        now = utcnow()
        events = GaugeMetricFamily(
            "newretail_outbox_consumer_lag_events",
            "Events a consumer has not consumed yet (undispatched or awaiting retry)",
            labels=["consumer"],
        )
        age = GaugeMetricFamily(
            "newretail_outbox_consumer_lag_seconds",
            "Age of the oldest event a consumer has not consumed yet (0 when none)",
            labels=["consumer"],
        )
        for name, found in sorted(lags.items()):
            events.add_metric([name], found.events)
            seconds = (now - found.oldest_at).total_seconds() if found.oldest_at else 0.0
            age.add_metric([name], max(seconds, 0.0))
        yield events
        yield age


def render(*, database: Database, registry: ConsumerRegistry) -> bytes:
    """The consumers' lag in the Prometheus text format, to append to the process metrics.

    Also makes sure every registered consumer shows in the processed and failure counters,
    at zero until it has done something.
    """
    for consumer in registry:
        PROCESSED.labels(consumer.name)
        CONSUMER_FAILURES.labels(consumer.name)
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(LagCollector(database, registry))
    return generate_latest(scrape)
