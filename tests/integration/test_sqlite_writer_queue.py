"""SQLite writers of one engine queue on its lock from BEGIN IMMEDIATE to commit or rollback;
readers never take it. Writers of several engines on one file (several processes) queue on
the lock of the file ``<database>-writer``."""

import errno
import fcntl
import os
import threading
import time
from typing import Any

import pytest
from sqlalchemy import event, make_url, text
from sqlalchemy.orm import Session
from tests import builders

from newretail import db
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


def test_a_read_committed_now_does_not_wait_for_a_writer(sqlite_database: Database) -> None:
    """A writing session's read before its transaction (``committed_now``, a flash-sale
    buyer's stock) runs while another writer holds the lock; the session's next statement
    then queues for it behind that writer."""
    order: list[str] = []
    holding, release = threading.Event(), threading.Event()

    def first() -> None:
        with sqlite_database.transaction() as session:
            builders.brand(session)
            holding.set()
            release.wait(30)
            order.append("first commits")

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert holding.wait(10)
        with sqlite_database.transaction() as session:
            with db.committed_now(session) as connection:
                connection.execute(text("SELECT 1")).one()
            order.append("read")
            release.set()
            session.execute(text("SELECT 1"))
            order.append("second began")
    finally:
        release.set()
        thread.join(30)
    assert order == ["read", "first commits", "second began"]


def _writer_file(database: Database) -> str:
    return f"{make_url(database.url).database}-writer"


def _file_is_locked(path: str) -> bool:
    """Whether some descriptor holds the file's lock (tried from a new one)."""
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_a_writing_transaction_holds_the_database_file_lock_until_it_ends(
    sqlite_database: Database,
) -> None:
    with sqlite_database.transaction() as session:
        builders.brand(session)
        held = _file_is_locked(_writer_file(sqlite_database))
    with sqlite_database.transaction(read_only=True) as session:
        session.execute(text("SELECT 1"))
        held_by_reader = _file_is_locked(_writer_file(sqlite_database))
    assert held
    assert not held_by_reader
    assert not _file_is_locked(_writer_file(sqlite_database))


def _impatient(database: Database) -> Database:
    """A second engine on the same file, as another process has, whose writers SQLite turns
    away at once when the database is locked (no busy timeout)."""
    other = Database(database.url)

    @event.listens_for(other.engine, "connect")
    def _no_patience(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA busy_timeout=0")

    return other


def test_a_writer_of_another_engine_on_the_file_waits_for_the_first_to_commit(
    sqlite_database: Database,
) -> None:
    other = _impatient(sqlite_database)
    order: list[str] = []
    failures: list[BaseException] = []
    trying = threading.Event()

    def second() -> None:
        trying.set()
        try:
            with other.transaction() as session:
                session.execute(text("SELECT 1"))
                order.append("second began")
        except BaseException as exc:  # reported below
            failures.append(exc)

    thread = threading.Thread(target=second)
    with sqlite_database.transaction() as session:
        builders.brand(session)
        thread.start()
        trying.wait(10)
        time.sleep(0.1)  # the second writer is waiting by now
        order.append("first commits")
    thread.join(30)
    other.dispose()
    assert failures == []
    assert order == ["first commits", "second began"]


def test_a_file_system_without_locks_leaves_the_writers_to_sqlite(
    sqlite_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(db.fcntl, "flock", refused)
    with sqlite_database.transaction() as session:
        brand_id = builders.brand(session).id
    with sqlite_database.transaction(read_only=True) as session:
        found = session.execute(text("SELECT count(*) FROM brand WHERE id = :id"), {"id": brand_id})
        assert found.scalar_one() == 1


def test_threads_past_five_keep_their_connections_to_a_file(tmp_path: Any) -> None:
    """SQLAlchemy's own pool for a file closes every connection past its fifth as it comes
    back, so that twelve threads reading in bursts opened seven connections a burst."""
    database = Database(f"sqlite:///{tmp_path / 'pool.db'}")
    opened: list[int] = []
    event.listen(database.engine, "connect", lambda *_: opened.append(1))
    threads, rounds = 12, 20
    start = threading.Barrier(threads)

    def reads() -> None:
        for _ in range(rounds):  # in bursts: all twelve at once, then none
            start.wait()
            with database.transaction(read_only=True) as session:
                session.execute(text("SELECT 1")).one()
                start.wait()

    workers = [threading.Thread(target=reads) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    database.dispose()

    assert 0 < len(opened) <= threads
