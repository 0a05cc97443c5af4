"""/analytics/funnels: saved funnel reports (the seed funnel and traffic layers among them)
and their results over a period, as JSON or CSV; an ad-hoc funnel from a definition."""

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import Response
from sqlalchemy.orm import Session

from newretail.analytics.funnels import service as funnels
from newretail.analytics.funnels.rules import FunnelSpec
from newretail.analytics.funnels.schemas import (
    FunnelQueryBody,
    FunnelResultRead,
    GroupRead,
    ReportCreate,
    ReportRead,
    ReportUpdate,
    StepRead,
)
from newretail.analytics.reports import csvfile
from newretail.analytics.reports import service as reports
from newretail.analytics.reports.access import analysed_brand
from newretail.analytics.reports.deps import BrandParam, End, Start, WarehouseDep
from newretail.analytics.reports.source import Readable
from newretail.analytics.reports.vocabulary import Dimension
from newretail.db import utcnow
from newretail.kernel.http import ScopeDep, SessionDep
from newretail.kernel.scope import Scope

router = APIRouter(prefix="/analytics/funnels", tags=["analytics"])
Breakdown = Annotated[Dimension | None, Query(description="Group people by this dimension.")]


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
    session: SessionDep, scope: ScopeDep, brand_id: BrandParam = None
) -> list[ReportRead]:
    """Save the seed funnel and the traffic layers for the brand (again: nothing changes)."""
    rows = reports.install_standard(session=session, scope=scope, brand_id=brand_id)
    return [ReportRead.model_validate(r) for r in rows]


@router.post("/query", response_model=FunnelResultRead)
def run_adhoc(
    data: FunnelQueryBody, session: SessionDep, scope: ScopeDep, warehouse: WarehouseDep
) -> FunnelResultRead:
    """A funnel from a definition, not saved (nothing is written)."""
    brand = analysed_brand(scope, data.brand_id)
    return _result(
        session, warehouse, brand, None, "", data.spec, data.start, data.end, data.breakdown
    )


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
    return _saved_result(session, scope, warehouse, report_id, start, end, breakdown)


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
    result = _saved_result(session, scope, warehouse, report_id, start, end, breakdown)
    return csvfile.response(f"funnel-{report_id}.csv", funnel_rows(result))


def funnel_rows(result: FunnelResultRead) -> list[list[object]]:
    header: list[object] = [
        "group",
        "step",
        "reached",
        "in_progress",
        "settled",
        "rate_from_previous",
        "rate_from_start",
    ]
    groups = result.groups or [GroupRead(value="all", label="all", steps=result.total)]
    return [header] + [
        [
            g.label,
            s.label,
            s.reached,
            s.in_progress,
            s.settled,
            s.rate_from_previous,
            s.rate_from_start,
        ]
        for g in groups
        for s in g.steps
    ]


def _saved_result(
    session: Session,
    scope: Scope,
    warehouse: Readable,
    report_id: int,
    start: Start,
    end: End,
    breakdown: str | None,
) -> FunnelResultRead:
    row = reports.get_report(session=session, scope=scope, report_id=report_id)
    spec = reports.spec_of(row)
    return _result(session, warehouse, row.brand_id, row.id, row.name, spec, start, end, breakdown)


def _result(
    session: Session,
    warehouse: Readable,
    brand_id: int,
    report_id: int | None,
    name: str,
    spec: FunnelSpec,
    start: Start,
    end: End,
    breakdown: str | None,
) -> FunnelResultRead:
    now = utcnow()
    period = reports.period(start, end, now=now)
    found = funnels.run(
        warehouse=warehouse,
        brand_id=brand_id,
        spec=spec,
        period=period,
        breakdown=breakdown,
        now=now,
    )
    names = reports.names(session=session, brand_id=brand_id, dimension=breakdown)
    return FunnelResultRead(
        report_id=report_id,
        name=name,
        start=period.start,
        end=period.end,
        breakdown=breakdown,
        labels=found.labels,
        total=[StepRead.of(s) for s in found.total],
        groups=[
            GroupRead(
                value=g.value,
                label=names.get(g.value, g.value),
                steps=[StepRead.of(s) for s in g.steps],
            )
            for g in found.groups
        ],
    )
