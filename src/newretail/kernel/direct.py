"""Statements of the sale's hot path, run straight on the driver's cursor.

A Core ``connection.execute`` of a cached statement still builds an execution context, binds
each parameter through its type, sets up a result and its metadata: on SQLite that costs two
to four times what the database spends running a one-row INSERT, and a sale runs nine of
them. ``Direct`` keeps what SQLAlchemy does well (the SQL, compiled once per dialect and set
of parameter names; each value bound as its type binds it) and leaves out the rest:

- the parameters are bound by a plan worked out at compile time, into the driver's own form
  (a tuple for SQLite's ``?``, a dictionary for psycopg's named placeholders);
- the engine's ``before_cursor_execute`` and ``after_cursor_execute`` listeners still see
  each statement (SQLite's ``BEGIN IMMEDIATE`` waits for its first statement, and the tests
  that pin statement counts count these too);
- a driver error goes through the connection's own handling, so it surfaces as SQLAlchemy's
  exception (an ``IntegrityError``; a lost connection as ``DatabaseUnavailable``);
- the answer is the driver's rows as named tuples (plain ones where the returned columns'
  names are not distinct identifiers), each value read by its column's type on SQLite (a
  datetime stored as text, say); on PostgreSQL, where a type's reading depends on what the
  driver says of the column, a statement whose columns need any is run through ``execute``.

So is any statement the plan cannot take as it is: Python-side column defaults to fill in,
expanding ``IN`` parameters, escaped parameter names, or drivers that need input sizes set.
``Direct.run`` then answers the rows ``connection.execute`` answers (named alike).
"""

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from keyword import iskeyword
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.engine import BindTyping, Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable

from newretail.db import UTCDateTime, on_driver


@dataclass(frozen=True, slots=True)
class _Plan:
    """A statement compiled for one dialect and one set of parameter names."""

    sql: str
    positional: bool
    names: tuple[str, ...]  # in placeholder order (positional) or any order (named)
    fixed: Mapping[str, Any]  # the statement's own values (bound parameters with a value)
    binders: tuple[tuple[int, str, Any], ...]  # (position, name, the type's bind function)
    row: Callable[..., tuple[Any, ...]]  # a row of values (a named tuple's class, or tuple)
    readers: tuple[tuple[int, Any], ...]  # (column, the type's result function)
    pick: Callable[[Mapping[str, Any]], Any]  # the values of ``names``, in C

    @property
    def single(self) -> bool:
        return len(self.names) == 1


