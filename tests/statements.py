"""What a database runs while a block runs: for tests that pin how many statements, or which,
a piece of work costs, and how many connections it takes."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from newretail.db import Database


@contextmanager
def _listening(database: Database, name: str, record: Callable[..., None]) -> Iterator[None]:
    event.listen(database.engine, name, record)
    try:
        yield
    finally:
        event.remove(database.engine, name, record)


@contextmanager
def count_statements(database: Database) -> Iterator[list[str]]:
    """The SQL of each statement run inside, in order (``BEGIN`` among them on SQLite)."""
    statements: list[str] = []
    with _listening(database, "before_cursor_execute", lambda *a: statements.append(a[2])):
        yield statements


def without_begin(statements: list[str]) -> list[str]:
    """``statements`` but SQLite's ``BEGIN``, which PostgreSQL's driver does not send as one."""
    return [s for s in statements if not s.lstrip().upper().startswith("BEGIN")]


@contextmanager
def count_checkouts(database: Database) -> Iterator[list[object]]:
    """One entry for each connection taken from the pool inside (a session's, say)."""
    taken: list[object] = []
    with _listening(database, "checkout", lambda *a: taken.append(a[0])):
        yield taken


@contextmanager
def statements_with_parameters(database: Database) -> Iterator[list[tuple[str, Any]]]:
    """Each statement run inside with its parameters, in order (to run it again, explained)."""
    statements: list[tuple[str, Any]] = []
    with _listening(database, "before_cursor_execute", lambda *a: statements.append((a[2], a[3]))):
        yield statements
