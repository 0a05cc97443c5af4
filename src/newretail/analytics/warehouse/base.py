"""The adapter boundary: what the sync and the analyses ask of any warehouse engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from newretail.analytics.warehouse.schema import TABLES, column_names

Row = Sequence[object] | Mapping[str, object]


class UnknownTable(ValueError):
    """A table that is not in the warehouse contract (schema.TABLES)."""


class Warehouse(Protocol):
    """One analytics store. ``query`` takes ``?`` placeholders on every engine (ClickHouse
    binds each as a typed query parameter); ``dialect`` names the engine's SQL
    (``warehouse.dialect``: "duckdb" or "clickhouse"), which the analyses write."""

    dialect: str

    def query(self, sql: str, params: Sequence[object] | None = None) -> list[tuple[Any, ...]]:
        """Run a read and return its rows."""
        ...

    def execute(self, sql: str, params: Sequence[object] | None = None) -> None:
        """Run a statement that returns nothing."""
        ...

    def insert_rows(self, table: str, rows: Iterable[Row]) -> int:
        """Append rows (tuples in contract column order, or mappings by column name)."""
        ...

    def watermark(self, source: str) -> int:
        """The last transactional id copied from ``source`` (0 before the first copy)."""
        ...

    def set_watermark(self, source: str, watermark: int) -> None: ...

    def replace_rows(
        self, table: str, *, brand_id: int, key: str, keys: Sequence[object], rows: Iterable[Row]
    ) -> int:
        """Delete the brand's rows whose ``key`` column is in ``keys``, then insert ``rows``."""
        ...

    def close(self) -> None: ...


def as_tuples(table: str, rows: Iterable[Row]) -> list[tuple[object, ...]]:
    """Rows in the contract's column order; a mapping's missing columns are NULL."""
    if table not in TABLES:
        raise UnknownTable(table)
    names = column_names(table)
    out: list[tuple[object, ...]] = []
    for row in rows:
        if isinstance(row, Mapping):
            unknown = set(row) - set(names)
            if unknown:
                raise ValueError(f"{table} has no column {sorted(unknown)[0]}")
            out.append(tuple(row.get(n) for n in names))
        else:
            if len(row) != len(names):
                raise ValueError(f"{table} takes {len(names)} values per row, got {len(row)}")
            out.append(tuple(row))
    return out


def naive_utc(value: dt.datetime) -> dt.datetime:
    """The warehouse keeps naive UTC times."""
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)
