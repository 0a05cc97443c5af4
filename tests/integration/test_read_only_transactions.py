"""A read-only transaction is read-only in the database itself, and only while it lasts."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from tests import builders

from newretail.db import Database
from newretail.org.models import Brand


def _one_connection(database: Database) -> Database:
    """The same database through a pool of one, so every transaction reuses one connection."""
    return Database(database.url, pool_size=1, max_overflow=0)


def _brands(database: Database) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(Brand)) or 0)


def test_the_database_refuses_a_write_in_a_read_only_transaction(database: Database) -> None:
    with pytest.raises(DBAPIError), database.transaction(read_only=True) as session:
        builders.brand(session)
    assert _brands(database) == 0


def test_a_connection_writes_again_once_its_read_only_transaction_is_over(
    database: Database,
) -> None:
    single = _one_connection(database)
    try:
        with pytest.raises(DBAPIError), single.transaction(read_only=True) as session:
            session.execute(text("DELETE FROM brand"))
        with single.transaction() as session:
            builders.brand(session)
        with single.transaction(read_only=True) as session:
            read = session.scalar(select(func.count()).select_from(Brand))
        with single.transaction() as session:
            builders.brand(session)
    finally:
        single.dispose()
    assert read == 1
    assert _brands(database) == 2
