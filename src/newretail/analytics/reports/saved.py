"""Saved reports of a brand: list, read, save, delete, and the standard ones installed."""

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.analytics.funnels.rules import FunnelSpec
from newretail.analytics.reports import standard
from newretail.analytics.reports.access import analysed_brand, sees
from newretail.analytics.reports.errors import InvalidReport, ReportNotFound
from newretail.analytics.reports.models import SavedReport
from newretail.db import utcnow
from newretail.kernel.scope import Scope


def list_reports(*, session: Session, scope: Scope, brand_id: int | None) -> list[SavedReport]:
    """The brand's saved reports, the standard ones first."""
    brand = analysed_brand(scope, brand_id)
    rows = session.scalars(select(SavedReport).where(SavedReport.brand_id == brand))
    return sorted(rows, key=lambda r: (r.key is None, r.id))


def get_report(*, session: Session, scope: Scope, report_id: int) -> SavedReport:
    row = session.get(SavedReport, report_id)
    if row is None or not sees(scope, row.brand_id):
        raise ReportNotFound()
    return row


def create_report(
    *, session: Session, scope: Scope, brand_id: int | None, name: str, spec: FunnelSpec
) -> SavedReport:
    """Save a funnel definition under a name."""
    row = SavedReport(
        brand_id=analysed_brand(scope, brand_id),
        name=name,
        kind="funnel",
        spec=spec.model_dump(mode="json"),
    )
    session.add(row)
    session.flush()
    return row


def update_report(
    *, session: Session, scope: Scope, report_id: int, name: str | None, spec: FunnelSpec | None
) -> SavedReport:
    row = get_report(session=session, scope=scope, report_id=report_id)
    analysed_brand(scope, row.brand_id)
    if name is not None:
        row.name = name
    if spec is not None:
        row.spec = spec.model_dump(mode="json")
    row.updated_at = utcnow()
    session.flush()
    return row


def delete_report(*, session: Session, scope: Scope, report_id: int) -> None:
    row = get_report(session=session, scope=scope, report_id=report_id)
    analysed_brand(scope, row.brand_id)
    session.delete(row)
    session.flush()


def install_standard(*, session: Session, scope: Scope, brand_id: int | None) -> list[SavedReport]:
    """Save the seed funnel and the traffic layers for the brand, where not saved yet."""
    brand = analysed_brand(scope, brand_id)
    have = set(session.scalars(select(SavedReport.key).where(SavedReport.brand_id == brand)))
    for row in standard.standard_rows(brand):
        if row["key"] not in have:
            session.add(SavedReport(**row))
    session.flush()
    return list_reports(session=session, scope=scope, brand_id=brand)


def spec_of(report: SavedReport) -> FunnelSpec:
    return _validated(report.spec)


def standard_spec(*, session: Session, brand_id: int, key: str) -> tuple[int | None, FunnelSpec]:
    """A standard report as the brand saved it, else as defined in ``standard`` (no write)."""
    row = session.scalars(
        select(SavedReport).where(SavedReport.brand_id == brand_id, SavedReport.key == key)
    ).first()
    if row is None:
        return None, standard.STANDARD[key][1]
    return row.id, spec_of(row)


def _validated(raw: dict[str, Any]) -> FunnelSpec:
    try:
        return FunnelSpec.model_validate(raw)
    except ValidationError as exc:
        raise InvalidReport(f"The saved definition is not valid: {exc.errors()[0]['msg']}") from exc
