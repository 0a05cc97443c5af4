"""The analytics warehouse: the contract's tables (``schema``), the engines behind one
boundary (``base.Warehouse``: DuckDB by default, ClickHouse for scale) and the copy from the
transactional database by watermark (``sync``).

``open_warehouse(path)`` opens the DuckDB file (created with its tables on first use).
"""

from __future__ import annotations

from pathlib import Path

from newretail.analytics.warehouse.base import Warehouse
from newretail.analytics.warehouse.duck import DuckDBWarehouse, open_duckdb
from newretail.analytics.warehouse.schema import TABLES, create_schema

__all__ = ["TABLES", "DuckDBWarehouse", "Warehouse", "create_schema", "open_warehouse"]


def open_warehouse(path: str | Path) -> DuckDBWarehouse:
    """Open the DuckDB warehouse at ``path`` (':memory:' for a throwaway one)."""
    return open_duckdb(path)
