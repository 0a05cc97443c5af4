import json
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from newretail.outbox import rules
from newretail.outbox.consumers import ConsumerRegistry
from newretail.outbox.models import OutboxEvent


def test_envelope_carries_id_type_brand_resource_and_data() -> None:
    body = rules.envelope(
        event_id="e1",
        type="store.created",
        occurred_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        brand_id=7,
        resource_type="store",
        resource_id="42",
        data={"name": "上海店"},
    )
    assert body == {
        "id": "e1",
        "type": "store.created",
        "occurred_at": "2025-01-02T03:04:05+00:00",
        "brand_id": 7,
        "resource": {"type": "store", "id": "42"},
        "data": {"name": "上海店"},
    }


def test_encoding_is_compact_utf8_json() -> None:
    raw = rules.encode({"a": "店", "b": [1, 2]})
    assert raw == '{"a":"店","b":[1,2]}'.encode()
    assert json.loads(raw) == {"a": "店", "b": [1, 2]}


def test_subject_is_prefix_brand_and_type() -> None:
    assert rules.subject("newretail", 12, "store.created") == "newretail.12.store.created"


def test_events_without_a_brand_go_to_the_platform_subject() -> None:
    assert rules.subject("nr", None, "staff.created") == "nr.platform.staff.created"


def test_the_stream_takes_everything_under_the_prefix() -> None:
    assert rules.stream_subjects("nr") == ["nr.>"]


def _noop(session: Session, event: OutboxEvent) -> None:
    return None


def test_registry_finds_consumers_by_type_and_star() -> None:
    registry = ConsumerRegistry()
    registry.add("accrual", ["order.paid"], _noop)
    registry.add("audit_all", ["*"], _noop)
    assert [c.name for c in registry.for_type("order.paid")] == ["accrual", "audit_all"]
    assert [c.name for c in registry.for_type("store.created")] == ["audit_all"]


def test_registry_decorator_registers_and_returns_the_function() -> None:
    registry = ConsumerRegistry()

    @registry.register("counter", "store.created", "store.updated")
    def handler(session: Session, event: OutboxEvent) -> None:
        return None

    consumer = registry.get("counter")
    assert consumer is not None
    assert consumer.event_types == {"store.created", "store.updated"}
    assert consumer.dedupe


def test_a_consumer_name_is_registered_once() -> None:
    registry = ConsumerRegistry()
    registry.add("accrual", ["order.paid"], _noop)
    with pytest.raises(ValueError, match="already registered"):
        registry.add("accrual", ["order.refunded"], _noop)


def test_a_consumer_needs_an_event_type() -> None:
    with pytest.raises(ValueError):
        ConsumerRegistry().add("nothing", [], _noop)