class Direct:
    """One Core statement, run on the DB-API cursor of a connection (see the module
    docstring). Build it once, at import time or under ``functools.cache``."""

    __slots__ = ("_plans", "statement")

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._plans: dict[tuple[tuple[str, str, str], tuple[str, ...]], _Plan | None] = {}

    def run(
        self, connection: Connection, params: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> list[Any]:
        """Run with one row of parameters, or with several (``executemany``: no rows are
        answered); the rows the statement returns."""
        many = not isinstance(params, Mapping)
        each: Sequence[Mapping[str, Any]] = params if many else (params,)  # type: ignore[assignment]
        dialect = connection.dialect
        key = (_kind(dialect), tuple(each[0]))
        plan = self._plans.get(key, _UNSEEN)
        if plan is _UNSEEN:
            plan = self._plans[key] = _plan(self.statement, dialect, key[1])
        if plan is None:
            result = connection.execute(self.statement, params)
            return list(result) if result.returns_rows else []
        bound = [_bind(plan, row) for row in each] if many else _bind(plan, each[0])
        found = on_driver(connection, plan.sql, bound, many=many)
        if not found:
            return found
        make, readers = plan.row, plan.readers
        if not readers:
            return [make(*values) for values in found]
        rows = []
        for values in found:
            read = list(values)
            for n, process in readers:
                read[n] = process(read[n])
            rows.append(make(*read))
        return rows

    def first(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        """The first row the statement returns (None: none)."""
        rows = self.run(connection, params)
        return rows[0] if rows else None

    def scalar(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        """The first column of the one row the statement returns (an INSERT's new id)."""
        (row,) = self.run(connection, params)
        return row[0]


_UNSEEN: Any = object()


@cache
def inserting(model: Any) -> Direct:
    """An INSERT of one row of ``model``'s table answering its new id, one per model."""
    return Direct(insert(model).returning(model.__table__.c.id))


def _plan(statement: Executable, dialect: Dialect, names: tuple[str, ...]) -> _Plan | None:
    """The statement compiled for ``dialect`` with parameters ``names``; None where ``Direct``
    must leave it to ``execute`` (see the module docstring)."""
    if dialect.bind_typing is BindTyping.SETINPUTSIZES:
        return None
    compiled = statement.compile(dialect=dialect, column_keys=list(names))  # type: ignore[attr-defined]
    if not isinstance(compiled, SQLCompiler):
        return None
    if (
        compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or compiled.escaped_bind_names
    ):
        return None
    readers = _readers(compiled, dialect)
    if readers and dialect.name != "sqlite":
        return None
    by_name = {name: bind for bind, name in compiled.bind_names.items()}
    order = tuple(compiled.positiontup or ()) if compiled.positional else tuple(by_name)
    fixed: dict[str, Any] = {}
    binders = []
    for position, name in enumerate(order):
        bind = by_name[name]
        if name not in names:
            if bind.required or bind.callable is not None:
                return None  # a missing parameter: let ``execute`` say so
            fixed[name] = bind.value
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            binders.append((position, name, _memo(bind.type, process, dialect)))
    return _Plan(
        compiled.string,
        compiled.positional,
        order,
        fixed,
        tuple(binders),
        _row_type(compiled),
        readers,
        itemgetter(*order) if order else (lambda _params: ()),
    )


def _kind(dialect: Dialect) -> tuple[str, str, str]:
    """What a statement's compiled form and its binding depend on: the database, the driver
    and its placeholders."""
    return dialect.name, dialect.driver, dialect.paramstyle


def _memo(kind: Any, process: Callable[[Any], Any], dialect: Dialect) -> Callable[[Any], Any]:
    """A UTC moment's bind function, one per dialect for every such column, remembering its
    last answers: a sale binds the same moment in several statements. (Equal aware moments
    are one instant, which the type binds alike whatever their offset.)"""
    if not isinstance(kind, UTCDateTime):
        return process
    found = _MOMENTS.get(_kind(dialect))
    if found is None:
        found = _MOMENTS[_kind(dialect)] = lru_cache(maxsize=256)(process)
    return found


_MOMENTS: dict[tuple[str, str, str], Callable[[Any], Any]] = {}


def _readers(compiled: SQLCompiler, dialect: Dialect) -> tuple[tuple[int, Any], ...]:
    """The returned columns whose type reads the driver's value, with its function."""
    found = []
    for n, column in enumerate(compiled._result_columns):
        read = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if read is not None:
            found.append((n, read))
    return tuple(found)


def _row_type(compiled: SQLCompiler) -> Callable[..., tuple[Any, ...]]:
    """A named tuple of the returned columns' names, or ``tuple`` where they are not
    distinct identifiers (or there are none)."""
    names = [column.keyname for column in compiled._result_columns]
    usable = all(n.isidentifier() and not iskeyword(n) and n[0] != "_" for n in names)
    if not names or not usable or len(set(names)) < len(names):
        return lambda *values: values
    return namedtuple("Row", names)


def _bind(plan: _Plan, params: Mapping[str, Any]) -> Any:
    """One row of parameters in the driver's form, each bound as its type binds it."""
    if not plan.positional:
        named = {**plan.fixed, **params}
        for _, name, process in plan.binders:
            named[name] = process(named[name])
        return named
    picked = plan.pick({**plan.fixed, **params} if plan.fixed else params)
    if not plan.binders:
        return (picked,) if plan.single else picked
    values = [picked] if plan.single else list(picked)
    for position, _, process in plan.binders:
        values[position] = process(values[position])
    return tuple(values)
