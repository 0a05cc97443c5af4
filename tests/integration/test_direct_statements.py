"""``kernel.direct``: a statement run on the driver's cursor writes what ``execute`` writes,
is seen by the engine's listeners, fails as SQLAlchemy fails, and leaves to ``execute``
what it cannot take as it is."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import bindparam, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from tests.statements import count_statements

from newretail.db import Database
from newretail.kernel.direct import Direct
from newretail.outbox.models import ConsumerRetry, OutboxEvent

MOMENT = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def _event(event_id: str, **values: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "brand_id": 7,
        "type": "order.paid",
        "resource_type": "order",
        "resource_id": "42",
        "payload": {"total": 19_900, "lines": [{"sku": 3, "note": "零售"}]},
        "occurred_at": MOMENT,
        **values,
    }


def _stored(database: Database) -> list[tuple[Any, ...]]:
    with database.transaction(read_only=True) as session:
        found = session.execute(
            select(
                OutboxEvent.event_id,
                OutboxEvent.brand_id,
                OutboxEvent.payload,
                OutboxEvent.occurred_at,
            ).order_by(OutboxEvent.seq)
        )
        return [tuple(row) for row in found]


def test_a_direct_insert_stores_what_execute_stores(database: Database) -> None:
    statement = insert(OutboxEvent)
    direct = Direct(statement)
    with database.transaction() as session:
        session.connection().execute(statement, _event("by-execute"))
        direct.run(session.connection(), _event("by-direct"))
        direct.run(session.connection(), [_event("many-1"), _event("many-2", brand_id=None)])
    stored = _stored(database)
    assert [row[0] for row in stored] == ["by-execute", "by-direct", "many-1", "many-2"]
    assert stored[1][1:] == stored[0][1:]  # the JSON and the moment, bound alike
    assert stored[1][2] == {"total": 19_900, "lines": [{"sku": 3, "note": "零售"}]}
    assert stored[1][3] == MOMENT
    assert stored[3][1] is None


def test_returning_and_fixed_values(database: Database) -> None:
    """An INSERT's new id; an UPDATE whose guard and values mix parameters and constants,
    answering a row only where the guard held."""
    with database.transaction() as session:
        seq = Direct(insert(OutboxEvent).returning(OutboxEvent.seq)).scalar(
            session.connection(), _event("first")
        )
        later = MOMENT + timedelta(hours=1)
        guarded = Direct(
            update(OutboxEvent)
            .where(OutboxEvent.seq == bindparam("k_seq"), OutboxEvent.brand_id == literal(7))
            .values(occurred_at=bindparam("p_when", type_=OutboxEvent.occurred_at.type))
            .returning(OutboxEvent.seq)
        )
        assert guarded.first(session.connection(), {"k_seq": seq, "p_when": later}) == (seq,)
        assert guarded.first(session.connection(), {"k_seq": seq + 1, "p_when": later}) is None
    assert _stored(database)[0][3] == later


def test_the_engine_listeners_see_each_statement(database: Database) -> None:
    direct = Direct(insert(OutboxEvent))
    with count_statements(database) as statements, database.transaction() as session:
        direct.run(session.connection(), _event("counted"))
    assert [s for s in statements if s.lstrip().upper().startswith("INSERT")] == [statements[-1]]
    assert "outbox_event" in statements[-1]


def test_a_driver_error_is_sqlalchemys(database: Database) -> None:
    direct = Direct(insert(OutboxEvent))
    with pytest.raises(IntegrityError), database.transaction() as session:
        direct.run(session.connection(), _event("twice"))
        direct.run(session.connection(), _event("twice"))
    assert _stored(database) == []  # rolled back, and the session usable no more


def test_what_direct_cannot_take_goes_through_execute(database: Database) -> None:
    """Python-side defaults to fill in (a retry's attempts and last error) and a returned
    datetime that SQLite stores as text: ``execute`` runs those, with the same answer."""
    with database.transaction() as session:
        seq = Direct(insert(OutboxEvent).returning(OutboxEvent.seq)).scalar(
            session.connection(), _event("retried")
        )
        retry = Direct(insert(ConsumerRetry).returning(ConsumerRetry.next_attempt_at))
        row = {"consumer": "points", "event_seq": seq, "next_attempt_at": MOMENT}
        assert retry.scalar(session.connection(), row) == MOMENT
        stored = session.execute(select(ConsumerRetry.attempts, ConsumerRetry.last_error)).one()
    assert tuple(stored) == (1, "")


def test_rows_are_read_by_their_columns_types_and_named(database: Database) -> None:
    """A returned datetime comes back aware (SQLite stores it as text), a JSON document as
    its value, and each row answers by its columns' names."""
    with database.transaction() as session:
        Direct(insert(OutboxEvent)).run(session.connection(), _event("read"))
        read = Direct(
            select(OutboxEvent.event_id, OutboxEvent.occurred_at, OutboxEvent.payload).where(
                OutboxEvent.type == bindparam("kind")
            )
        )
        (row,) = read.run(session.connection(), {"kind": "order.paid"})
        assert read.first(session.connection(), {"kind": "order.refunded"}) is None
    assert row.event_id == "read"
    assert row.occurred_at == MOMENT
    assert row.payload == {"total": 19_900, "lines": [{"sku": 3, "note": "零售"}]}
    assert tuple(row) == ("read", MOMENT, row.payload)
