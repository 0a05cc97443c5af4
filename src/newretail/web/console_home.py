"""The console home: the dashboard of the brand, region or stores the caller looks after.

    GET /console                    key figures, charts with their tables (``?period=``)
    GET /console/dashboard.csv      one chart's rows as CSV (``?chart=&period=``)

Staff who read no reports (cashiers, guides) land on the stores screen instead.
"""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel import reporting
from newretail.kernel.errors import NotFound
from newretail.org import service as org_service
from newretail.org.schemas import BrandRead
from newretail.web import dashboard, data
from newretail.web.nav import console_nav, url
from newretail.web.pages import Page, PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Period = Annotated[str | None, Query(max_length=8)]
MAX_NAMED_STORES = 3


@router.get("/console")
def console_home(
    page: StaffPage, session: PageSessionDep, brand: int | None = None, period: Period = None
) -> Response:
    scope = page.caller
    if not scope.has_any(*reporting.READERS):
        return RedirectResponse(url("/console/stores", scope, brand), status_code=303)
    current = data.brand(session=session, scope=scope, brand_id=brand)
    chosen = dashboard.choose_period(period)
    board = dashboard.build(page=page, session=session, brand=current, period=chosen, now=utcnow())
    return page.render(
        "console/dashboard.html",
        brand=current,
        board=board,
        covers=_covers(page, session, current),
        charts=[(chart, chart.data(page.locale)) for chart in board.charts],
        periods=[
            (key, page.translate(label), url("/console", scope, current.id, period=key))
            for key, label in dashboard.PERIOD_LABELS.items()
        ],
        period_labels={k: page.translate(v) for k, v in dashboard.PERIOD_LABELS.items()},
        csv_url=lambda key: url(
            "/console/dashboard.csv", scope, current.id, chart=key, period=chosen
        ),
        orders_url=url("/console/orders", scope, current.id, status="ready"),
        dunning_url=url("/console/dunning", scope, current.id),
        nav_items=console_nav(page, current.id, "home"),
    )


@router.get("/console/dashboard.csv")
def dashboard_csv(
    page: StaffPage,
    session: PageSessionDep,
    chart: Annotated[str, Query(max_length=16)],
    brand: int | None = None,
    period: Period = None,
) -> Response:
    scope = page.caller
    scope.require(*reporting.READERS)
    current = data.brand(session=session, scope=scope, brand_id=brand)
    chosen = dashboard.choose_period(period)
    board = dashboard.build(page=page, session=session, brand=current, period=chosen, now=utcnow())
    found = next((c for c in board.charts if c.key == chart), None)
    if found is None:
        raise NotFound("No such chart.")
    name = f"{current.code}-{found.key}-{chosen}-{board.days[-1].isoformat()}.csv"
    return Response(
        dashboard.csv_of(found, page.gettext("Sales")),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _covers(page: Page, session: Session, brand: BrandRead) -> str:
    """Whose figures these are: the whole brand, or the caller's stores by name."""
    scope = page.caller
    if scope.is_brand_wide:
        return page.gettext("All stores")
    stores, _ = org_service.list_stores(
        session=session, scope=scope, cursor=None, limit=200, brand_id=brand.id
    )
    names = [store.name for store in stores]
    shown = (
        "、".join(names[:MAX_NAMED_STORES])
        if page.locale.startswith("zh")
        else ", ".join(names[:MAX_NAMED_STORES])
    )
    hidden = len(names) - MAX_NAMED_STORES
    if hidden > 0:
        return page.gettext("%(stores)s and %(count)s more", stores=shown, count=hidden)
    return shown
