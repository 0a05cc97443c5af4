"""The analytics warehouse: the contract's tables (``schema``), the engines behind one
boundary (``base.Warehouse``: DuckDB by default, ClickHouse for scale), the SQL that differs
between them (``dialect``) and the copy from the transactional database by watermark
(``sync``).

``open_warehouse(path)`` opens the DuckDB file (created with its tables on first use);
``open_configured(settings)`` the engine ``analytics_warehouse_engine`` names, for its writer;
``open_clickhouse(settings)`` the configured ClickHouse server for reading (no DDL: its
readers leave the tables to the sync).
"""

from __future__ import annotations

from pathlib import Path

from newretail.analytics.warehouse.base import Warehouse
from newretail.analytics.warehouse.clickhouse import (
    ClickHouseError,
    ClickHouseWarehouse,
    HttpClickHouseClient,
)
from newretail.analytics.warehouse.duck import DuckDBWarehouse, open_duckdb
from newretail.analytics.warehouse.schema import TABLES, create_schema
from newretail.config import Settings

__all__ = [
    "TABLES",
    "ClickHouseError",
    "ClickHouseWarehouse",
    "DuckDBWarehouse",
    "Warehouse",
    "create_schema",
    "open_clickhouse",
    "open_configured",
    "open_warehouse",
]


def open_warehouse(path: str | Path) -> DuckDBWarehouse:
    """Open the DuckDB warehouse at ``path`` (':memory:' for a throwaway one)."""
    return open_duckdb(path)


def open_clickhouse(settings: Settings) -> ClickHouseWarehouse:
    """The configured ClickHouse server; nothing is sent to it until the first statement."""
    client = HttpClickHouseClient(
        settings.analytics_clickhouse_url,
        user=settings.analytics_clickhouse_user,
        password=settings.analytics_clickhouse_password,
    )
    return ClickHouseWarehouse(client)


def open_configured(settings: Settings) -> Warehouse:
    """The configured engine for its writer: the DuckDB file, or the ClickHouse server with
    its tables created if missing."""
    if settings.analytics_warehouse_engine == "clickhouse":
        clickhouse = open_clickhouse(settings)
        try:
            clickhouse.create_schema()
        except ClickHouseError:
            clickhouse.close()
            raise
        return clickhouse
    return open_duckdb(settings.analytics_warehouse_path)
