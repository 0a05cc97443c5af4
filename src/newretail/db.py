"""Engine, sessions and the declarative base.

SQLite is the embedded default. It runs in WAL mode; writing transactions start with
``BEGIN IMMEDIATE`` so two writers queue on the lock instead of deadlocking on an upgrade,
while read-only sessions (``read_only=True``) start deferred and run alongside writers.
Writers of one process queue on a lock of the engine before their ``BEGIN IMMEDIATE``:
SQLite's own busy handler sleeps between retries (up to a tenth of a second each), so
without it a thread waiting for the write lock would sleep on after it was freed; the
engine's lock hands it over at once. The writers of several processes on one file (``serve
--workers N`` with its worker process) then queue on a lock of the file ``<database>-writer``
beside it, each process's waiting writer trying it at least every millisecond. A writing
session sends its ``BEGIN IMMEDIATE`` (and takes those locks) just before its first
statement, so that a read of what is committed now (``committed_now``: a flash-sale buyer's
stock) can run ahead of it without queueing; a buyer it turns away never writes.

A read-only transaction is read-only in the database itself, so a write slipped into a
read path fails loudly instead of committing: PostgreSQL runs it as ``READ ONLY``; SQLite
turns ``PRAGMA query_only`` on for that connection, and off again when it goes back to the
pool. Neither costs a statement of its own.

A database that cannot be had is a transient state, not a bug: a failed connect or a lost
connection raises ``DatabaseUnavailable``, and so does waiting longer than the pool's
timeout for a free connection (SQLAlchemy's pool ``TimeoutError``). ``UNAVAILABLE`` holds
both; the app answers them 503 with ``Retry-After`` and nothing else may swallow them.

A PostgreSQL connection is checked as it leaves the pool, without a round trip unless its
socket has something to read (``_alive``): an idle connection hears nothing from the server
unless it is being ended (a restart, an administrator's terminate) or notified; only then is
it pinged, and one the server closed is replaced before anyone uses it. The usual pre-ping
(``SELECT 1`` on every checkout) would cost every transaction one round trip more.
"""

import fcntl
import os
import select
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

import psycopg
from sqlalchemy import JSON, Connection, DateTime, Engine, MetaData, create_engine, event, make_url
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect, ExceptionContext
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, also on SQLite, which stores no offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


def utcnow() -> datetime:
    return datetime.now(UTC)


def is_sqlite(engine_or_url: Engine | str) -> bool:
    if isinstance(engine_or_url, str):
        return engine_or_url.startswith("sqlite")
    return engine_or_url.dialect.name == "sqlite"  # not str(url): rendered anew each time


class DatabaseUnavailable(Exception):
    """The database cannot be reached (connect failed, or the connection was lost)."""


