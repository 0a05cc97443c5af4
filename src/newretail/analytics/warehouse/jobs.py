"""The worker's job that keeps the warehouse current (``newretail worker``, or in-process)."""

import threading
import time

from newretail.analytics.warehouse import sync
from newretail.analytics.warehouse.duck import DuckDBWarehouse, open_duckdb
from newretail.config import Settings
from newretail.db import Database

_open: dict[str, DuckDBWarehouse] = {}
_open_lock = threading.Lock()


def shared_warehouse(path: str) -> DuckDBWarehouse:
    """One DuckDB connection per file and process: DuckDB lets one process write a file."""
    with _open_lock:
        if path not in _open:
            _open[path] = open_duckdb(path)
        return _open[path]


class WarehouseSync:
    """Copies new and changed rows every ``analytics_sync_seconds`` (first after one period)."""

    name = "analytics_warehouse_sync"

    def __init__(self) -> None:
        self._due = 0.0

    def __call__(self, database: Database, settings: Settings, /) -> int:
        now = time.monotonic()
        if not self._due:
            self._due = now + settings.analytics_sync_seconds
        if now < self._due:
            return 0
        self._due = now + settings.analytics_sync_seconds
        warehouse = shared_warehouse(settings.analytics_warehouse_path)
        with _open_lock:
            return sync.sync(database=database, warehouse=warehouse).total
