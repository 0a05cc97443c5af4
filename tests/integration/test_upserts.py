"""``kernel.upserts``: one INSERT ... ON CONFLICT that reads the same on either database, from
a session or a connection: a key claimed once, a count moved in place, a guarded update."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, select
from sqlalchemy.orm import Session

from newretail.db import Database
from newretail.kernel import upserts

metadata = MetaData()
counter = Table(
    "upsert_probe",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("count", Integer, nullable=False),
)


@pytest.fixture
def probe(database: Database) -> Iterator[Database]:
    metadata.create_all(database.engine)
    try:
        yield database
    finally:
        metadata.drop_all(database.engine)


def _counts(session: Session) -> dict[str, int]:
    return {key: count for key, count in session.execute(select(counter.c.key, counter.c.count))}


def test_a_key_is_claimed_once_and_the_second_claim_returns_nothing(probe: Database) -> None:
    with probe.transaction() as session:
        claims = [
            session.scalar(
                upserts.insert(session, counter)
                .values(key="a", count=n)
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(counter.c.count)
            )
            for n in (1, 2)
        ]
        assert claims == [1, None]
        assert _counts(session) == {"a": 1}


def test_a_count_moves_in_place_within_its_limit_from_a_connection(probe: Database) -> None:
    def count(connection: Connection, limit: int) -> int | None:
        fresh = upserts.insert(connection, counter).values(key="b", count=1)
        statement = fresh.on_conflict_do_update(
            index_elements=["key"],
            set_={"count": counter.c.count + fresh.excluded.count},
            where=counter.c.count < limit,
        ).returning(counter.c.count)
        moved: int | None = connection.execute(statement).scalar()
        return moved

    with probe.engine.begin() as connection:
        moved = [count(connection, limit=3) for _ in range(4)]

    assert moved == [1, 2, 3, None]
