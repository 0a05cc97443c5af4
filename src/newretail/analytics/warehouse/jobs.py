"""The worker's job that keeps the warehouse current (``newretail worker``, or in-process).

On DuckDB the job's process is the warehouse's only writer: it holds the DuckDB file, copies
into it and, after a round that copied anything, publishes a read snapshot (``snapshots``)
that the API processes and the other jobs read. Another worker process finds the file held
and leaves the copy to the one that holds it (and takes over if that one stops).

On ClickHouse the job copies into the server (its tables created on first use), which
serves reads while it writes: no snapshots. Two workers must not copy at once (the copy
appends past a watermark), so on PostgreSQL a round runs under an advisory lock and a
worker that finds it taken leaves the round to the holder.
"""

import threading
import time
from collections.abc import Callable

import duckdb
from sqlalchemy import text

from newretail.analytics.warehouse import open_configured, snapshots, sync
from newretail.analytics.warehouse.base import Warehouse
from newretail.analytics.warehouse.clickhouse import ClickHouseError
from newretail.analytics.warehouse.duck import DuckDBWarehouse, open_duckdb
from newretail.config import Settings
from newretail.db import Database
from newretail.observability import log

# pg_try_advisory_xact_lock's key for the copy into ClickHouse ("wh_sync" in ASCII).
_SYNC_LOCK = 0x77685F73796E63

_open: dict[str, DuckDBWarehouse] = {}
_open_lock = threading.Lock()


def shared_warehouse(path: str) -> DuckDBWarehouse:
    """One DuckDB connection per file and process: DuckDB lets one process write a file."""
    with _open_lock:
        if path not in _open:
            _open[path] = open_duckdb(path)
        return _open[path]


def close_shared(path: str) -> None:
    """Let go of the file (another process may then become the writer)."""
    with _open_lock:
        warehouse = _open.pop(path, None)
    if warehouse is not None:
        warehouse.close()


class WarehouseSync:
    """Copies new and changed rows every ``analytics_sync_seconds``: on DuckDB into the file,
    publishing a snapshot; on ClickHouse into the server.

    Until a first round the analyses have nothing to read, so the first round runs at once
    (on DuckDB, unless a snapshot is already published); later rounds wait one period.
    """

    name = "analytics_warehouse_sync"

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._due = 0.0
        self._held_elsewhere = False
        self._path: str | None = None
        self._clickhouse: Warehouse | None = None
        self._unreachable = False

    def __call__(self, database: Database, settings: Settings, /) -> int:
        path = self._path = settings.analytics_warehouse_path
        now = self._clock()
        clickhouse = settings.analytics_warehouse_engine == "clickhouse"
        if not self._due and not clickhouse and snapshots.published(path):
            self._due = now + settings.analytics_sync_seconds
        if now < self._due:
            return 0
        self._due = now + settings.analytics_sync_seconds
        if clickhouse:
            return self._to_clickhouse(database, settings)
        try:
            warehouse = shared_warehouse(path)
        except duckdb.IOException as exc:
            if not self._held_elsewhere:
                log.info("warehouse_held_by_another_process", path=path, error=str(exc))
            self._held_elsewhere = True
            return 0
        self._held_elsewhere = False
        with _open_lock:
            copied = sync.sync(database=database, warehouse=warehouse).total
            if copied or not snapshots.published(path):
                snapshots.publish(warehouse, path)
        return copied

    def _to_clickhouse(self, database: Database, settings: Settings) -> int:
        """One round into ClickHouse; while it cannot be reached, rounds are skipped (logged
        once per outage) and the next one resumes from the watermarks."""
        try:
            if self._clickhouse is None:
                self._clickhouse = open_configured(settings)
            copied = self._copy_alone(database, self._clickhouse)
        except ClickHouseError as exc:
            if not self._unreachable:
                log.warning("warehouse_unreachable", engine="clickhouse", error=str(exc))
            self._unreachable = True
            return 0
        self._unreachable = False
        return copied

    @staticmethod
    def _copy_alone(database: Database, warehouse: Warehouse) -> int:
        if database.is_sqlite:  # one host; a write transaction here would hold its writers
            return sync.sync(database=database, warehouse=warehouse).total
        with database.transaction() as session:
            if not session.scalar(
                text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _SYNC_LOCK}
            ):
                return 0  # another worker is copying
            return sync.sync(database=database, warehouse=warehouse).total

    def close(self) -> None:
        """The worker stops: the file is let go of, for the next writer."""
        if self._path is not None:
            close_shared(self._path)
        if self._clickhouse is not None:
            self._clickhouse.close()
            self._clickhouse = None
