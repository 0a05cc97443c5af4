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
- the answer is the driver's rows, as tuples, with no type processing: a statement whose
  returned columns need any (a datetime on SQLite, say) is run through ``execute`` instead.

So is any statement the plan cannot take as it is: Python-side column defaults to fill in,
expanding ``IN`` parameters, escaped parameter names, or drivers that need input sizes set.
``Direct.run`` then answers what ``connection.execute`` answers, as rows of tuples.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import BindTyping, Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable


@dataclass(frozen=True, slots=True)
class _Plan:
    """A statement compiled for one dialect and one set of parameter names."""

    sql: str
    positional: bool
    names: tuple[str, ...]  # in placeholder order (positional) or any order (named)
    fixed: Mapping[str, Any]  # the statement's own values (bound parameters with a value)
    binders: tuple[tuple[int, str, Any], ...]  # (position, name, the type's bind function)


class Direct:
    """One Core statement, run on the DB-API cursor of a connection (see the module
    docstring). Build it once, at import time or under ``functools.cache``."""

    __slots__ = ("_plans", "statement")

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._plans: dict[tuple[str, tuple[str, ...]], _Plan | None] = {}

    def run(
        self, connection: Connection, params: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> list[tuple[Any, ...]]:
        """Run with one row of parameters, or with several (``executemany``: no rows are
        answered); the rows the statement returns."""
        many = not isinstance(params, Mapping)
        each: Sequence[Mapping[str, Any]] = params if many else (params,)  # type: ignore[assignment]
        dialect = connection.dialect
        key = (dialect.name, tuple(each[0]))
        plan = self._plans.get(key, _UNSEEN)
        if plan is _UNSEEN:
            plan = self._plans[key] = _plan(self.statement, dialect, key[1])
        if plan is None:
            result = connection.execute(self.statement, params)
            return [tuple(row) for row in result] if result.returns_rows else []
        bound = [_bind(plan, row) for row in each] if many else _bind(plan, each[0])
        return _execute(connection, plan.sql, bound, many)

    def first(self, connection: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row the statement returns (None: none)."""
        rows = self.run(connection, params)
        return rows[0] if rows else None

    def scalar(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        """The first column of the one row the statement returns (an INSERT's new id)."""
        (row,) = self.run(connection, params)
        return row[0]


_UNSEEN: Any = object()


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
        or compiled.postfetch
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or compiled.escaped_bind_names
        or _processed_results(compiled, dialect)
    ):
        return None
    binds = compiled.binds
    order = tuple(compiled.positiontup or ()) if compiled.positional else tuple(binds)
    fixed: dict[str, Any] = {}
    binders = []
    for position, name in enumerate(order):
        bind = binds[name]
        if name not in names:
            if bind.required or bind.callable is not None:
                return None  # a missing parameter: let ``execute`` say so
            fixed[name] = bind.value
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            binders.append((position, name, process))
    return _Plan(compiled.string, compiled.positional, order, fixed, tuple(binders))


def _processed_results(compiled: SQLCompiler, dialect: Dialect) -> bool:
    """Whether a column the statement returns needs its type's result processing."""
    for column in compiled._result_columns:
        if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None:
            return True
    return False


def _bind(plan: _Plan, params: Mapping[str, Any]) -> Any:
    """One row of parameters in the driver's form, each bound as its type binds it."""
    fixed = plan.fixed
    if plan.positional:
        values = [params[name] if name in params else fixed[name] for name in plan.names]
        for position, _, process in plan.binders:
            values[position] = process(values[position])
        return tuple(values)
    named = {**fixed, **params} if fixed else dict(params)
    for _, name, process in plan.binders:
        named[name] = process(named[name])
    return named


def _execute(connection: Connection, sql: str, bound: Any, many: bool) -> list[tuple[Any, ...]]:
    """``sql`` on a cursor of the connection's driver connection, with the engine's cursor
    listeners around it and its error handling."""
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
            rows: list[tuple[Any, ...]] = []
        else:
            cursor.execute(sql, bound)
            rows = list(cursor.fetchall()) if cursor.description else []
        if listening:
            connection.dispatch.after_cursor_execute(connection, cursor, sql, bound, None, many)
    except BaseException as error:
        connection._handle_dbapi_exception(error, sql, bound, cursor, None)
        raise
    finally:
        cursor.close()
    return rows
