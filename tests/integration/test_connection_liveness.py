"""A PostgreSQL connection the server has closed is replaced as it leaves the pool, before
anyone uses it; one that only received a notification is kept. Neither costs a statement."""

import select
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import literal, text
from sqlalchemy import select as select_sql

from newretail.db import Database, DatabaseUnavailable, _alive, committed_now
from newretail.kernel.direct import Direct


@pytest.fixture
def pooled(postgres_worker_url: str) -> Iterator[Database]:
    database = Database(postgres_worker_url, pool_size=1, max_overflow=0, pool_timeout=2)
    yield database
    database.dispose()


@pytest.fixture
def other(postgres_worker_url: str) -> Iterator[psycopg.Connection]:
    """A connection of the test's own, outside any pool."""
    with psycopg.connect(postgres_worker_url.replace("+psycopg", ""), autocommit=True) as conn:
        yield conn


@pytest.fixture
def idle(postgres_worker_url: str) -> Iterator[psycopg.Connection]:
    """A driver connection left idle, as the pool keeps them."""
    with psycopg.connect(postgres_worker_url.replace("+psycopg", "")) as conn:
        conn.execute("SELECT 1")
        conn.rollback()
        yield conn


def backend_pid(database: Database) -> int:
    with database.transaction() as session:
        return int(session.scalar(text("SELECT pg_backend_pid()")) or 0)


def terminate(other: psycopg.Connection, pid: int) -> None:
    """End a backend and wait (up to 2 s) until the server no longer lists it."""
    other.execute("SELECT pg_terminate_backend(%s)", (pid,))
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        if (
            other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
            is None
        ):
            return
        time.sleep(0.01)
    raise AssertionError(f"backend {pid} still listed 2 s after it was terminated")


def wait_readable(conn: psycopg.Connection) -> bool:
    return bool(select.select([conn.pgconn.socket], [], [], 2.0)[0])


def test_an_idle_connection_is_judged_open_and_closed_without_a_statement(
    idle: psycopg.Connection, other: psycopg.Connection
) -> None:
    assert _alive(idle)
    terminate(other, idle.info.backend_pid)
    assert wait_readable(idle)

    assert not _alive(idle)


def test_a_notified_connection_is_judged_open_and_still_works(
    idle: psycopg.Connection, other: psycopg.Connection
) -> None:
    idle.execute("LISTEN liveness_test")
    idle.commit()
    other.execute("NOTIFY liveness_test")
    assert wait_readable(idle)

    assert _alive(idle)
    assert idle.execute("SELECT 1").fetchone() == (1,)


def test_the_pool_replaces_a_connection_the_server_ended_before_use(
    pooled: Database, other: psycopg.Connection
) -> None:
    first = backend_pid(pooled)
    terminate(other, first)

    second = backend_pid(pooled)

    assert second != first


def test_a_connection_lost_under_a_read_before_the_transaction_is_database_unavailable(
    pooled: Database, other: psycopg.Connection
) -> None:
    """The autocommit read of ``committed_now`` on a connection the server ended: the
    request gets the unavailable database (a 503), and the pool a working connection."""
    session = pooled.session()
    try:
        driver: Any = session.connection().connection.dbapi_connection
        terminate(other, driver.info.backend_pid)
        with pytest.raises(DatabaseUnavailable), committed_now(session) as connection:
            connection.execute(text("SELECT 1"))
    finally:
        session.close()
    assert backend_pid(pooled) > 0  # the pool has a working connection again


def test_a_connection_lost_under_a_direct_statement_is_database_unavailable(
    pooled: Database, other: psycopg.Connection
) -> None:
    """A hot-path statement run on the driver's cursor (``kernel.direct``) fails as one run
    through SQLAlchemy does: the unavailable database, and a working pool after it."""
    session = pooled.session()
    try:
        connection = session.connection()
        driver: Any = connection.connection.dbapi_connection
        terminate(other, driver.info.backend_pid)
        with pytest.raises(DatabaseUnavailable):
            Direct(select_sql(literal(1))).run(connection, {})
    finally:
        session.close()
    assert backend_pid(pooled) > 0
