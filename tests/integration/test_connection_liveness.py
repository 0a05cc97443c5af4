"""A PostgreSQL connection the server has closed is replaced as it leaves the pool, before
anyone uses it; one that only received a notification is kept. Neither costs a statement."""

import select
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text

from newretail.db import Database


@pytest.fixture
def pooled(postgres_worker_url: str) -> Iterator[Database]:
    database = Database(postgres_worker_url, pool_size=1, max_overflow=0, pool_timeout=2)
    yield database
    database.dispose()


def backend_pid(database: Database) -> int:
    with database.transaction() as session:
        return int(session.scalar(text("SELECT pg_backend_pid()")) or 0)


def readable(database: Database) -> bool:
    """Whether the pooled connection's socket has something to read, waiting up to 2 s."""
    connection = database.engine.pool.connect()
    try:
        socket = connection.driver_connection.pgconn.socket  # type: ignore[union-attr]
        waited = select.select([socket], [], [], 2.0)[0]
    finally:
        connection.close()
    return bool(waited)


def run_elsewhere(url: str, statement: str, *args: object) -> None:
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as other:
        other.execute(statement, args)


def test_a_connection_the_server_ended_is_replaced_before_use(
    pooled: Database, postgres_worker_url: str
) -> None:
    first = backend_pid(pooled)
    run_elsewhere(postgres_worker_url, "SELECT pg_terminate_backend(%s)", first)
    assert readable(pooled)

    second = backend_pid(pooled)

    assert second != first


def test_a_connection_that_was_only_notified_is_kept(
    pooled: Database, postgres_worker_url: str
) -> None:
    with pooled.engine.connect() as connection:
        connection.execute(text("LISTEN liveness_test"))
        connection.commit()
        first = int(connection.scalar(text("SELECT pg_backend_pid()")) or 0)
        connection.commit()
    run_elsewhere(postgres_worker_url, "NOTIFY liveness_test")
    deadline = time.monotonic() + 2
    while not readable(pooled) and time.monotonic() < deadline:
        time.sleep(0.01)

    assert backend_pid(pooled) == first
