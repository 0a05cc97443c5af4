"""A sale's (or a hold's) outbox events are written with its stock, and only if its stock
was taken.

On PostgreSQL they ride on the first guarded statement (one round trip fewer); on SQLite
they are inserted before it, and a refusal ends the transaction that wrote them.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.integration.inventory.stockworld import level, receive, stock_world

from newretail.db import Database
from newretail.inventory import service as inventory_service
from newretail.inventory.errors import InsufficientStock
from newretail.inventory.rules import Line
from newretail.outbox.models import OutboxEvent
from newretail.outbox.service import NewEvent


def _events(reference: str, brand_id: int) -> list[NewEvent]:
    return [
        NewEvent(brand_id, "order.created", "order", reference, {"number": reference, "n": 1}),
        NewEvent(brand_id, "order.paid", "order", reference, {"lines": [{"sku": 7}], "ok": True}),
    ]


def _left_by_refusal(
    database: Database, reference: str, attempt: Callable[[Session], object]
) -> list[str]:
    """The types of the events ``attempt`` (refused for want of stock) left behind in its
    transaction, before it ends."""
    with database.transaction() as session:
        with pytest.raises(InsufficientStock):
            attempt(session)
        found = select(OutboxEvent.type).where(OutboxEvent.resource_id == reference)
        written = list(session.scalars(found.order_by(OutboxEvent.seq)).all())
        session.rollback()
    return written


def test_a_sale_writes_its_events_with_the_stock(database: Database) -> None:
    world = stock_world(database)
    store, sku = world.location_ids[0], world.sku_ids[0]
    receive(database, store, sku, 3)
    before = datetime.now(UTC) - timedelta(seconds=1)
    with database.transaction() as session:
        inventory_service.sell_units(
            session=session,
            lines=[Line(store, sku, 2)],
            journal=inventory_service.Journal(("order", "A1"), "system", None),
            events=_events("A1", world.brand_id),
        )
    with database.transaction(read_only=True) as session:
        rows = session.execute(
            select(
                OutboxEvent.type,
                OutboxEvent.brand_id,
                OutboxEvent.resource_type,
                OutboxEvent.payload,
                OutboxEvent.event_id,
                OutboxEvent.occurred_at,
            )
            .where(OutboxEvent.resource_id == "A1")
            .order_by(OutboxEvent.seq)
        ).all()
    assert [r[:3] for r in rows] == [
        ("order.created", world.brand_id, "order"),
        ("order.paid", world.brand_id, "order"),
    ]
    assert rows[0].payload == {"number": "A1", "n": 1}
    assert rows[1].payload == {"lines": [{"sku": 7}], "ok": True}
    assert len({r.event_id for r in rows}) == 2
    assert all(before < r.occurred_at <= datetime.now(UTC) for r in rows)
    assert level(database, store, sku)[0] == 1


def test_a_refused_sale_leaves_no_event_in_its_transaction(database: Database) -> None:
    world = stock_world(database)
    store, sku = world.location_ids[0], world.sku_ids[0]
    receive(database, store, sku, 1)
    written = _left_by_refusal(
        database,
        "A2",
        lambda session: inventory_service.sell_units(
            session=session,
            lines=[Line(store, sku, 2)],
            journal=inventory_service.Journal(("order", "A2"), "system", None),
            events=_events("A2", world.brand_id),
        ),
    )
    # PostgreSQL writes them only if the guard held; SQLite before the guard, undone with
    # the transaction the refusal ends
    assert written == ([] if not database.is_sqlite else ["order.created", "order.paid"])
    assert level(database, store, sku)[0] == 1


def test_a_hold_writes_its_events_only_if_its_units_are_held(database: Database) -> None:
    world = stock_world(database)
    store, sku = world.location_ids[0], world.sku_ids[0]
    receive(database, store, sku, 2)
    with database.transaction() as session:
        inventory_service.hold_units(
            session=session, lines=[Line(store, sku, 2)], events=_events("H1", world.brand_id)
        )
    refused = _left_by_refusal(
        database,
        "H2",
        lambda session: inventory_service.hold_units(
            session=session, lines=[Line(store, sku, 1)], events=_events("H2", world.brand_id)
        ),
    )
    with database.transaction(read_only=True) as session:
        held = session.scalars(
            select(OutboxEvent.type)
            .where(OutboxEvent.resource_id == "H1")
            .order_by(OutboxEvent.seq)
        ).all()
    assert held == ["order.created", "order.paid"]
    assert refused == ([] if not database.is_sqlite else ["order.created", "order.paid"])
    assert level(database, store, sku)[:2] == (2, 2)
