"""The analytics warehouse's tables: one contract for every adapter (DuckDB, ClickHouse).

Columns are written once here in DuckDB types; each adapter renders its own DDL from them.
Times are naive UTC. ``events.seq``, ``orders.seq`` are the transactional rows' ids, the
watermarks that ``sync_state`` keeps per source (also ``members``, and ``merges``: a mark
of the merge log, so that ``persons`` is rebuilt when people merge or part).

Person keys: ``member:<membership id>``, ``anon:<anonymous id>``, and ``consumer:<id>`` for
what the platform records of a consumer who is not (yet) the brand's member (a guest's
order, a scan). ``persons.person_id`` is ``member:<id>`` when the person is the brand's
member, else ``consumer:<id>``. Only keys other than ``member:`` have ``persons`` rows;
``coalesce(persons.person_id, events.person_key)`` is the person everywhere.
``orders.seq`` is the order's id; an order is copied again in place when it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # DuckDB type: BIGINT, VARCHAR, TIMESTAMP, DOUBLE, BOOLEAN, JSON
    nullable: bool = True


def _c(name: str, type_: str, *, null: bool = True) -> Column:
    return Column(name, type_, null)


TABLES: dict[str, tuple[Column, ...]] = {
    "events": (
        _c("brand_id", "BIGINT", null=False),
        _c("seq", "BIGINT", null=False),
        _c("message_id", "VARCHAR", null=False),
        _c("event", "VARCHAR", null=False),
        _c("channel", "VARCHAR", null=False),
        _c("person_key", "VARCHAR", null=False),
        _c("ts", "TIMESTAMP", null=False),
        _c("received_at", "TIMESTAMP", null=False),
        _c("store_id", "BIGINT"),
        _c("district_id", "BIGINT"),
        _c("guide_id", "BIGINT"),
        _c("popup_id", "BIGINT"),
        _c("code", "VARCHAR"),
        _c("campaign", "VARCHAR"),
        _c("lat", "DOUBLE"),
        _c("lng", "DOUBLE"),
        _c("order_id", "BIGINT"),
        _c("revenue_fen", "BIGINT"),
        _c("properties", "JSON"),
    ),
    "persons": (
        _c("brand_id", "BIGINT", null=False),
        _c("person_key", "VARCHAR", null=False),
        _c("person_id", "VARCHAR", null=False),
    ),
    "orders": (
        _c("brand_id", "BIGINT", null=False),
        _c("seq", "BIGINT", null=False),
        _c("order_id", "BIGINT", null=False),
        _c("person_key", "VARCHAR", null=False),
        _c("member_id", "BIGINT"),
        _c("channel", "VARCHAR", null=False),
        _c("store_id", "BIGINT"),
        _c("guide_id", "BIGINT"),
        _c("placed_at", "TIMESTAMP", null=False),
        _c("paid_at", "TIMESTAMP"),
        _c("total_fen", "BIGINT", null=False),
        _c("status", "VARCHAR", null=False),
    ),
    "members": (
        _c("brand_id", "BIGINT", null=False),
        _c("member_id", "BIGINT", null=False),
        _c("person_key", "VARCHAR", null=False),
        _c("store_id", "BIGINT"),
        _c("guide_id", "BIGINT"),
        _c("joined_at", "TIMESTAMP", null=False),
        _c("analytics_consent", "BOOLEAN", null=False),
        _c("marketing_consent", "BOOLEAN", null=False),
    ),
    "sync_state": (
        _c("source", "VARCHAR", null=False),
        _c("watermark", "BIGINT", null=False),
        _c("synced_at", "TIMESTAMP"),
    ),
}

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {"sync_state": ("source",)}


def column_names(table: str) -> tuple[str, ...]:
    return tuple(c.name for c in TABLES[table])


def duckdb_ddl(table: str) -> str:
    cols = [f"{c.name} {c.type}{'' if c.nullable else ' NOT NULL'}" for c in TABLES[table]]
    if table in PRIMARY_KEYS:
        cols.append(f"PRIMARY KEY ({', '.join(PRIMARY_KEYS[table])})")
    return f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(cols)})"


def create_schema(conn: Any) -> None:
    """Create every warehouse table on a DuckDB connection (idempotent)."""
    for table in TABLES:
        conn.execute(duckdb_ddl(table))
