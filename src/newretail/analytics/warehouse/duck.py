"""DuckDB, the embedded default: one file, bulk appends through a CSV the engine reads itself.

DuckDB's ``executemany`` costs about a millisecond a row; writing the rows to a temporary
CSV and reading it with ``read_csv`` appends a hundred thousand rows in well under a second.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from newretail.analytics.warehouse.base import Row, as_tuples, naive_utc
from newretail.analytics.warehouse.schema import TABLES, create_schema

_NULL = "\\N"
_SMALL = 50  # below this many rows, plain parameterised inserts are quicker than a file


def _cell(value: object) -> object:
    if value is None:
        return _NULL
    if isinstance(value, dt.datetime):
        return naive_utc(value).isoformat(sep=" ")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


class DuckDBWarehouse:
    dialect = "duckdb"

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn

    def query(self, sql: str, params: Sequence[object] | None = None) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, list(params or [])).fetchall()

    def execute(self, sql: str, params: Sequence[object] | None = None) -> None:
        self.conn.execute(sql, list(params or []))

    def insert_rows(self, table: str, rows: Iterable[Row]) -> int:
        tuples = as_tuples(table, rows)
        if not tuples:
            return 0
        if len(tuples) < _SMALL:
            marks = ", ".join("?" for _ in TABLES[table])
            cells = [[_py(v) for v in row] for row in tuples]
            self.conn.executemany(f"INSERT INTO {table} VALUES ({marks})", cells)  # noqa: S608
            return len(tuples)
        self._append_csv(table, tuples)
        return len(tuples)

    def _append_csv(self, table: str, tuples: list[tuple[object, ...]]) -> None:
        columns = ", ".join(f"'{c.name}': '{c.type}'" for c in TABLES[table])
        fd, path = tempfile.mkstemp(prefix=f"wh-{table}-", suffix=".csv")
        try:
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                writer.writerows([_cell(v) for v in row] for row in tuples)
            self.conn.execute(
                f"INSERT INTO {table} SELECT * FROM read_csv(?, header = false, "  # noqa: S608
                f"columns = {{{columns}}}, nullstr = '{_NULL}', quote = '\"', escape = '\"')",
                [path],
            )
        finally:
            os.unlink(path)

    def watermark(self, source: str) -> int:
        rows = self.query("SELECT watermark FROM sync_state WHERE source = ?", [source])
        return int(rows[0][0]) if rows else 0

    def set_watermark(self, source: str, watermark: int) -> None:
        self.execute(
            "INSERT OR REPLACE INTO sync_state VALUES (?, ?, ?)",
            [source, watermark, dt.datetime.now(dt.UTC).replace(tzinfo=None)],
        )

    def replace_rows(
        self, table: str, *, brand_id: int, key: str, keys: Sequence[object], rows: Iterable[Row]
    ) -> int:
        tuples = as_tuples(table, rows)
        if key not in {c.name for c in TABLES[table]}:
            raise ValueError(f"{table} has no column {key}")
        self.conn.execute("BEGIN")
        try:
            for start in range(0, len(keys), 1000):
                chunk = list(keys[start : start + 1000])
                marks = ", ".join("?" for _ in chunk)
                self.conn.execute(
                    f"DELETE FROM {table} WHERE brand_id = ? AND {key} IN ({marks})",  # noqa: S608
                    [brand_id, *chunk],
                )
            self.insert_rows(table, tuples)
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return len(tuples)

    def close(self) -> None:
        self.conn.close()


def _py(value: object) -> object:
    if isinstance(value, dt.datetime):
        return naive_utc(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def open_duckdb(path: str | Path) -> DuckDBWarehouse:
    """Open (creating it and its tables if need be) a DuckDB warehouse; ':memory:' for tests."""
    target = str(path)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(target)
    create_schema(conn)
    return DuckDBWarehouse(conn)
