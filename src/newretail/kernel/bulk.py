"""Writing many rows at once, in the fastest form each database takes, with no mapped objects.

- PostgreSQL: one ``INSERT … SELECT … FROM json_populate_recordset(NULL::table, :rows)``,
  the batch sent as one JSON document. One statement whatever the batch's size, with one
  parameter: psycopg neither parses a statement with a placeholder per value (SQLAlchemy's
  multi-row VALUES pages spend more time there than the server spends inserting), nor
  escapes value by value (arrays per column), nor sends a statement per row; the encoding
  is the standard library's, in C, and the server reads the document in C too.
- SQLite: one prepared INSERT run over every row (the driver's ``executemany``, in C),
  each value bound as its column's type binds it.

``skip_taken`` adds ON CONFLICT (that column) DO NOTHING: a row whose unique value is
already there is skipped, not an error, and two writers meeting on it do not fail (on
PostgreSQL the second waits for the first to commit, then skips). The answer is the
number of rows actually written.
"""

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Column,
    CursorResult,
    DateTime,
    Table,
    TextClause,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from newretail.db import UTCDateTime


def insert_rows(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    skip_taken: Column[Any] | None = None,
) -> int:
    """Insert ``rows`` (dictionaries with the same keys) into ``table``; how many were written.

    Only the columns the rows name are written: the others take the database's default or
    NULL (Python-side column defaults are not applied).
    """
    if not rows:
        return 0
    columns = [table.c[key] for key in rows[0]]
    conflict = [] if skip_taken is None else [skip_taken]
    if session.get_bind().dialect.name == "postgresql":
        return _from_json(session, table, columns, rows, conflict=conflict).rowcount
    return _executemany(session, table, columns, rows, conflict)


# SQLite's default limit on a statement's parameters (builds may raise it); PostgreSQL's is
# 65,535, which a JSON document of the rows never approaches.
SQLITE_PARAMETERS = 32_766


