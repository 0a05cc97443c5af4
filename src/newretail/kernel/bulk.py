"""Writing many rows at once, in the fastest form each database takes, with no mapped objects.

- PostgreSQL: one ``INSERT … SELECT … FROM json_populate_recordset(NULL::table, :rows)``,
  the batch sent as one JSON document. One statement whatever the batch's size, with one
  parameter: psycopg neither parses a statement with a placeholder per value (SQLAlchemy's
  multi-row VALUES pages spend more time there than the server spends inserting), nor
  escapes value by value (arrays per column), nor sends a statement per row; the encoding
  is the standard library's, in C, and the server reads the document in C too.
- SQLite: one prepared INSERT run over every row (the driver's ``executemany``, in C).

``skip_taken`` adds ON CONFLICT (that column) DO NOTHING: a row whose unique value is
already there is skipped, not an error, and two writers meeting on it do not fail (on
PostgreSQL the second waits for the first to commit, then skips). The answer is the
number of rows actually written.
"""

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import JSON, Column, CursorResult, Table, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from newretail.db import UTCDateTime


def insert_rows(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    skip_taken: Column[Any] | None = None,
) -> int:
    """Insert ``rows`` (dictionaries with the same keys) into ``table``; how many were written."""
    if not rows:
        return 0
    columns = [table.c[key] for key in rows[0]]
    if session.get_bind().dialect.name == "postgresql":
        return _from_json(session, table, columns, rows, skip_taken)
    statement = sqlite.insert(table)
    if skip_taken is not None:
        statement = statement.on_conflict_do_nothing(index_elements=[skip_taken])
    result = session.execute(statement, list(rows))
    return cast(CursorResult[Any], result).rowcount


def _from_json(
    session: Session,
    table: Table,
    columns: list[Column[Any]],
    rows: Sequence[dict[str, Any]],
    skip_taken: Column[Any] | None,
) -> int:
    dialect = session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    name = dialect.identifier_preparer.format_table(table)
    names = ", ".join(quote(column.name) for column in columns)
    conflict = ""
    if skip_taken is not None:
        conflict = f" ON CONFLICT ({quote(skip_taken.name)}) DO NOTHING"
    statement = text(
        f"INSERT INTO {name} ({names}) SELECT {names}"  # noqa: S608 (names from the table)
        f" FROM json_populate_recordset(NULL::{name}, CAST(:rows AS JSON)){conflict}"
    )
    payload = json.dumps(_bound(dialect, columns, rows), default=_json_value)
    return cast(CursorResult[Any], session.execute(statement, {"rows": payload})).rowcount


def _bound(
    dialect: Dialect, columns: list[Column[Any]], rows: Sequence[dict[str, Any]]
) -> Sequence[dict[str, Any]]:
    """``rows`` under their columns' names, each value as its column's type binds it.

    Aware datetimes go as they are (``_json_value`` writes their offset and refuses naive
    ones, as ``UTCDateTime`` does), so a batch of ledger rows goes through untouched.
    """
    processors = {
        column.key: process
        for column in columns
        if not isinstance(column.type, JSON | UTCDateTime)
        and (process := column.type.bind_processor(dialect)) is not None
    }
    renamed = {column.key: column.name for column in columns if column.key != column.name}
    if not processors and not renamed:
        return rows
    return [
        {
            renamed.get(key, key): processors[key](value) if key in processors else value
            for key, value in row.items()
        }
        for row in rows
    ]


def _json_value(value: Any) -> str:
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not written as JSON")
