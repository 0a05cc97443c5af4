"""ClickHouse, for brands whose events outgrow one node: the same contract and SQL boundary.

The engine is reached through a ``ClickHouseClient`` (anything that runs one statement with
typed parameters and returns ClickHouse's JSONCompact answer): ``ChdbClient`` runs
ClickHouse in-process (chdb, how the tests exercise this adapter and the analyses' SQL),
``HttpClickHouseClient`` talks to a server. Queries take DuckDB's ``?`` placeholders; each
becomes a typed query parameter (``{p1:Int64}``) the server binds, so no value is ever
pasted into the text. Every statement runs with ``SETTINGS`` that give the analyses' SQL
its standard meaning (``dialect`` tells what else differs).

Whatever goes wrong in the engine or on the way to it (a refused connection, a timeout, a
server error, a statement the engine rejects) comes out of either client as
``ClickHouseError``, so its callers name one exception whichever client they were given.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
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


# An outer join's missing side is NULL (not the type's default: '' or 0), and a bare UNION,
# EXCEPT or INTERSECT removes duplicates, as in standard SQL and DuckDB.
SETTINGS: dict[str, str] = {
    "join_use_nulls": "1",
    "union_default_mode": "DISTINCT",
    "except_default_mode": "DISTINCT",
    "intersect_default_mode": "DISTINCT",
}
Params = Mapping[str, str]


class ClickHouseError(RuntimeError):
    """The engine could not be reached or did not run a statement; ``code`` is ClickHouse's
    error code when the engine answered with one."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class ClickHouseClient(Protocol):
    def run(self, sql: str, params: Params | None = None) -> dict[str, Any] | None:
        """Run one statement with ``SETTINGS`` and its query parameters (``{name:Type}``,
        values in ClickHouse's escaped text form); a read returns the JSONCompact document."""
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


def _param_type(value: object) -> str:
    if value is None:
        return "Nullable(String)"
    if isinstance(value, bool):
        return "Bool"
    if isinstance(value, int):
        return "Int64"
    if isinstance(value, float):
        return "Float64"
    if isinstance(value, dt.datetime):
        return "DateTime64(6)"
    return "String"


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"})


def param_text(value: object) -> str:
    """A parameter's value in ClickHouse's escaped text form (what ``{p:Type}`` parses)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return naive_utc(value).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value).translate(_ESCAPES)


def bind(sql: str, params: Sequence[object] | None) -> tuple[str, dict[str, str]]:
    """Each ``?`` outside quotes as a typed query parameter, and the parameters' values."""
    values = list(params or [])
    out: list[str] = []
    bound: dict[str, str] = {}
    quote: str | None = None
    for ch in sql:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            if len(bound) == len(values):
                raise ValueError("fewer parameters than placeholders")
            value = values[len(bound)]
            name = f"p{len(bound) + 1}"
            bound[name] = param_text(value)
            out.append(f"{{{name}:{_param_type(value)}}}")
            continue
        out.append(ch)
    if len(bound) != len(values):
        raise ValueError("more parameters than placeholders")
    return "".join(out), bound


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
        text, bound = bind(sql, params)
        doc = self.client.run(text + " FORMAT JSONCompact", bound)
        if not doc:
            return []
        types = [m["type"] for m in doc["meta"]]
        return [
            tuple(_convert(v, t) for v, t in zip(row, types, strict=True)) for row in doc["data"]
        ]

    def execute(self, sql: str, params: Sequence[object] | None = None) -> None:
        self.client.run(*bind(sql, params))

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
        close = getattr(self.client, "close", None)
        if callable(close):
            close()


class ChdbClient:
    """ClickHouse's engine in this process (the ``chdb`` package).

    ``path`` is a directory for its data (in memory without one); ``database`` a database of
    its own, created if need be: chdb's in-memory sessions of one process share one engine,
    so two warehouses in one process (tests) each need theirs.
    """

    def __init__(self, path: str | None = None, *, database: str | None = None) -> None:
        from chdb import session  # imported here: a heavy optional dependency

        self.session = session.Session(path) if path else session.Session()  # type: ignore[no-untyped-call]
        for name, value in SETTINGS.items():
            self.session.query(f"SET {name} = {literal(value)}")  # type: ignore[no-untyped-call]
        if database is not None:
            self.session.query(f"CREATE DATABASE IF NOT EXISTS {_identifier(database)}")  # type: ignore[no-untyped-call]
            self.session.query(f"USE {_identifier(database)}")  # type: ignore[no-untyped-call]

    def run(self, sql: str, params: Params | None = None) -> dict[str, Any] | None:
        read = sql.endswith(" FORMAT JSONCompact")
        fmt = "JSONCompact" if read else "CSV"
        statement = sql.removesuffix(" FORMAT JSONCompact")
        try:
            answer = self.session.query(statement, fmt, params=dict(params or {}))  # type: ignore[no-untyped-call]
        except RuntimeError as exc:  # chdb's engine errors (its ChdbError is one)
            raise ClickHouseError(str(exc), code=_code_in(str(exc))) from exc
        text = str(answer)
        if not read or not text.strip():
            return None
        doc: dict[str, Any] = json.loads(text)
        return doc

    def drop_database(self, database: str) -> None:
        self.session.query(f"DROP DATABASE IF EXISTS {_identifier(database)}")  # type: ignore[no-untyped-call]

    def close(self) -> None:
        self.session.close()  # type: ignore[no-untyped-call]


def _identifier(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a database name: {name!r}")
    return name


def _code_in(message: str) -> int | None:
    found = re.search(r"Code: (\d+)", message)
    return int(found.group(1)) if found else None


class HttpClickHouseClient:
    """A ClickHouse server over its HTTP interface."""

    def __init__(
        self,
        url: str,
        *,
        user: str = "default",
        password: str = "",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.http = httpx.Client(
            base_url=url, auth=(user, password), timeout=60.0, transport=transport
        )

    def run(self, sql: str, params: Params | None = None) -> dict[str, Any] | None:
        query = {**SETTINGS, **{f"param_{k}": v for k, v in (params or {}).items()}}
        try:
            resp = self.http.post("/", content=sql.encode(), params=query)
        except httpx.HTTPError as exc:  # refused, timed out, cut off
            raise ClickHouseError(f"{type(exc).__name__}: {exc}") from exc
        if resp.is_error:
            code = resp.headers.get("X-ClickHouse-Exception-Code", "")
            raise ClickHouseError(
                f"HTTP {resp.status_code}: {resp.text[:500]}",
                code=int(code) if code.isdigit() else _code_in(resp.text),
            )
        if not sql.endswith(" FORMAT JSONCompact"):
            return None
        try:
            doc: dict[str, Any] = resp.json()
        except ValueError as exc:  # an answer cut short
            raise ClickHouseError(f"not a JSON answer: {exc}") from exc
        return doc

    def close(self) -> None:
        self.http.close()
