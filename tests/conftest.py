"""Shared fixtures: a database per test on SQLite and, where configured, PostgreSQL."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

os.environ.setdefault("NEWRETAIL_LOG_JSON", "false")
os.environ.setdefault("NEWRETAIL_LOG_LEVEL", "WARNING")

from newretail.config import Settings
from newretail.db import Database
from newretail.models import Base
from tests.services import postgres_url

_pg_schema_ready = False


def _reset_postgres(url: str) -> Database:
    global _pg_schema_ready
    database = Database(url, pool_size=20, max_overflow=30)
    if not _pg_schema_ready:
        with database.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
            Base.metadata.create_all(connection)
        _pg_schema_ready = True
    else:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with database.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return database


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> str:
    if backend == "postgresql":
        return postgres_url()
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """An empty database with the full schema, on each backend."""
    if database_url.startswith("postgresql"):
        database = _reset_postgres(database_url)
    else:
        database = Database(database_url)
        Base.metadata.create_all(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    """An empty SQLite database, for tests that need no second backend (pages, fuzzing)."""
    database = Database(f"sqlite:///{tmp_path / 'test.db'}")
    Base.metadata.create_all(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def settings(database: Database) -> Settings:
    return Settings(database_url=database.url, log_json=False, log_level="WARNING")
