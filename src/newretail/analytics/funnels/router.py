"""/analytics/funnels: saved funnel reports (the seed funnel and traffic layers among them)
and their results over a period, as JSON or CSV; an ad-hoc funnel from a definition."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import Response

from newretail.analytics.funnels import results
from newretail.analytics.funnels.schemas import (
    FunnelQueryBody,
    FunnelResultRead,
    ReportCreate,
    ReportRead,
    ReportUpdate,
    StandardInstall,
)
from newretail.analytics.reports import csvfile
from newretail.analytics.reports import service as reports
from newretail.analytics.reports.access import analysed_brand
from newretail.analytics.reports.deps import BrandParam, End, Start, WarehouseDep
from newretail.analytics.reports.vocabulary import Dimension
from newretail.kernel.http import ApiRoute, ScopeDep, SessionDep

router = APIRouter(prefix="/analytics/funnels", tags=["analytics"], route_class=ApiRoute)
Breakdown = Annotated[Dimension | None, Query(description="Group people by this dimension.")]
StandardKey = Annotated[Literal["seed_funnel", "traffic_layers"], Path()]


@router.get("", response_model=list[ReportRead])
def list_reports(
    session: SessionDep, scope: ScopeDep, brand_id: BrandParam = None
) -> list[ReportRead]:
    """The brand's saved funnels, the standard ones first."""
    rows = reports.list_reports(session=session, scope=scope, brand_id=brand_id)
    return [ReportRead.model_validate(r) for r in rows]


@router.post("", response_model=ReportRead, status_code=status.HTTP_201_CREATED)
def create_report(data: ReportCreate, session: SessionDep, scope: ScopeDep) -> ReportRead:
    row = reports.create_report(
        session=session, scope=scope, brand_id=data.brand_id, name=data.name, spec=data.spec
    )
    return ReportRead.model_validate(row)


@router.post("/standard", response_model=list[ReportRead])
def install_standard(
    data: StandardInstall, session: SessionDep, scope: ScopeDep
) -> list[ReportRead]:
    """Save the seed funnel and the traffic layers for the brand (again: nothing changes)."""
    rows = reports.install_standard(session=session, scope=scope, brand_id=data.brand_id)
    return [ReportRead.model_validate(r) for r in rows]


@router.post("/query", response_model=FunnelResultRead)
def run_adhoc(
    data: FunnelQueryBody, session: SessionDep, scope: ScopeDep, warehouse: WarehouseDep
) -> FunnelResultRead:
    """A funnel from a definition, not saved (nothing is written)."""
    brand = analysed_brand(scope, data.brand_id)
    return results.result(
        session, warehouse, brand, None, "", data.spec, data.start, data.end, data.breakdown
    )


@router.get("/standard/{key}/result", response_model=FunnelResultRead)
def standard_result(
    key: StandardKey,
    session: SessionDep,
    scope: ScopeDep,
    warehouse: WarehouseDep,
    start: Start = None,
    end: End = None,
    breakdown: Breakdown = None,
    brand_id: BrandParam = None,
) -> FunnelResultRead:
    """A standard report (seed funnel, traffic layers) as the brand saved it, or as defined
    when not saved yet: what the console's analytics dashboard draws."""
    return results.standard_result(session, scope, warehouse, key, start, end, breakdown, brand_id)


@router.get("/standard/{key}/result.csv", response_class=Response)
def standard_result_csv(
    key: StandardKey,
    session: SessionDep,
    scope: ScopeDep,
    warehouse: WarehouseDep,
    start: Start = None,
    end: End = None,
    breakdown: Breakdown = None,
    brand_id: BrandParam = None,
) -> Response:
    result = results.standard_result(
        session, scope, warehouse, key, start, end, breakdown, brand_id
    )
    return csvfile.response(f"{key}.csv", results.funnel_rows(result))


@router.get("/{report_id}", response_model=ReportRead)
def get_report(report_id: int, session: SessionDep, scope: ScopeDep) -> ReportRead:
    return ReportRead.model_validate(
        reports.get_report(session=session, scope=scope, report_id=report_id)
    )


@router.patch("/{report_id}", response_model=ReportRead)
def update_report(
    report_id: int, data: ReportUpdate, session: SessionDep, scope: ScopeDep
) -> ReportRead:
    row = reports.update_report(
        session=session, scope=scope, report_id=report_id, name=data.name, spec=data.spec
    )
    return ReportRead.model_validate(row)


@router.delete("/{report_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_report(report_id: int, session: SessionDep, scope: ScopeDep) -> Response:
    reports.delete_report(session=session, scope=scope, report_id=report_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{report_id}/result", response_model=FunnelResultRead)
def report_result(
    report_id: int,
    session: SessionDep,
    scope: ScopeDep,
    warehouse: WarehouseDep,
    start: Start = None,
    end: End = None,
    breakdown: Breakdown = None,
) -> FunnelResultRead:
    """The saved funnel over the period (default: the last 30 days)."""
    return results.saved_result(session, scope, warehouse, report_id, start, end, breakdown)


@router.get("/{report_id}/result.csv", response_class=Response)
def report_result_csv(
    report_id: int,
    session: SessionDep,
    scope: ScopeDep,
    warehouse: WarehouseDep,
    start: Start = None,
    end: End = None,
    breakdown: Breakdown = None,
) -> Response:
    """The same result as CSV: one row per breakdown value and step."""
    result = results.saved_result(session, scope, warehouse, report_id, start, end, breakdown)
    return csvfile.response(f"funnel-{report_id}.csv", results.funnel_rows(result))
