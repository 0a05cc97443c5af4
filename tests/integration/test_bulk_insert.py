"""Bulk inserts (``kernel.bulk``): a batch of rows in one statement on each database, keys
already taken skipped, values bound as their columns' types bind them."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from newretail.db import Database, UTCDateTime
from newretail.kernel import bulk
from newretail.outbox.models import ConsumedEvent

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
metadata = MetaData()
probe = Table(
    "bulk_probe",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(40), unique=True, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("detail", JSON),
    Column("at", UTCDateTime()),
)


@pytest.fixture
def table(database: Database) -> Iterator[Table]:
    with database.engine.begin() as connection:
        metadata.create_all(connection)
    yield probe
    with database.engine.begin() as connection:
        metadata.drop_all(connection)


def _row(key: str, amount: int, at: datetime | None = AT) -> dict[str, Any]:
    return {"key": key, "amount": amount, "detail": {"why": "…", "n": [1, 2]}, "at": at}


def _rows(session: Session, table: Table) -> list[tuple[Any, ...]]:
    query = select(table.c.key, table.c.amount, table.c.detail, table.c.at).order_by(table.c.key)
    return [tuple(row) for row in session.execute(query)]


def test_a_batch_is_written_and_taken_keys_are_skipped(database: Database, table: Table) -> None:
    with database.transaction() as session:
        first = bulk.insert_rows(session, table, [_row("a", 1), _row("b", 2)])
    with database.transaction() as session:
        again = bulk.insert_rows(
            session, table, [_row("a", 10), _row("c", 3), _row("b", 20)], skip_taken=table.c.key
        )
    with database.transaction(read_only=True) as session:
        found = _rows(session, table)
    assert (first, again) == (2, 1)
    assert found == [
        ("a", 1, {"why": "…", "n": [1, 2]}, AT),
        ("b", 2, {"why": "…", "n": [1, 2]}, AT),
        ("c", 3, {"why": "…", "n": [1, 2]}, AT),
    ]


def test_a_datetime_keeps_its_instant_and_nulls_stay_null(database: Database, table: Table) -> None:
    shanghai = timezone(timedelta(hours=8))
    rows = [_row("east", 1, AT.astimezone(shanghai)), _row("none", 2, None)]
    with database.transaction() as session:
        bulk.insert_rows(session, table, rows)
    with database.transaction(read_only=True) as session:
        found = {key: at for key, _, _, at in _rows(session, table)}
    assert found == {"east": AT, "none": None}


def test_a_row_is_stored_as_sqlalchemy_stores_it(database: Database, table: Table) -> None:
    """Same stored form, so SQL compares bulk-written values with any others (SQLite keeps
    datetimes and JSON as text: a different spelling would compare wrongly)."""
    with database.transaction() as session:
        bulk.insert_rows(session, table, [_row("bulk", 1)])
        session.execute(insert(table).values(_row("orm", 1)))
    with database.transaction(read_only=True) as session:
        spellings = session.execute(
            select(
                func.count(func.distinct(table.c.at)),
                func.count(func.distinct(sql_cast(table.c.detail, Text))),
            )
        ).one()
    assert tuple(spellings) == (1, 1)


def test_a_naive_datetime_is_refused(database: Database, table: Table) -> None:
    with pytest.raises(ValueError, match="naive"), database.transaction() as session:
        bulk.insert_rows(session, table, [_row("naive", 1, datetime(2026, 11, 20, 10))])


def test_new_rows_past_the_databases_parameter_limits_go_in_and_taken_ones_are_skipped(
    database: Database,
) -> None:
    """Twenty-five thousand receipts of three columns each: 75,000 values, more than either
    database takes as parameters of one statement (the consumed time comes from the
    column's Python-side default). Receipts already there, or twice in the batch, are
    skipped, and only the new ones are answered."""
    rows = [{"consumer": "probe", "event_id": f"e{n:08d}"} for n in range(25_000)]
    with database.transaction() as session:
        first = bulk.insert_new(
            session, ConsumedEvent, rows[:10], unique=["consumer", "event_id"], returning="id"
        )
    with database.transaction() as session:
        written = bulk.insert_new(
            session,
            ConsumedEvent,
            [*rows, rows[-1]],
            unique=["consumer", "event_id"],
            returning="event_id",
        )
    assert len(first) == 10
    assert sorted(written) == [row["event_id"] for row in rows[10:]]
    with database.transaction(read_only=True) as session:
        stored = session.execute(
            select(func.count(), func.count(ConsumedEvent.consumed_at)).where(
                ConsumedEvent.consumer == "probe"
            )
        ).one()
    assert tuple(stored) == (25_000, 25_000)
