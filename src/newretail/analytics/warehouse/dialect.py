"""What differs between the warehouse engines' SQL, as the few hooks the analyses call.

The analyses write each question once, in SQL both DuckDB and ClickHouse read (CTEs, joins,
``FILTER (WHERE ...)`` on aggregates, ``INTERVAL n SECOND`` arithmetic, correlated
``EXISTS``); where the engines part, the builder asks its reader's dialect:

- ``timestamp``: a bound time as a timestamp (DuckDB casts the parameter; ClickHouse binds
  it typed ``DateTime64(6)`` already, and its ``TIMESTAMP`` would drop the microseconds);
- ``text`` / ``null_text``: a value as nullable text (ClickHouse's ``CAST(... AS String)``
  refuses NULL);
- ``first_of``: the value at the earliest time, NULL kept (DuckDB ``arg_min_null``;
  ClickHouse's ``argMin`` skips NULL values unless wrapped in a tuple);
- ``any_true``: ``bool_or`` (ClickHouse has none; ``max`` of a Bool is the same);
- ``least_where``: the least value of the rows a condition keeps, NULL when it keeps none
  (ClickHouse's filtered ``min`` answers the type's default, 1970, instead);
- ``window_funnel``: whether the engine counts an ordered funnel natively (ClickHouse's
  ``windowFunnel``; ``funnels.query`` then uses it where its meaning is exactly ours).

The ClickHouse adapter sets what gives the rest the standard meaning on every statement
(``SETTINGS``: an outer join's missing side is NULL rather than the type's default, a bare
``UNION``/``EXCEPT``/``INTERSECT`` removes duplicates) and binds ``?`` parameters typed, so
the text stays the same on both engines. Readers name their dialect by a ``dialect``
attribute; a reader that names none is DuckDB.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Dialect:
    """DuckDB's SQL, the default."""

    name: ClassVar[str] = "duckdb"
    window_funnel: ClassVar[bool] = False

    def timestamp(self, mark: str) -> str:
        return f"CAST({mark} AS TIMESTAMP)"

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS VARCHAR)"

    def null_text(self) -> str:
        return "CAST(NULL AS VARCHAR)"

    def first_of(self, value: str, at: str, where: str | None = None) -> str:
        only = f" FILTER (WHERE {where})" if where else ""
        return f"arg_min_null({value}, {at}){only}"

    def any_true(self, expr: str) -> str:
        return f"bool_or({expr})"

    def least_where(self, expr: str, where: str) -> str:
        return f"min({expr}) FILTER (WHERE {where})"


class ClickHouseDialect(Dialect):
    name: ClassVar[str] = "clickhouse"
    window_funnel: ClassVar[bool] = True

    def timestamp(self, mark: str) -> str:
        return mark

    def text(self, expr: str) -> str:
        return f"toString({expr})"

    def null_text(self) -> str:
        return "CAST(NULL AS Nullable(String))"

    def first_of(self, value: str, at: str, where: str | None = None) -> str:
        if where:
            return f"argMinIf(tuple({value}), {at}, {where}).1"
        return f"argMin(tuple({value}), {at}).1"

    def any_true(self, expr: str) -> str:
        return f"max({expr})"

    def least_where(self, expr: str, where: str) -> str:
        return f"minIfOrNull({expr}, {where})"


DUCKDB = Dialect()
CLICKHOUSE = ClickHouseDialect()
DIALECTS: dict[str, Dialect] = {DUCKDB.name: DUCKDB, CLICKHOUSE.name: CLICKHOUSE}


def dialect_of(reader: Any) -> Dialect:
    """The dialect a reader names (``dialect``); a wrapper that keeps its reader in
    ``warehouse`` and names none is seen through; DuckDB when nothing names one."""
    name = getattr(reader, "dialect", None)
    if name is None:
        inner = getattr(reader, "warehouse", None)
        return DUCKDB if inner is None or inner is reader else dialect_of(inner)
    return DIALECTS[str(name)]
