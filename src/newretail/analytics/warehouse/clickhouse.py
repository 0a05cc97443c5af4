"""ClickHouse, for brands whose events outgrow one node: the same contract and SQL boundary.

The engine is reached through a ``ClickHouseClient`` (anything that runs one statement and
returns ClickHouse's JSONCompact answer): ``ChdbClient`` runs ClickHouse in-process (chdb,
how the tests exercise this adapter's SQL), ``HttpClickHouseClient`` talks to a server.
Placeholders are DuckDB's ``?``, rendered here as quoted literals.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import httpx

from newretail.analytics.warehouse.base import Row, as_tuples, naive_utc
from newretail.analytics.warehouse.schema import TABLES, Column

_TYPES = {
    "BIGINT": "Int64",
    "VARCHAR": "String",
    "TIMESTAMP": "DateTime64(6)",
    "DOUBLE": "Float64",
    "BOOLEAN": "Bool",
    "JSON": "String",
}
_ORDER_BY = {
    "events": "(brand_id, event, ts, seq)",
    "persons": "(brand_id, person_key)",
    "orders": "(brand_id, order_id, seq)",
    "members": "(brand_id, member_id)",
    "sync_state": "(source, watermark)",
}


class ClickHouseClient(Protocol):
    def run(self, sql: str) -> dict[str, Any] | None:
        """Run one statement; a read returns the parsed JSONCompact document."""
        ...


def _column(c: Column) -> str:
    t = _TYPES[c.type]
    return f"{c.name} {f'Nullable({t})' if c.nullable else t}"


def clickhouse_ddl(table: str) -> str:
    cols = ", ".join(_column(c) for c in TABLES[table])
    return (
        f"CREATE TABLE IF NOT EXISTS {table} ({cols}) "
        f"ENGINE = MergeTree ORDER BY {_ORDER_BY[table]}"
    )


def literal(value: object) -> str:
    """A value as a ClickHouse literal (strings escaped: never pasted raw into SQL)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"toDateTime64('{naive_utc(value).isoformat(sep=' ')}', 6)"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def render(sql: str, params: Sequence[object] | None) -> str:
    """Replace each ``?`` outside quotes with the next parameter's literal."""
    values = list(params or [])
    out: list[str] = []
    quote: str | None = None
    for ch in sql:
        if quote:
            quote = None if ch == quote else quote
            out.append(ch)
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "?":
            if not values:
                raise ValueError("fewer parameters than placeholders")
            out.append(literal(values.pop(0)))
        else:
            out.append(ch)
    if values:
        raise ValueError("more parameters than placeholders")
    return "".join(out)


def _convert(value: Any, type_: str) -> Any:
    if value is None:
        return None
    base = (
        type_.removeprefix("Nullable(").removesuffix(")")
        if type_.startswith("Nullable(")
        else type_
    )
    if base.startswith(("Int", "UInt")):
        return int(value)
    if base.startswith("Float"):
        return float(value)
    if base.startswith("DateTime"):
        return dt.datetime.fromisoformat(str(value))
    return value


class ClickHouseWarehouse:
    dialect = "clickhouse"

    def __init__(self, client: ClickHouseClient) -> None:
        self.client = client

    def create_schema(self) -> None:
        for table in TABLES:
            self.client.run(clickhouse_ddl(table))

    def query(self, sql: str, params: Sequence[object] | None = None) -> list[tuple[Any, ...]]:
        doc = self.client.run(render(sql, params) + " FORMAT JSONCompact")
        if not doc:
            return []
        types = [m["type"] for m in doc["meta"]]
        return [
            tuple(_convert(v, t) for v, t in zip(row, types, strict=True)) for row in doc["data"]
        ]

    def execute(self, sql: str, params: Sequence[object] | None = None) -> None:
        self.client.run(render(sql, params))

    def insert_rows(self, table: str, rows: Iterable[Row]) -> int:
        tuples = as_tuples(table, rows)
        for start in range(0, len(tuples), 10_000):
            chunk = tuples[start : start + 10_000]
            values = ",".join("(" + ",".join(literal(v) for v in row) + ")" for row in chunk)
            self.client.run(f"INSERT INTO {table} VALUES {values}")  # noqa: S608
        return len(tuples)

    def watermark(self, source: str) -> int:
        # sync_state is append-only here (no primary keys in MergeTree); watermarks only grow.
        rows = self.query("SELECT max(watermark) FROM sync_state WHERE source = ?", [source])
        return int(rows[0][0] or 0) if rows else 0

    def set_watermark(self, source: str, watermark: int) -> None:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        self.insert_rows("sync_state", [(source, watermark, now)])

    def replace_rows(
        self, table: str, *, brand_id: int, key: str, keys: Sequence[object], rows: Iterable[Row]
    ) -> int:
        if key not in {c.name for c in TABLES[table]}:
            raise ValueError(f"{table} has no column {key}")
        for start in range(0, len(keys), 1000):
            chunk = ",".join(literal(k) for k in keys[start : start + 1000])
            self.client.run(
                f"DELETE FROM {table} WHERE brand_id = {int(brand_id)} AND {key} IN ({chunk})"  # noqa: S608
            )
        return self.insert_rows(table, rows)

    def close(self) -> None:
        return None


class ChdbClient:
    """ClickHouse's engine in this process (the ``chdb`` package), a directory for its data."""

    def __init__(self, path: str | None = None) -> None:
        from chdb import session  # imported here: a heavy optional dependency

        self.session = session.Session(path) if path else session.Session()  # type: ignore[no-untyped-call]

    def run(self, sql: str) -> dict[str, Any] | None:
        fmt = "JSONCompact" if sql.endswith("FORMAT JSONCompact") else "CSV"
        text = str(self.session.query(sql.removesuffix(" FORMAT JSONCompact"), fmt))  # type: ignore[no-untyped-call]
        if fmt != "JSONCompact" or not text.strip():
            return None
        doc: dict[str, Any] = json.loads(text)
        return doc


class HttpClickHouseClient:
    """A ClickHouse server over its HTTP interface."""

    def __init__(self, url: str, *, user: str = "default", password: str = "") -> None:
        self.http = httpx.Client(base_url=url, auth=(user, password), timeout=60.0)

    def run(self, sql: str) -> dict[str, Any] | None:
        resp = self.http.post("/", content=sql.encode())
        resp.raise_for_status()
        if not sql.endswith("FORMAT JSONCompact"):
            return None
        doc: dict[str, Any] = resp.json()
        return doc