# What a request gets when it cannot have a connection: retry later, never a 500.
UNAVAILABLE: tuple[type[Exception], ...] = (DatabaseUnavailable, sa_exc.TimeoutError)
SESSION_DATABASE = "newretail.database"


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not is_sqlite(url):
        # Scripts' defaults; a served app sizes its pool from the settings (worker.open_database).
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
        engine = create_engine(url, **kwargs)
        if not kwargs.get("pool_pre_ping"):
            event.listen(engine, "checkout", _refuse_closed)
    else:
        connect_args: dict[str, Any] = {"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS}
        connect_args |= kwargs.pop("connect_args", {})
        path = _database_file(url)
        connect_args.setdefault("factory", _writer_queue(path))
        if path is not None:
            # SQLAlchemy's default pool for a file keeps 5 connections and closes each one
            # past them as it is returned: with more threads than that, nearly every
            # transaction in a burst opened a connection again, with its pragmas and WAL
            # set-up. A connection to a file is a file handle, not a server's backend: keep
            # up to SQLITE_POOL_SIZE of them open (a served app sizes its pool from the
            # settings).
            kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
            kwargs.setdefault("max_overflow", 0)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _make_sqlite_serious(engine)
    event.listen(engine, "handle_error", _unavailable_database, retval=True)
    return engine


def _refuse_closed(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
    """A connection the server has closed is not handed out: the pool opens another."""
    if not _alive(dbapi_conn):
        raise sa_exc.DisconnectionError("the server closed this connection")


def _alive(dbapi_conn: Any) -> bool:
    """Whether an idle psycopg connection is still open, mostly without a round trip.

    An idle connection's socket has nothing to read unless the server sent something
    unasked: a notification or notice (harmless) or its goodbye before closing (the end of
    a restart or an administrator's terminate). Only then is the server asked (``SELECT 1``
    in a transaction rolled back), which fails if it has gone.
    """
    pgconn = getattr(dbapi_conn, "pgconn", None)
    if pgconn is None:
        return True
    if pgconn.status != psycopg.pq.ConnStatus.OK:
        return False
    poll = select.poll()
    poll.register(pgconn.socket, select.POLLIN)
    if not poll.poll(0):
        return True
    try:
        dbapi_conn.execute("SELECT 1")
        dbapi_conn.rollback()
    except psycopg.Error:
        return False
    return True


READ_ONLY = "newretail_read_only"  # execution option of the read-only sessions' bind
_QUERY_ONLY = "newretail_query_only"  # connection info: PRAGMA query_only is on
_BEGIN_PENDING = "newretail_begin_pending"  # connection info (SQLite): BEGIN not sent yet
_OUTSIDE = "newretail_outside"  # connection info (SQLite): statements run before the BEGIN


def read_only_bind(engine: Engine) -> Engine:
    """``engine`` with every transaction made read-only by the database."""
    if is_sqlite(engine):
        return engine.execution_options(**{READ_ONLY: True})
    return engine.execution_options(postgresql_readonly=True, **{READ_ONLY: True})


def _set_query_only(dbapi_conn: Any, info: dict[Any, Any], on: bool) -> None:
    """Switch SQLite's query_only on the driver connection, past the statement counters."""
    if info.get(_QUERY_ONLY, False) != on:
        dbapi_conn.execute(f"PRAGMA query_only={'ON' if on else 'OFF'}")
        info[_QUERY_ONLY] = on


def _unavailable_database(context: ExceptionContext) -> Exception | None:
    """A failed connect or a lost connection becomes ``DatabaseUnavailable``.

    A failed pre-ping is left alone: the pool replaces that connection by itself, and
    only if the replacement cannot connect either does the caller see the error.
    """
    if context.is_pre_ping:
        return None
    error = context.sqlalchemy_exception
    connecting = context.connection is None
    if not isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
        return None
    if connecting or context.is_disconnect:
        reason = "connect failed" if connecting else "connection lost"
        return DatabaseUnavailable(f"database unavailable: {reason}: {error.orig}")
    return None


SQLITE_BUSY_SECONDS = 30
SQLITE_POOL_SIZE = 32


class _FileLock:
    """An exclusive lock on a file beside the database, which writers of every process take.

    ``flock`` on a descriptor opened for each hold and closed with it (so a forked child
    never shares its parent's, and an engine thrown away leaves nothing open). A waiter
    tries it at least every millisecond, where SQLite's busy handler sleeps up to a tenth
    of a second between tries.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self, deadline: float) -> bool:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return False  # a folder that cannot hold it: SQLite's own lock decides
        pause = 0.00005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(pause)
                pause = min(pause * 2, 0.001)
                continue
            except OSError:  # a file system without locks: SQLite's own lock decides
                os.close(fd)
                return False
            self._fd = fd
            return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # which lets the lock go


class _QueuedWriter(sqlite3.Connection):
    """An SQLite connection whose writing transactions hold its engine's writer lock, and the
    database's writer file lock, from their ``BEGIN IMMEDIATE`` until they commit or roll
    back (see the module docstring)."""

    writer: threading.Lock  # one per engine: set on the subclass ``_writer_queue`` makes
    owner: list[int | None]  # the thread holding it, so that it never waits for itself
    file_lock: _FileLock | None  # one per engine of a database in a file
    holds = False
    holds_file = False

    def take_writer(self) -> None:
        """Wait for the engine's writer lock, then for the database's writer file lock
        (called just before ``BEGIN IMMEDIATE``)."""
        me = threading.get_ident()
        deadline = time.monotonic() + SQLITE_BUSY_SECONDS
        if self.owner[0] != me and self.writer.acquire(timeout=SQLITE_BUSY_SECONDS):
            # A wait past the timeout goes on without the lock: SQLite's own then decides.
            self.owner[0], self.holds = me, True
            if self.file_lock is not None:
                self.holds_file = self.file_lock.acquire(deadline)

    def let_go(self) -> None:
        if self.holds:
            if self.holds_file and self.file_lock is not None:
                self.holds_file = False
                self.file_lock.release()
            self.holds, self.owner[0] = False, None
            self.writer.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.let_go()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.let_go()


def _writer_queue(path: str | None) -> type[_QueuedWriter]:
    """A connection class with a writer lock of its own, for one engine's connections, and
    for a database in a file, a lock on the file ``<database>-writer`` beside it."""
    file_lock = _FileLock(f"{path}-writer") if path else None
    members = {"writer": threading.Lock(), "owner": [None], "file_lock": file_lock}
    return type("QueuedWriter", (_QueuedWriter,), members)


def _database_file(url: str) -> str | None:
    """The file an SQLite URL names (None: a database in memory)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return os.path.abspath(database)


def _make_sqlite_serious(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = bool(conn.get_execution_options().get(READ_ONLY, False))
        dbapi_conn = conn.connection.dbapi_connection
        _set_query_only(dbapi_conn, conn.info, read_only)
        if read_only:
            conn.exec_driver_sql("BEGIN")
        else:  # BEGIN IMMEDIATE just before the transaction's first statement
            conn.info[_BEGIN_PENDING] = True

    @event.listens_for(engine, "before_cursor_execute")
    def _before_statement(conn: Any, *_args: Any) -> None:
        info = conn.info
        if info.get(_BEGIN_PENDING) and not info.get(_OUTSIDE):
            del info[_BEGIN_PENDING]
            _begin_writing(conn)

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn: Any) -> None:
        conn.info.pop(_BEGIN_PENDING, None)

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn: Any, record: Any) -> None:
        record.info.pop(_BEGIN_PENDING, None)
        if dbapi_conn is not None and record.info.get(_QUERY_ONLY):
            _set_query_only(dbapi_conn, record.info, False)


def _begin_writing(conn: Any) -> None:
    """``BEGIN IMMEDIATE`` on an SQLite connection, after its engine's writer lock."""
    dbapi_conn = conn.connection.dbapi_connection
    if not isinstance(dbapi_conn, _QueuedWriter):
        on_driver(conn, "BEGIN IMMEDIATE", ())
        return
    dbapi_conn.take_writer()
    try:
        on_driver(conn, "BEGIN IMMEDIATE", ())
    except BaseException:
        dbapi_conn.let_go()
        raise


def on_driver(connection: Connection, sql: str, bound: Any, *, many: bool = False) -> list[Any]:
    """``sql`` with parameters in the driver's own form, on a cursor of the connection's
    driver connection: no execution context, no result object (``kernel.direct``). The
    engine's cursor listeners see it, and a driver error goes through the connection's own
    handling, so it surfaces as SQLAlchemy's (a lost connection as ``DatabaseUnavailable``).
    The rows it returns, as the driver gives them."""
    if not connection.in_transaction():
        connection.begin()  # as ``execute`` would, which fires the engine's ``begin``
    cursor = connection.connection.cursor()
    listening = connection._has_events or connection.engine._has_events
    try:
        if listening:
            for listener in connection.dispatch.before_cursor_execute:
                sql, bound = listener(connection, cursor, sql, bound, None, many)
        if many:
            cursor.executemany(sql, bound)
            rows: list[Any] = []
        else:
            cursor.execute(sql, bound)
            rows = list(cursor.fetchall()) if cursor.description else []
        if listening and (after := connection.dispatch.after_cursor_execute):
            after(connection, cursor, sql, bound, None, many)
    except BaseException as error:
        connection._handle_dbapi_exception(error, sql, bound, cursor, None)
        raise
    finally:
        cursor.close()
    return rows


class Database:
    """One engine with a writing and a read-only session factory.

    ``local`` holds what one process keeps about this database between requests (caches);
    a session finds its database with ``database_of``.
    """

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.local: dict[str, Any] = {}
        info = {SESSION_DATABASE: self}
        self._writer = sessionmaker(self.engine, expire_on_commit=False, info=info)
        self._reader = sessionmaker(read_only_bind(self.engine), expire_on_commit=False, info=info)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.engine)

    def session(self, *, read_only: bool = False) -> Session:
        return (self._reader if read_only else self._writer)()

    @contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error.

        ``read_only``: the database refuses any write in it, and it always rolls back.
        """
        session = self.session(read_only=read_only)
        try:
            yield session
        except BaseException:
            finish(session, commit=False)
            raise
        finish(session, commit=not read_only)

    def dispose(self) -> None:
        self.engine.dispose()


def finish(session: Session, *, commit: bool) -> None:
    """End a session's transaction (commit or roll back) and close it."""
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


