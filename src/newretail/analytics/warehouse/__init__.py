"""The analytics warehouse: the contract's tables (``schema``), the engines behind one
boundary (``base.Warehouse``: DuckDB by default, ClickHouse for scale), the SQL that differs
between them (``dialect``) and the copy from the transactional database by watermark
(``sync``).

``open_warehouse(path)`` opens the DuckDB file (created with its tables on first use);
``open_configured(settings)`` the engine ``analytics_warehouse_engine`` names.
"""

from __future__ import annotations

from pathlib import Path

from newretail.analytics.warehouse.base import Warehouse
from newretail.analytics.warehouse.clickhouse import ClickHouseWarehouse, HttpClickHouseClient
from newretail.analytics.warehouse.duck import DuckDBWarehouse, open_duckdb
from newretail.analytics.warehouse.schema import TABLES, create_schema
from newretail.config import Settings

__all__ = [
    "TABLES",
    "DuckDBWarehouse",
    "Warehouse",
    "create_schema",
    "open_configured",
    "open_warehouse",
]


def open_warehouse(path: str | Path) -> DuckDBWarehouse:
    """Open the DuckDB warehouse at ``path`` (':memory:' for a throwaway one)."""
    return open_duckdb(path)


def open_configured(settings: Settings) -> Warehouse:
    """The configured engine: the DuckDB file, or the ClickHouse server with its tables."""
    if settings.analytics_warehouse_engine == "clickhouse":
        client = HttpClickHouseClient(
            settings.analytics_clickhouse_url,
            user=settings.analytics_clickhouse_user,
            password=settings.analytics_clickhouse_password,
        )
        clickhouse = ClickHouseWarehouse(client)
        clickhouse.create_schema()
        return clickhouse
    return open_duckdb(settings.analytics_warehouse_path)
