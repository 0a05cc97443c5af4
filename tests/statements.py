"""What a database runs while a block runs: for tests that pin how many statements, or which,
a piece of work costs."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from newretail.db import Database


@contextmanager
def _listening(database: Database, record: Callable[..., None]) -> Iterator[None]:
    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


@contextmanager
def count_statements(database: Database) -> Iterator[list[str]]:
    """The SQL of each statement run inside, in order."""
    statements: list[str] = []
    with _listening(database, lambda *args: statements.append(args[2])):
        yield statements


@contextmanager
def statements_with_parameters(database: Database) -> Iterator[list[tuple[str, Any]]]:
    """Each statement run inside with its parameters, in order (to run it again, explained)."""
    statements: list[tuple[str, Any]] = []
    with _listening(database, lambda *args: statements.append((args[2], args[3]))):
        yield statements
