"""What the analytics routers and pages share: the warehouse of the app, and the period.

The warehouse is ``app.state.analytics_warehouse`` when the boot layer or a test put one
there; otherwise the engine ``settings.analytics_warehouse_engine`` names. On DuckDB, the
newest read snapshot of ``settings.analytics_warehouse_path``
(``analytics.warehouse.snapshots``): the worker's sync job is the file's only writer and
publishes a snapshot after each round, which every API process reads, one cursor per
query. On ClickHouse, the server itself (it reads while the sync writes). Until a first
snapshot exists, or while ClickHouse cannot be reached or fails, analyses answer 503
``warehouse_unavailable`` with a ``Retry-After`` of one sync interval.
"""

import math
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

import duckdb
from fastapi import Depends, Query, Request

from newretail.analytics.reports.errors import WarehouseUnavailable
from newretail.analytics.reports.source import Readable
from newretail.analytics.warehouse import ClickHouseError, open_clickhouse
from newretail.analytics.warehouse.snapshots import NoSnapshot, SnapshotReader
from newretail.config import Settings
from newretail.kernel.errors import InvalidInput
from newretail.observability import log

_opening = threading.Lock()


def _unavailable(settings: Settings) -> WarehouseUnavailable:
    retry = max(1, math.ceil(settings.analytics_sync_seconds))
    return WarehouseUnavailable(headers={"Retry-After": str(retry)})


class GuardedReader:
    """A warehouse read whose engine errors become the API's: a value the request carried
    that the engine cannot hold is a 422; no snapshot yet, or a ClickHouse that cannot be
    reached or fails, a 503."""

    def __init__(self, warehouse: Readable, settings: Settings) -> None:
        self.warehouse = warehouse
        self.settings = settings

    def query(self, sql: str, params: Sequence[Any] = (), /) -> list[tuple[Any, ...]]:
        try:
            return self.warehouse.query(sql, params)
        except NoSnapshot as exc:
            raise _unavailable(self.settings) from exc
        except ClickHouseError as exc:
            log.warning("warehouse_unreachable", engine="clickhouse", code=exc.code, error=str(exc))
            raise _unavailable(self.settings) from exc
        except (duckdb.OutOfRangeException, duckdb.ConversionException) as exc:
            # a value the request carried that the engine cannot hold (a time too far)
            raise InvalidInput("A value in the request is out of range.") from exc

    def close(self) -> None:
        close = getattr(self.warehouse, "close", None)
        if callable(close):
            close()


def _configured(settings: Settings) -> Readable:
    if settings.analytics_warehouse_engine == "clickhouse":
        return open_clickhouse(settings)
    return SnapshotReader(settings.analytics_warehouse_path)


def _reader(state: Any) -> Readable:
    warehouse: Readable | None = getattr(state, "analytics_warehouse", None)
    if warehouse is None:
        with _opening:
            warehouse = getattr(state, "analytics_warehouse", None)
            if warehouse is None:
                settings = state.settings
                warehouse = GuardedReader(_configured(settings), settings)
                state.analytics_warehouse = warehouse
    return warehouse


def close_reader(state: Any) -> None:
    """At shutdown: close the reader ``_reader`` opened (not one put there)."""
    warehouse = getattr(state, "analytics_warehouse", None)
    if isinstance(warehouse, GuardedReader):
        state.analytics_warehouse = None
        warehouse.close()


async def get_warehouse(request: Request) -> Readable:
    # No check for a snapshot here: the route checks the caller's scope first, and the
    # first query answers 503 if there is nothing to read yet.
    return _reader(request.app.state)


WarehouseDep = Annotated[Readable, Depends(get_warehouse)]
Start = Annotated[datetime | None, Query(description="Start of the period (UTC if no zone).")]
End = Annotated[datetime | None, Query(description="End of the period, excluded; default now.")]
BrandParam = Annotated[
    int | None, Query(ge=1, le=2**53, description="The brand (platform admins only).")
]
