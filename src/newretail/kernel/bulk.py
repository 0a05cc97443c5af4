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
    Integer,
    Table,
    bindparam,
    column,
    func,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
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
    if session.get_bind().dialect.name == "postgresql":
        return _from_json(session, table, columns, rows, skip_taken)
    return _executemany(session, table, columns, rows, skip_taken)


def _on_conflict(dialect: Dialect, skip_taken: Column[Any] | None) -> str:
    if skip_taken is None:
        return ""
    return f" ON CONFLICT ({dialect.identifier_preparer.quote(skip_taken.name)}) DO NOTHING"


def _executemany(
    session: Session,
    table: Table,
    columns: list[Column[Any]],
    rows: Sequence[dict[str, Any]],
    skip_taken: Column[Any] | None,
) -> int:
    """SQLite: the driver's executemany over tuples bound by each column's type, as
    SQLAlchemy binds them, without its per-row bookkeeping (which costs more than the
    insert); a datetime column's values are bound once per distinct value."""
    dialect = session.get_bind().dialect
    name = dialect.identifier_preparer.format_table(table)
    names = ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns)
    marks = ", ".join("?" for _ in columns)
    conflict = _on_conflict(dialect, skip_taken)
    sql = f"INSERT INTO {name} ({names}) VALUES ({marks}){conflict}"  # noqa: S608 (names)
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
    rows: Sequence[dict[str, Any]],
    skip_taken: Column[Any] | None,
) -> int:
    dialect = session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    name = dialect.identifier_preparer.format_table(table)
    names = ", ".join(quote(column.name) for column in columns)
    conflict = _on_conflict(dialect, skip_taken)
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
        and (process := column.type.dialect_impl(dialect).bind_processor(dialect)) is not None
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
    shape = None
    params = {**values, "children": numbered(children)}
    if attached is not None:
        shape = (attached.model, attached.link, tuple(attached.values))
        params.update({f"a_{key}": value for key, value in attached.values.items()})
    if grouped is not None:
        params.update({f"g_{key}": value for key, value in grouped.values.items()})
    statement = parent_with_children(
        parent,
        child,
        link,
        tuple(returning),
        tuple(values),
        shape,
        grouped.shape() if grouped is not None else None,
    )
    return connection.execute(statement, params)


@cache
def parent_with_children(
    parent: Any,
    child: Any,
    link: str,
    returning: tuple[str, ...],
    keys: tuple[str, ...],
    attached: tuple[Any, str, tuple[str, ...]] | None = None,
    grouped: tuple[Any, str, tuple[str, ...], Any, str, str, tuple[str, ...]] | None = None,
) -> Any:
    """A parent row and its children in one PostgreSQL statement: ``WITH p AS (INSERT parent
    RETURNING id) INSERT child SELECT p.id, … FROM p, jsonb_to_recordset(:children) ORDER BY
    n RETURNING …``. The parent's ``keys`` are bound by name (its other columns take their
    defaults); the children come as one JSON array (``numbered``), so one statement shape
    serves any number of them, and ``link`` takes the parent's new id; a child's column its
    row does not name is NULL (not its default). The children's new ids rise in the array's
    order (they are numbered in the order of ``ORDER BY n``). ``attached`` (model, link,
    keys): one row more, its keys bound as ``a_<key>``, its id answered as ``attached_id``.
    ``grouped`` (``Grouped.shape``): a row gathering the children, its keys bound as
    ``g_<key>`` and its id answered as ``grouped_id``, and a line of it per child; the
    children are then written by a CTE of their own, which the lines read. Built once per
    shape."""
    table = parent.__table__
    new_parent = (
        insert(parent)
        .values({key: bindparam(key, type_=table.c[key].type) for key in keys})
        .returning(table.c.id)
        .cte("new_parent")
    )
    child_table = child.__table__
    child_columns = [c for c in child_table.c if c.name not in ("id", link)]
    rows_of = (
        func.jsonb_to_recordset(bindparam("children", type_=JSONB))
        .table_valued(column("n", Integer), *(column(c.name, c.type) for c in child_columns))
        .render_derived(name="children", with_types=True)
    )
    rows = (
        select(new_parent.c.id, *(rows_of.c[c.name] for c in child_columns))
        .select_from(new_parent)
        .join(rows_of, literal_column("true"))
        .order_by(rows_of.c.n)
    )
    names = [link, *(c.name for c in child_columns)]
    answered: list[Any] = [child_table.c[name] for name in returning]
    statement = insert(child).from_select(names, rows)
    extra: list[Any] = []
    if attached is not None:
        model, attached_link, attached_keys = attached
        new_row = _new_row(model, attached_link, attached_keys, "a_", new_parent, "new_attached")
        statement = statement.add_cte(new_row)
        extra.append(select(new_row.c.id).scalar_subquery().label("attached_id"))
    if grouped is None:
        return statement.returning(*answered, *extra)
    model, group_link, group_keys, lines, lines_link, child_link, copied = grouped
    new_group = _new_row(model, group_link, group_keys, "g_", new_parent, "new_group")
    kept = {c.name: c for c in [*answered, child_table.c.id, *(child_table.c[n] for n in copied)]}
    new_children = statement.returning(*kept.values()).cte("new_children")
    group_lines = (
        insert(lines)
        .from_select(
            [lines_link, child_link, *copied],
            select(new_group.c.id, new_children.c.id, *(new_children.c[n] for n in copied))
            .select_from(new_group)
            .join(new_children, literal_column("true")),
        )
        .cte("new_group_lines")
    )
    return (
        select(
            *(new_children.c[name] for name in returning),
            *extra,
            select(new_group.c.id).scalar_subquery().label("grouped_id"),
        )
        .add_cte(new_group)
        .add_cte(group_lines)
    )


def _new_row(
    model: Any, link: str, keys: tuple[str, ...], prefix: str, parent: Any, name: str
) -> Any:
    """A CTE writing one row of ``model``: ``link`` takes ``parent``'s new id, ``keys`` are
    bound as ``<prefix><key>``; it answers the row's id."""
    columns = model.__table__.c
    own = [bindparam(f"{prefix}{key}", type_=columns[key].type) for key in keys]
    return (
        insert(model)
        .from_select([link, *keys], select(parent.c.id, *own))
        .returning(columns.id)
        .cte(name)
    )
