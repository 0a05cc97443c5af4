"""What the analytics routers and pages share: the warehouse of the app, and the period.

The boot layer puts the warehouse on ``app.state.analytics_warehouse`` (a test puts a
planted one there); with none, analyses answer 503 ``warehouse_unavailable``.
"""

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from newretail.analytics.reports.errors import WarehouseUnavailable
from newretail.analytics.reports.source import Readable


async def get_warehouse(request: Request) -> Readable:
    warehouse: Readable | None = getattr(request.app.state, "analytics_warehouse", None)
    if warehouse is None:
        raise WarehouseUnavailable()
    return warehouse


WarehouseDep = Annotated[Readable, Depends(get_warehouse)]
Start = Annotated[datetime | None, Query(description="Start of the period (UTC if no zone).")]
End = Annotated[datetime | None, Query(description="End of the period, excluded; default now.")]
BrandParam = Annotated[
    int | None, Query(ge=1, le=2**53, description="The brand (platform admins only).")
]
