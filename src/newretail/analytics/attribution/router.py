"""/analytics/attribution: a period's purchases credited to their touches, per touchpoint,
code, campaign, pop-up, district or guide; as JSON or CSV.

``window`` overrides a touch type's window, as ``<touch type>:<days>`` (repeatable), e.g.
``window=QR Scanned:10``.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from newretail.analytics.attribution import service as attribution
from newretail.analytics.attribution.query import By
from newretail.analytics.attribution.rules import AttributionSettings
from newretail.analytics.attribution.schemas import AttributionRead, CreditRowRead
from newretail.analytics.reports import csvfile
from newretail.analytics.reports import service as reports
from newretail.analytics.reports.access import analysed_brand
from newretail.analytics.reports.deps import BrandParam, End, Start, WarehouseDep
from newretail.analytics.reports.errors import InvalidAttribution
from newretail.analytics.reports.source import Readable
from newretail.db import utcnow
from newretail.kernel.http import ApiRoute, ScopeDep, SessionDep
from newretail.kernel.scope import Scope

router = APIRouter(prefix="/analytics/attribution", tags=["analytics"], route_class=ApiRoute)
ByParam = Annotated[By, Query()]
Model = Annotated[Literal["last_touch", "position"], Query()]
Touches = Annotated[Literal["unique", "all"], Query()]
Windows = Annotated[list[str] | None, Query(max_length=6, description="`<touch type>:<days>`")]


def settings_of(model: str, touches: str, window: list[str] | None) -> AttributionSettings:
    """The settings from query parameters; a malformed window is a 422 with the reason."""
    days: dict[str, object] = {}
    for item in window or []:
        event, _, value = item.rpartition(":")
        days[event.strip()] = value.strip()
    try:
        return AttributionSettings.model_validate(
            {"model": model, "touches": touches, "window_days": days}
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        raise InvalidAttribution(f"{error['msg']} ({'.'.join(map(str, error['loc']))})") from exc


@router.get("", response_model=AttributionRead)
def attribution_report(
    session: SessionDep,
    scope: ScopeDep,
    warehouse: WarehouseDep,
    by: ByParam = "touchpoint",
    model: Model = "last_touch",
    touches: Touches = "unique",
    window: Windows = None,
    start: Start = None,
    end: End = None,
    brand_id: BrandParam = None,
) -> AttributionRead:
    """Purchases of the period (default: the last 30 days), credited to their touches."""
    return _read(session, scope, warehouse, by, model, touches, window, start, end, brand_id)


@router.get(".csv", response_class=Response)
def attribution_csv(
    session: SessionDep,
    scope: ScopeDep,
    warehouse: WarehouseDep,
    by: ByParam = "touchpoint",
    model: Model = "last_touch",
    touches: Touches = "unique",
    window: Windows = None,
    start: Start = None,
    end: End = None,
    brand_id: BrandParam = None,
) -> Response:
    found = _read(session, scope, warehouse, by, model, touches, window, start, end, brand_id)
    rows: list[list[object]] = [[by, "credited_fen", "purchases", "touches"]]
    rows += [[r.label, r.fen, r.purchases, r.touches] for r in found.rows]
    return csvfile.response(f"attribution-{by}.csv", rows)


def _read(
    session: Session,
    scope: Scope,
    warehouse: Readable,
    by: By,
    model: str,
    touches: str,
    window: list[str] | None,
    start: Start,
    end: End,
    brand_id: int | None,
) -> AttributionRead:
    brand = analysed_brand(scope, brand_id)
    settings = settings_of(model, touches, window)
    period = reports.period(start, end, now=utcnow())
    found = attribution.attribution_report(
        warehouse=warehouse, brand_id=brand, period=period, settings=settings, by=by
    )
    dimension = {"district": "district"}.get(by)
    names = reports.names(session=session, brand_id=brand, dimension=dimension)
    return AttributionRead(
        start=period.start,
        end=period.end,
        by=by,
        model=settings.model,
        touches=settings.touches,
        window_days=found.window_days,
        purchases=found.purchases,
        revenue_fen=found.revenue_fen,
        attributed_fen=found.attributed_fen,
        rows=[
            CreditRowRead(
                value=r.value,
                label=names.get(r.value, r.value),
                fen=r.fen,
                purchases=r.purchases,
                touches=r.touches,
            )
            for r in found.rows
        ],
    )