def database_of(session: Session) -> Database | None:
    """The ``Database`` whose factory made ``session`` (None for a session made elsewhere)."""
    database: Database | None = session.info.get(SESSION_DATABASE)
    return database


@contextmanager
def committed_now(session: Session) -> Iterator[Connection]:
    """The session's connection, for a read of what is committed now, before its
    transaction.

    While the session has not begun one on the database, the read runs outside any: on
    PostgreSQL in autocommit, one round trip with no BEGIN and no ROLLBACK around it; on
    SQLite before the transaction's ``BEGIN IMMEDIATE``, so without the writer lock (readers
    of a WAL database do not queue). A request turned away by the read never opens a
    transaction, and the transaction begins with the next statement, on the same
    connection. Otherwise the read is the transaction's: under READ COMMITTED it sees the
    same committed rows, and on SQLite, whose writers queue, the current state.
    """
    database = database_of(session)
    fresh = database is not None and not session.in_transaction()
    connection = session.connection()
    driver = connection.connection.dbapi_connection
    if not fresh or driver is None:
        yield connection
    elif database is not None and database.is_sqlite:
        # BEGIN is pending on a writing session's connection (see _make_sqlite_serious)
        connection.info[_OUTSIDE] = True
        try:
            yield connection
        finally:
            del connection.info[_OUTSIDE]
    else:
        driver.autocommit = True
        try:
            yield connection
        finally:
            if not driver.closed:  # a lost connection refuses the change; the pool drops it
                driver.autocommit = False
