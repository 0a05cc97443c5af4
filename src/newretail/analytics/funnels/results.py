"""Funnel results as the API and the pages show them: counts and rates per step, groups
named (stores and districts by name), and the same as CSV rows."""

from datetime import datetime

from sqlalchemy.orm import Session

from newretail.analytics.funnels import service as funnels
from newretail.analytics.funnels.rules import FunnelSpec
from newretail.analytics.funnels.schemas import FunnelResultRead, GroupRead, StepRead
from newretail.analytics.reports import service as reports
from newretail.analytics.reports import standard
from newretail.analytics.reports.access import analysed_brand
from newretail.analytics.reports.source import Readable
from newretail.db import utcnow
from newretail.kernel.scope import Scope


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


def standard_result(
    session: Session,
    scope: Scope,
    warehouse: Readable,
    key: str,
    start: datetime | None,
    end: datetime | None,
    breakdown: str | None,
    brand_id: int | None,
) -> FunnelResultRead:
    """A standard report's result (the pages use it too)."""
    brand = analysed_brand(scope, brand_id)
    report_id, spec = reports.standard_spec(session=session, brand_id=brand, key=key)
    name = standard.STANDARD[key][0]
    return result(session, warehouse, brand, report_id, name, spec, start, end, breakdown)


def saved_result(
    session: Session,
    scope: Scope,
    warehouse: Readable,
    report_id: int,
    start: datetime | None,
    end: datetime | None,
    breakdown: str | None,
) -> FunnelResultRead:
    row = reports.get_report(session=session, scope=scope, report_id=report_id)
    spec = reports.spec_of(row)
    return result(session, warehouse, row.brand_id, row.id, row.name, spec, start, end, breakdown)


def result(
    session: Session,
    warehouse: Readable,
    brand_id: int,
    report_id: int | None,
    name: str,
    spec: FunnelSpec,
    start: datetime | None,
    end: datetime | None,
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
