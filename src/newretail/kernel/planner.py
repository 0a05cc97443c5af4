"""Telling SQLite's query planner what it cannot know from its statistics.

SQLite plans with the statistics ANALYZE last wrote, and nothing refreshes them as tables
change. A column that was empty (NULL) on every row when they were gathered, such as the
statement of ledger lines not yet settled, looks useless to its index: every row seems to
share the one value, so ``column = ?`` is planned as a scan of the whole table, once per
statement settled. ``rare(condition)`` says the condition holds for few rows (SQLite's
``likelihood``), so its index is used whatever the statistics say; on PostgreSQL, which
keeps its statistics current, it is the bare condition.
"""

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.sqltypes import NullType

# The share of rows the condition is taken to hold for on SQLite.
RARE = 0.001


class rare(FunctionElement[Any]):
    """A condition that holds for few of a table's rows (see the module)."""

    # Untyped: a Boolean function would be compared with 1 where SQLite reads it, and the
    # planner would no longer see the condition inside.
    type = NullType()
    inherit_cache = True
    name = "rare"

    def __init__(self, condition: ColumnElement[bool]) -> None:
        super().__init__(condition)


def _condition(element: rare) -> Any:
    return next(iter(element.clauses))


@compiles(rare)
def _plain(element: rare, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(_condition(element), **kw)


@compiles(rare, "sqlite")
def _sqlite(element: rare, compiler: SQLCompiler, **kw: Any) -> str:
    return f"likelihood({compiler.process(_condition(element), **kw)}, {RARE})"
