"""What the analytics routers and pages share: the warehouse of the app, and the period.

The warehouse is ``app.state.analytics_warehouse`` when the boot layer or a test put one
there; otherwise the DuckDB file of ``settings.analytics_warehouse_path``, opened on first
use and shared by the process's requests one query at a time (a DuckDB connection is not
for concurrent use). When it cannot be opened, analyses answer 503 ``warehouse_unavailable``.
"""

import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

import duckdb
from fastapi import Depends, Query, Request

from newretail.analytics.reports.errors import WarehouseUnavailable
from newretail.analytics.reports.source import Readable
from newretail.analytics.warehouse import open_warehouse
from newretail.config import Settings
from newretail.kernel.errors import InvalidInput

_opening = threading.Lock()


class SharedReader:
    """One warehouse, read by one query at a time."""

    def __init__(self, warehouse: Readable) -> None:
        self.warehouse = warehouse
        self.lock = threading.Lock()

    def query(self, sql: str, params: Sequence[Any] = (), /) -> list[tuple[Any, ...]]:
        with self.lock:
            try:
                return self.warehouse.query(sql, params)
            except (duckdb.OutOfRangeException, duckdb.ConversionException) as exc:
                # a value the request carried that the engine cannot hold (a time too far)
                raise InvalidInput("A value in the request is out of range.") from exc


def _open(settings: Settings) -> Readable:
    try:
        return SharedReader(open_warehouse(settings.analytics_warehouse_path))
    except duckdb.Error as exc:
        raise WarehouseUnavailable() from exc


async def get_warehouse(request: Request) -> Readable:
    state = request.app.state
    warehouse: Readable | None = getattr(state, "analytics_warehouse", None)
    if warehouse is None:
        with _opening:
            warehouse = getattr(state, "analytics_warehouse", None) or _open(state.settings)
            state.analytics_warehouse = warehouse
    return warehouse


WarehouseDep = Annotated[Readable, Depends(get_warehouse)]
Start = Annotated[datetime | None, Query(description="Start of the period (UTC if no zone).")]
End = Annotated[datetime | None, Query(description="End of the period, excluded; default now.")]
BrandParam = Annotated[
    int | None, Query(ge=1, le=2**53, description="The brand (platform admins only).")
]
