"""/metrics shows, per outbox consumer, how far behind it is, what it processed and failed."""

import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session
from tests import builders

from newretail import consumers
from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.outbox.consumers import Consumer, ConsumerRegistry
from newretail.outbox.dispatch import OutboxDispatcher
from newretail.outbox.models import OutboxEvent


def _all_samples(client: TestClient) -> dict[str, dict[str, float]]:
    """Each consumer's samples, from one scrape (a test process's metrics text is long, and
    parsing it costs far more than serving it)."""
    text = client.get("/metrics").text
    found: dict[str, dict[str, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (
                sample.name.startswith("newretail_outbox_consumer_")
                and not sample.name.endswith("_created")
                and set(sample.labels) == {"consumer"}
            ):
                found.setdefault(sample.labels["consumer"], {})[sample.name] = sample.value
    return found


def _samples(client: TestClient, consumer: str) -> dict[str, float]:
    return _all_samples(client).get(consumer, {})


def _store_created(database: Database) -> None:
    with database.transaction() as session:
        brand = builders.brand(session)
        region = builders.region(session, brand.id)
        builders.store(session, brand.id, region.id)


METRICS = [
    "newretail_outbox_consumer_failures_total",
    "newretail_outbox_consumer_lag_events",
    "newretail_outbox_consumer_lag_seconds",
    "newretail_outbox_consumer_processed_total",
]


def test_every_registered_consumer_is_shown_with_no_lag_on_an_empty_outbox(
    client: TestClient,
) -> None:
    names = [consumer.name for consumer in consumers.registry()]
    everyone = _all_samples(client)
    shown = {name: everyone.get(name, {}) for name in names}
    assert names == [
        "webhook_fan_out",
        "presale_deposits",
        "code_sales",
        "order_points",
        "commission_accrual",
        "coupons_follow_orders",
        "pos_balances_follow_refunds",
        "analytics_platform_events",
        "conversations_follow_bindings",
        "buyers_hear_of_orders",
        "deferred_charges_follow_orders",
    ]
    assert {name: sorted(samples) for name, samples in shown.items()} == {
        name: METRICS for name in names
    }
    assert {
        name: (samples[METRICS[1]], samples[METRICS[2]]) for name, samples in shown.items()
    } == {name: (0.0, 0.0) for name in names}


def test_a_failing_consumer_is_retried_and_its_lag_and_failures_are_shown(
    client: TestClient, database: Database, settings: Settings
) -> None:
    name = f"flaky_{uuid.uuid4().hex[:8]}"
    failures = [RuntimeError("downstream not ready")]
    handled: list[str] = []

    def flaky(session: Session, event: OutboxEvent) -> None:
        if failures:
            raise failures.pop()
        handled.append(event.type)

    registry = ConsumerRegistry([Consumer.each(name, ["store.created"], flaky)])
    client.app.state.consumers = registry  # type: ignore[attr-defined]
    _store_created(database)
    waiting = _samples(client, name)
    now = utcnow()
    OutboxDispatcher(registry=registry, clock=lambda: now).dispatch_once(database, settings)
    failed = _samples(client, name)
    later = OutboxDispatcher(registry=registry, clock=lambda: now + timedelta(hours=2))
    retried = later.retry_consumers(database, settings)
    assert waiting["newretail_outbox_consumer_lag_events"] == 1
    assert waiting["newretail_outbox_consumer_lag_seconds"] >= 0
    assert failed == {
        "newretail_outbox_consumer_lag_events": 1.0,
        "newretail_outbox_consumer_lag_seconds": failed["newretail_outbox_consumer_lag_seconds"],
        "newretail_outbox_consumer_processed_total": 0.0,
        "newretail_outbox_consumer_failures_total": 1.0,
    }
    assert retried == 1
    assert handled == ["store.created"]
    assert _samples(client, name) == {
        "newretail_outbox_consumer_lag_events": 0.0,
        "newretail_outbox_consumer_lag_seconds": 0.0,
        "newretail_outbox_consumer_processed_total": 1.0,
        "newretail_outbox_consumer_failures_total": 1.0,
    }
