"""Test databases: one set per pytest-xdist worker, emptied between tests without rebuilding.

SQLite: each test gets a copy of a template file whose schema was built once per worker
(copying a file is far cheaper than ``create_all``). PostgreSQL: each worker owns a database
``<name>_<worker>`` next to the configured one (created on first use), whose schema is built
once per session; before each test its rows are deleted in dependency order, child tables
first, and its sequences restarted, so ids start at 1 as they do in a fresh SQLite file.
Deleting rows costs a fraction of ``TRUNCATE`` on a schema this size, most of whose tables a
test never touches.
"""

import os
import shutil
from pathlib import Path

from sqlalchemy import make_url, text

from newretail.db import Database
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
    return f"DO $$ BEGIN {deletes} {restarts} END $$"


EMPTY_POSTGRES = text(_emptying_block())


def empty_postgres(database: Database) -> None:
    """Delete every row (children first) and restart every sequence, in one round trip."""
    with database.engine.begin() as connection:
        connection.execute(EMPTY_POSTGRES)


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
