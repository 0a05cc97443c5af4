"""The warehouse a background job reads: the newest read snapshot, opened once per job."""

from newretail.analytics.reports.source import Readable
from newretail.analytics.warehouse.snapshots import SnapshotReader
from newretail.config import Settings


class WarehouseHolder:
    """Reads the newest snapshot of the configured warehouse; until the sync published a
    first one, there is nothing to read and the job idles."""

    def __init__(self) -> None:
        self._reader: SnapshotReader | None = None

    def get(self, settings: Settings) -> Readable | None:
        if self._reader is None:
            self._reader = SnapshotReader(settings.analytics_warehouse_path)
        return self._reader if self._reader.available() else None

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