def insert_new(
    session: Session,
    model: Any,
    rows: Sequence[Mapping[str, Any]],
    *,
    unique: Sequence[str],
    returning: str,
) -> list[Any]:
    """Insert ``rows`` (dictionaries with the same keys), skipping each whose ``unique``
    columns clash with a row already there or an earlier one of the batch; the ``returning``
    column of each row written. A column the rows do not name takes its Python-side default
    (worked out once for the batch) or the database's.

    PostgreSQL: one statement with one parameter, the rows as a JSON document, however many
    there are. SQLite: multi-row VALUES statements, as many rows each as its parameter limit
    allows."""
    if not rows:
        return []
    table = model.__table__
    defaults = _python_defaults(table, rows[0])
    rows = [{**defaults, **row} for row in rows]
    answered = table.c[returning]
    if session.get_bind().dialect.name != "postgresql":
        per_statement = max(1, SQLITE_PARAMETERS // len(rows[0]))
        found: list[Any] = []
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            writing = sqlite.insert(table).values(chunk)
            found += session.scalars(
                writing.on_conflict_do_nothing(index_elements=list(unique)).returning(answered)
            )
        return found
    columns = [table.c[key] for key in rows[0]]
    conflict = [table.c[key] for key in unique]
    return list(_from_json(session, table, columns, rows, conflict, answered).scalars())


def _python_defaults(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """The Python-side defaults (a value, or a function of no arguments) of the columns
    ``row`` does not name."""
    found = {}
    for column in table.c:
        default = column.default
        if column.key in row or default is None or not (default.is_scalar or default.is_callable):
            continue
        found[column.key] = default.arg(None) if default.is_callable else default.arg  # type: ignore[attr-defined]
    return found


def _on_conflict(dialect: Dialect, conflict: Sequence[Column[Any]]) -> str:
    """``ON CONFLICT (those columns) DO NOTHING``, or nothing without columns."""
    if not conflict:
        return ""
    keys = ", ".join(dialect.identifier_preparer.quote(column.name) for column in conflict)
    return f" ON CONFLICT ({keys}) DO NOTHING"


def _executemany(
    session: Session,
    table: Table,
    columns: list[Column[Any]],
    rows: Sequence[dict[str, Any]],
    conflict: Sequence[Column[Any]],
) -> int:
    """SQLite: the driver's executemany over tuples bound by each column's type, as
    SQLAlchemy binds them, without its per-row bookkeeping (which costs more than the
    insert); a datetime column's values are bound once per distinct value."""
    dialect = session.get_bind().dialect
    name = dialect.identifier_preparer.format_table(table)
    names = ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns)
    marks = ", ".join("?" for _ in columns)
    skip = _on_conflict(dialect, conflict)
    sql = f"INSERT INTO {name} ({names}) VALUES ({marks}){skip}"  # noqa: S608 (names)
    return session.connection().exec_driver_sql(sql, _bound_rows(dialect, columns, rows)).rowcount


def _bound_rows(
    dialect: Dialect, columns: list[Column[Any]], rows: Sequence[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """Each row's values in column order (picked in C), the few that need it bound."""
    pick = itemgetter(*(column.key for column in columns))
    binders = [(n, bind) for n, c in enumerate(columns) if (bind := _binder(dialect, c))]
    bound = []
    for row in rows:
        values = list(pick(row)) if len(columns) > 1 else [pick(row)]
        for n, bind in binders:
            values[n] = bind(values[n])
        bound.append(tuple(values))
    return bound


def _binder(dialect: Dialect, column: Column[Any]) -> Callable[[Any], Any] | None:
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None or not isinstance(column.type, DateTime | UTCDateTime):
        return process
    bound: dict[Any, Any] = {}

    def once(value: Any) -> Any:
        if value not in bound:
            bound[value] = process(value)
        return bound[value]

    return once


def _from_json(
    session: Session,
    table: Table,
    columns: list[Column[Any]],
    rows: Sequence[Mapping[str, Any]],
    conflict: Sequence[Column[Any]] = (),
    returning: Column[Any] | None = None,
) -> CursorResult[Any]:
    """PostgreSQL: ``rows`` written from one JSON document (``json_populate_recordset``),
    those clashing on the ``conflict`` columns skipped; ``returning``: that column of each
    row written."""
    dialect = session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    name = dialect.identifier_preparer.format_table(table)
    names = ", ".join(quote(column.name) for column in columns)
    answer = "" if returning is None else f" RETURNING {quote(returning.name)}"
    statement = text(
        f"INSERT INTO {name} ({names}) SELECT {names}"  # noqa: S608 (names from the table)
        f" FROM json_populate_recordset(NULL::{name}, CAST(:rows AS JSON))"
        f"{_on_conflict(dialect, conflict)}{answer}"
    )
    payload = _json_rows(dialect, columns, rows)
    return cast(CursorResult[Any], session.execute(statement, {"rows": payload}))


def _bound(
    dialect: Dialect, columns: list[Column[Any]], rows: Sequence[Mapping[str, Any]]
) -> Sequence[Mapping[str, Any]]:
    """``rows`` under their columns' names, each value as its column's type binds it.

    Aware datetimes go as they are (``_json_value`` writes their offset and refuses naive
    ones, as ``UTCDateTime`` does), so a batch of ledger rows goes through untouched.
    """
    processors, renamed = _binding(dialect, tuple(columns))
    if not processors and not renamed:
        return rows
    return [
        {
            renamed.get(key, key): processors[key](value) if key in processors else value
            for key, value in row.items()
        }
        for row in rows
    ]


@cache
def _binding(
    dialect: Dialect, columns: tuple[Column[Any], ...]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The bind processors ``_bound`` applies, by column key, and the keys that are not
    their column's name: worked out once per dialect and columns."""
    processors = {
        column.key: process
        for column in columns
        if not isinstance(column.type, JSON | UTCDateTime)
        and (process := column.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    }
    renamed = {column.key: column.name for column in columns if column.key != column.name}
    return processors, renamed


def _json_rows(
    dialect: Dialect, columns: list[Column[Any]], rows: Sequence[Mapping[str, Any]]
) -> str:
    """``rows`` as one JSON array, each value as its column's type binds it (``_bound``)."""
    return json.dumps(_bound(dialect, columns, rows), default=_json_value)


def _json_value(value: Any) -> str:
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not written as JSON")


@contextmanager
def roomy_cache(session: Session, mebibytes: int = 512) -> Iterator[None]:
    """On SQLite, a page cache of ``mebibytes`` for the session's connection while a job
    rewrites many rows in one transaction, then the connection's own size again.

    SQLite's default cache (2 MB) holds a few hundred pages: a transaction changing rows
    spread over a large table writes pages out to the WAL, reads them back and writes them
    again many times over. The cache grows only as pages are read, so a small job costs
    nothing more. Nothing on PostgreSQL (its buffers are the server's).
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    connection.exec_driver_sql(f"PRAGMA cache_size = {-1024 * int(mebibytes)}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {before}")


def numbered(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows for a JSON array, each with its place (children are inserted in that order)."""
    return [{**row, "n": n} for n, row in enumerate(rows)]


@dataclass(slots=True)
class Attached:
    """One row of another table written with a new parent row, its ``link`` column taking
    the parent's id (``values`` names its other columns); ``id`` is its own, once written."""

    model: Any
    link: str
    values: Mapping[str, Any]
    id: int | None = None


@dataclass(slots=True)
class Grouped:
    """One row of another table written with a new parent row (its ``link`` column taking
    the parent's id, ``values`` naming its other columns) that gathers every child: each
    child gets a row in ``lines`` (that table's ``lines_link`` takes the group row's id, its
    ``child_link`` the child's, and it copies the child's ``copied`` columns). An order's
    single fulfilment and its lines, say."""

    model: Any
    link: str
    values: Mapping[str, Any]
    lines: Any
    lines_link: str
    child_link: str
    copied: tuple[str, ...]

    def shape(self) -> tuple[Any, str, tuple[str, ...], Any, str, str, tuple[str, ...]]:
        return (
            self.model,
            self.link,
            tuple(self.values),
            self.lines,
            self.lines_link,
            self.child_link,
            self.copied,
        )


def insert_with_children(
    connection: Connection,
    parent: Any,
    child: Any,
    link: str,
    returning: Sequence[str],
    values: Mapping[str, Any],
    children: Sequence[Mapping[str, Any]],
    attached: Attached | None = None,
    grouped: Grouped | None = None,
) -> CursorResult[Any]:
    """A parent row (``values``) and its ``children`` in one PostgreSQL statement; the
    children's ``returning`` columns, in their order (``parent_with_children``). An
    ``attached`` row goes in the same statement; each row answered names its id
    (``attached_id``). So does a ``grouped`` row with its lines (``grouped_id``)."""
    dialect = connection.dialect
    params = {
        "parent": _row_document(dialect, parent, values),
        "children": _document(dialect, child, children),
    }
    if attached is not None:
        params["attached"] = _row_document(dialect, attached.model, attached.values)
    if grouped is not None:
        params["grouped"] = _row_document(dialect, grouped.model, grouped.values)
    statement = parent_with_children(
        parent,
        child,
        link,
        tuple(returning),
        tuple(values),
        (attached.model, attached.link, tuple(attached.values)) if attached else None,
        grouped.shape() if grouped is not None else None,
    )
    return cast(CursorResult[Any], connection.execute(statement, params))


@cache
def parent_with_children(
    parent: Any,
    child: Any,
    link: str,
    returning: tuple[str, ...],
    keys: tuple[str, ...],
    attached: tuple[Any, str, tuple[str, ...]] | None = None,
    grouped: tuple[Any, str, tuple[str, ...], Any, str, str, tuple[str, ...]] | None = None,
) -> TextClause:
    """A parent row and its children in one PostgreSQL statement::

        WITH new_parent AS (INSERT parent SELECT … FROM jsonb_populate_record(:parent)
        RETURNING id) INSERT child SELECT new_parent.id, c.… FROM new_parent,
        jsonb_populate_recordset(:children) WITH ORDINALITY AS c ORDER BY ordinality
        RETURNING …

    Every row comes as JSON (``_document``): the parent's ``keys`` in ``:parent`` (its other
    columns take the database's defaults; no Python-side default runs), the children as one
    array, so one statement serves any number of them, and ``link`` takes the parent's new
    id; a child's column its row does not name is NULL (not its default). The children's new
    ids rise in the array's order (they are numbered in the order of ``ORDER BY
    ordinality``). ``attached`` (model, link, keys): one row more, in ``:attached``, its id
    answered as ``attached_id``. ``grouped`` (``Grouped.shape``): a row gathering the
    children, in ``:grouped``, its id answered as ``grouped_id``, and a line of it per child;
    the children are then written by a CTE of their own, which the lines read. Built once
    per shape.

    Four parameters and a short text rather than a placeholder with a cast per value:
    psycopg keeps its translation of a statement only up to 4,096 bytes and 50 parameters,
    and translates a longer one again, in Python, at every execution.
    """
    quote = _POSTGRES.identifier_preparer.quote
    parent_table, child_table = parent.__table__, child.__table__

    def names(table: Table, keys: Sequence[str], prefix: str = "") -> str:
        return ", ".join(prefix + quote(table.c[key].name) for key in keys)

    def new_row(name: str, model: Any, row_link: str, row_keys: Sequence[str]) -> str:
        table = model.__table__
        return (
            f"new_{name} AS (INSERT INTO {quote(table.name)} ({quote(row_link)}, "  # noqa: S608
            f"{names(table, row_keys)}) SELECT new_parent.id, {names(table, row_keys, 'r.')} "
            f"FROM new_parent, jsonb_populate_record(NULL::{quote(table.name)}, "
            f"CAST(:{name} AS JSONB)) AS r RETURNING id)"
        )

    ctes = [
        f"new_parent AS (INSERT INTO {quote(parent_table.name)} ({names(parent_table, keys)}) "  # noqa: S608
        f"SELECT {names(parent_table, keys)} FROM jsonb_populate_record("
        f"NULL::{quote(parent_table.name)}, CAST(:parent AS JSONB)) RETURNING id)"
    ]
    answered = [names(child_table, returning)]
    if attached is not None:
        ctes.append(new_row("attached", *attached))
        answered.append("(SELECT id FROM new_attached) AS attached_id")
    child_keys = [c.key for c in child_table.c if c.name not in ("id", link)]
    children = (
        f"INSERT INTO {quote(child_table.name)} ({quote(link)}, {names(child_table, child_keys)})"  # noqa: S608
        f" SELECT new_parent.id, {names(child_table, child_keys, 'c.')} FROM new_parent, "
        f"jsonb_populate_recordset(NULL::{quote(child_table.name)}, CAST(:children AS JSONB))"
        " WITH ORDINALITY AS c ORDER BY c.ordinality"
    )
    if grouped is None:
        return text(f"WITH {', '.join(ctes)} {children} RETURNING {', '.join(answered)}")
    model, group_link, group_keys, lines, lines_link, child_link, copied = grouped
    ctes.append(new_row("grouped", model, group_link, group_keys))
    kept = list(dict.fromkeys([*returning, "id", *copied]))
    ctes.append(f"new_children AS ({children} RETURNING {names(child_table, kept)})")
    lines_table = lines.__table__
    ctes.append(
        f"new_lines AS (INSERT INTO {quote(lines_table.name)} ({quote(lines_link)}, "  # noqa: S608
        f"{quote(child_link)}, {names(lines_table, copied)}) SELECT new_grouped.id, "
        f"new_children.id, {names(child_table, copied, 'new_children.')} "
        "FROM new_grouped, new_children)"
    )
    answered[0] = names(child_table, returning, "new_children.")
    answered.append("(SELECT id FROM new_grouped) AS grouped_id")
    return text(f"WITH {', '.join(ctes)} SELECT {', '.join(answered)} FROM new_children")  # noqa: S608


_POSTGRES = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]


def _document(dialect: Dialect, model: Any, rows: Sequence[Mapping[str, Any]]) -> str:
    """Rows of ``model``'s table as a JSON array for ``jsonb_populate_recordset``, each value
    as its column's type binds it (``_bound``)."""
    table = model.__table__
    keys = dict.fromkeys(key for row in rows for key in row)
    return _json_rows(dialect, [table.c[key] for key in keys], [dict(row) for row in rows])


def _row_document(dialect: Dialect, model: Any, values: Mapping[str, Any]) -> str:
    """One row of ``model``'s table as a JSON object for ``jsonb_populate_record``."""
    table = model.__table__
    bound = _bound(dialect, [table.c[key] for key in values], [dict(values)])
    return json.dumps(bound[0], default=_json_value)
