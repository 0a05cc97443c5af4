"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from newretail import migrate
from newretail.db import make_engine
from newretail.models import Base


@pytest.fixture
def empty_database_url(database_url: str) -> Iterator[str]:
    """An empty database: a fresh SQLite file, or a fresh schema in the PostgreSQL test database.

    The ``database`` fixture fills its database with ``create_all``; this one is left empty
    so the migrations are what builds it.
    """
    if not database_url.startswith("postgresql"):
        yield database_url
        return
    schema = f"migrations_{uuid.uuid4().hex[:12]}"
    admin = make_engine(database_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in database_url else "?"
    try:
        yield f"{database_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def schema_differences(url: str) -> list[str]:
    """What autogenerate would change to make the database match the models, readably."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return [_describe(diff) for diff in compare_metadata(context, Base.metadata)]
    finally:
        engine.dispose()


def _describe(diff: Any) -> str:
    if isinstance(diff, list):  # column modifications come grouped per column
        return "; ".join(_describe(part) for part in diff)
    action, *details = diff
    names = [getattr(item, "name", None) or str(item) for item in details if item is not None]
    return f"{action} {' '.join(map(str, names))}"


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrading_an_empty_database_to_head_matches_the_models(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)

    assert schema_differences(empty_database_url) == []


def test_downgrading_to_base_removes_every_table(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)

    migrate.downgrade(empty_database_url)

    assert table_names(empty_database_url) == {"alembic_version"}


def test_upgrading_twice_changes_nothing(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    migrate.upgrade(empty_database_url)

    assert schema_differences(empty_database_url) == []


def test_upgrading_a_database_with_rows_keeps_them_and_their_references(
    empty_database_url: str,
) -> None:
    migrate.upgrade(empty_database_url, "e7f1a2b3c4d5")
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO brand (code, name, currency, timezone, created_at)"
                " VALUES ('OLD', 'Old brand', 'CNY', 'Asia/Shanghai', :now)"
            ),
            {"now": "2026-12-01 00:00:00"},
        )
        brand_id = connection.execute(text("SELECT id FROM brand")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO region (brand_id, code, name, kind, created_at)"
                " VALUES (:b, 'HQ', 'HQ', 'hq', :now)"
            ),
            {"b": brand_id, "now": "2026-12-01 00:00:00"},
        )
    engine.dispose()
    migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    with engine.connect() as connection:
        regions = connection.execute(text("SELECT brand_id FROM region")).scalars().all()
    engine.dispose()
    assert regions == [brand_id]
    assert schema_differences(empty_database_url) == []
