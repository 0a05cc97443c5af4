"""Test databases: one set per pytest-xdist worker, emptied between tests without rebuilding.

SQLite: each test gets a copy of a template file whose schema was built once per worker
(copying a file is far cheaper than ``create_all``). PostgreSQL: each worker owns a database
``<name>_<worker>`` next to the configured one (created on first use), whose schema is built
once per session; before each test its rows are deleted (children first, with the foreign
keys' checks off for that transaction: nothing is left to refer to anything) and its
sequences restarted, so ids start at 1 as they do in a fresh SQLite file.
Deleting rows costs a fraction of ``TRUNCATE`` on a schema this size, most of whose tables a
test never touches.

Each test still gets an engine, a pool and a ``Database`` of its own (the caches of a process
are kept per database and per pool, and must not carry over), but not new server connections:
a new PostgreSQL connection costs a server process and, on its first statements, the loading
of the catalog entries of every table it touches (the emptying touches them all), together a
few tenths of a second, more than most tests. ``ConnectionStash`` hands the connections a
test's pool closes on to the next test's pool, reset, instead.
"""

import os
import shutil
import threading
from collections import deque
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import make_url, text

from newretail.db import Database, make_engine
from newretail.models import Base

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def for_this_worker(url: str, suffix: str = "") -> str:
    """The worker's own PostgreSQL database next to ``url`` (created if missing)."""
    parsed = make_url(url)
    parts = [parsed.database or "postgres", WORKER, suffix]
    name = "_".join(part for part in parts if part)
    if name != parsed.database:
        _create_if_missing(url, name)
    return parsed.set(database=name).render_as_string(hide_password=False)


def _create_if_missing(url: str, name: str) -> None:
    server_url = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    server = Database(server_url)
    try:
        with server.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            found = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not found:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        server.dispose()


def rebuild_postgres_schema(database: Database) -> None:
    """Drop whatever the public schema holds and create the models' tables in it."""
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
        Base.metadata.create_all(connection)


def _emptying_block() -> str:
    deletes = " ".join(f'DELETE FROM "{t.name}";' for t in reversed(Base.metadata.sorted_tables))
    restarts = (
        "PERFORM setval(s.oid, 1, false) FROM pg_class s"
        " WHERE s.relkind = 'S' AND s.relnamespace = 'public'::regnamespace;"
    )
    # As a replica, the server runs no foreign key check per row deleted: most of the cost.
    checks_off = "SET LOCAL session_replication_role = replica;"
    return f"DO $$ BEGIN {checks_off} {deletes} {restarts} END $$"


EMPTY_POSTGRES = text(_emptying_block())


def empty_postgres(database: Database) -> None:
    """Delete every row (children first) and restart every sequence, in one round trip."""
    with database.engine.begin() as connection:
        connection.execute(EMPTY_POSTGRES)


class _Kept(psycopg.Connection[Any]):
    """A connection that, closed by a pool, goes back to its stash if it is clean."""

    stash: "ConnectionStash | None" = None

    def close(self) -> None:
        if self.stash is None or not self.stash.take_back(self):
            super().close()

    def close_for_good(self) -> None:
        super().close()


class ConnectionStash:
    """Open connections to one database, passed from one test's pool to the next.

    A connection comes back rolled back and with the session's defaults (autocommit off, the
    server's isolation level, read-write), so the next engine finds it as a new one. Only a
    few are kept: the server's connections are shared by every worker.
    """

    KEEP = 4

    def __init__(self, url: str) -> None:
        engine = make_engine(url)
        self._args, self._params = engine.dialect.create_connect_args(engine.url)
        engine.dispose()
        self._idle: deque[_Kept] = deque()
        self._lock = threading.Lock()

    def connect(self) -> _Kept:
        """An idle kept connection, or a new one (the ``creator`` of a test's engine)."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        connection = _Kept.connect(*self._args, **self._params)
        connection.stash = self
        return connection

    def take_back(self, connection: _Kept) -> bool:
        if connection.closed or connection.broken:
            return False
        try:
            connection.rollback()
            connection.autocommit = False
            connection.isolation_level = None
            connection.read_only = None
            connection.deferrable = None
        except psycopg.Error:
            return False
        with self._lock:
            if len(self._idle) >= self.KEEP:
                return False
            self._idle.append(connection)
        return True

    def close(self) -> None:
        with self._lock:
            idle, self._idle = list(self._idle), deque()
        for connection in idle:
            connection.close_for_good()


def sqlite_template(folder: Path) -> Path:
    """A SQLite file holding the empty schema, closed so that copies of it are complete."""
    path = folder / "template.db"
    database = Database(f"sqlite:///{path}")
    Base.metadata.create_all(database.engine)
    database.dispose()
    return path


def sqlite_copy(template: Path, path: Path) -> Database:
    shutil.copyfile(template, path)
    return Database(f"sqlite:///{path}")
