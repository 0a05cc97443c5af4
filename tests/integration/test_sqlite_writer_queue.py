"""SQLite writers of one engine queue on its lock from BEGIN IMMEDIATE to commit or rollback;
readers never take it."""

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from tests import builders

from newretail.db import Database


def _writer_lock(session: Session) -> threading.Lock:
    lock: threading.Lock = session.connection().connection.dbapi_connection.writer  # type: ignore[union-attr]
    return lock


def test_a_writing_transaction_holds_the_lock_until_it_commits(
    sqlite_database: Database,
) -> None:
    with sqlite_database.transaction() as session:
        builders.brand(session)
        lock = _writer_lock(session)
        held = lock.locked()
    assert held
    assert not lock.locked()


def test_a_failed_transaction_lets_the_lock_go_when_it_rolls_back(
    sqlite_database: Database,
) -> None:
    with pytest.raises(RuntimeError), sqlite_database.transaction() as session:
        lock = _writer_lock(session)
        raise RuntimeError("the work failed")
    assert not lock.locked()


def test_a_read_only_transaction_leaves_the_lock_alone(sqlite_database: Database) -> None:
    with sqlite_database.transaction(read_only=True) as session:
        session.execute(text("SELECT 1"))
        lock = _writer_lock(session)
        held = lock.locked()
    assert not held


def test_a_second_writer_waits_for_the_first_to_commit(sqlite_database: Database) -> None:
    order: list[str] = []
    second_started = threading.Event()

    def second() -> None:
        second_started.set()
        with sqlite_database.transaction() as session:
            session.execute(text("SELECT 1"))
            order.append("second began")

    thread = threading.Thread(target=second)
    with sqlite_database.transaction() as session:
        builders.brand(session)
        thread.start()
        second_started.wait(10)
        order.append("first commits")
    thread.join(30)
    assert order == ["first commits", "second began"]
