"""The warehouse a background job reads: the configured DuckDB file, opened once per job."""

import duckdb

from newretail.analytics.reports.source import Readable
from newretail.analytics.warehouse import DuckDBWarehouse, open_warehouse
from newretail.config import Settings
from newretail.observability import log


class WarehouseHolder:
    """Opens the warehouse on first use; a job whose warehouse cannot be opened idles."""

    def __init__(self) -> None:
        self._warehouse: DuckDBWarehouse | None = None

    def get(self, settings: Settings) -> Readable | None:
        if self._warehouse is None:
            try:
                self._warehouse = open_warehouse(settings.analytics_warehouse_path)
            except duckdb.Error as exc:
                log.warning("warehouse_unavailable", error=str(exc))
                return None
        return self._warehouse

    def close(self) -> None:
        if self._warehouse is not None:
            self._warehouse.close()
            self._warehouse = None
