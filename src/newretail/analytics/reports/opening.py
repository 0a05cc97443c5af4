"""The warehouse a background job reads: on DuckDB the newest read snapshot, on ClickHouse
the server; opened once per job."""

from newretail.analytics.reports.source import Readable
from newretail.analytics.warehouse import ClickHouseError, ClickHouseWarehouse, open_clickhouse
from newretail.analytics.warehouse.snapshots import SnapshotReader
from newretail.config import Settings
from newretail.observability import log


class WarehouseHolder:
    """Reads the configured warehouse once there is something to read: on DuckDB once the
    sync published a first snapshot, on ClickHouse once it copied a first round. Until
    then, and while ClickHouse cannot be reached, the job idles."""

    def __init__(self) -> None:
        self._reader: SnapshotReader | ClickHouseWarehouse | None = None
        self._unreachable = False  # logged once per outage, not every round

    def get(self, settings: Settings) -> Readable | None:
        if settings.analytics_warehouse_engine == "clickhouse":
            return self._clickhouse(settings)
        if not isinstance(self._reader, SnapshotReader):
            self.close()
            self._reader = SnapshotReader(settings.analytics_warehouse_path)
        return self._reader if self._reader.available() else None

    def _clickhouse(self, settings: Settings) -> ClickHouseWarehouse | None:
        if not isinstance(self._reader, ClickHouseWarehouse):
            self.close()
            self._reader = open_clickhouse(settings)
        try:
            synced = self._reader.query("SELECT count(*) FROM sync_state")
        except ClickHouseError as exc:  # unreachable, or no table before the first sync
            if not self._unreachable:
                log.info("warehouse_unreachable", engine="clickhouse", error=str(exc))
            self._unreachable = True
            return None
        self._unreachable = False
        return self._reader if synced and synced[0][0] else None

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
