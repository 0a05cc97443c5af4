"""The console's analytics dashboard: the data bank's charts for a brand.

    GET /console/analytics                the seed funnel (by store, by district), traffic
                                          layers, attribution by touchpoint, audience sizes
                                          (``?period=7d|30d|90d``)
    GET /console/analytics.csv            one chart's rows as CSV (``?chart=&period=``)

Each chart names the API that answers the same figures (``console_analytics_board``).
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from newretail.analytics.reports import csvfile
from newretail.analytics.reports.access import analysed_brand
from newretail.analytics.reports.deps import get_warehouse
from newretail.analytics.reports.source import Readable
from newretail.db import utcnow
from newretail.kernel.errors import NotFound
from newretail.web import console_analytics_board as board_of
from newretail.web import data
from newretail.web.nav import console_nav, url
from newretail.web.pages import PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Period = Annotated[str | None, Query(max_length=8)]
PageWarehouse = Annotated[Readable, Depends(get_warehouse)]


@router.get("/console/analytics")
def analytics_dashboard(
    page: StaffPage,
    session: PageSessionDep,
    warehouse: PageWarehouse,
    brand: int | None = None,
    period: Period = None,
) -> Response:
    scope = page.caller
    current = data.brand(session=session, scope=scope, brand_id=brand)
    analysed_brand(scope, current.id)
    chosen = board_of.choose_period(period)
    board = board_of.build(
        page=page,
        session=session,
        warehouse=warehouse,
        scope=scope,
        brand_id=current.id,
        period=chosen,
        now=utcnow(),
    )
    return page.render(
        "console/analytics.html",
        brand=current,
        board=board,
        charts=[(chart, chart.data()) for chart in board.charts],
        periods=[
            (key, page.translate(label), url("/console/analytics", scope, current.id, period=key))
            for key, label in board_of.PERIOD_LABELS.items()
        ],
        csv_url=lambda key: url(
            "/console/analytics.csv", scope, current.id, chart=key, period=chosen
        ),
        nav_items=console_nav(page, current.id, "analytics"),
    )


@router.get("/console/analytics.csv")
def analytics_csv(
    page: StaffPage,
    session: PageSessionDep,
    warehouse: PageWarehouse,
    chart: Annotated[str, Query(max_length=16)],
    brand: int | None = None,
    period: Period = None,
) -> Response:
    scope = page.caller
    current = data.brand(session=session, scope=scope, brand_id=brand)
    analysed_brand(scope, current.id)
    chosen = board_of.choose_period(period)
    board = board_of.build(
        page=page,
        session=session,
        warehouse=warehouse,
        scope=scope,
        brand_id=current.id,
        period=chosen,
        now=utcnow(),
    )
    found = next((c for c in board.charts if c.key == chart), None)
    if found is None:
        raise NotFound("No such chart.")
    name = f"{current.code}-{found.key}-{chosen}-{board.end.date().isoformat()}.csv"
    return csvfile.response(name, found.csv_rows())
