"""Console screens for commission: leaderboards, settlement (schedule, periods, closing),
a period's statements (approve, mark paid, CSV) and a statement's lines.

    GET  /console/commission/leaderboard           stores or regions by commission earned
    GET  /console/commission                       schedule and periods
    POST /console/commission/schedule              save the schedule
    POST /console/commission/periods/{id}/close    prepare the period's statements
    GET  /console/commission/periods/{id}          its statements, totals and CSV files
    GET  /console/commission/periods/{id}/{payroll,invoicing}.csv
    GET  /console/commission/statements/{id}       a statement with its lines
    POST /console/commission/statements/{id}/{approve,pay}
"""

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from newretail.commission import earnings, settlement, statements
from newretail.commission.models import Beneficiary
from newretail.commission.settlement_access import SETTLERS
from newretail.commission.settlement_schemas import ScheduleUpdate
from newretail.db import utcnow
from newretail.kernel import reporting
from newretail.kernel.errors import DomainError, InvalidInput
from newretail.kernel.i18n import N_
from newretail.kernel.money import Money
from newretail.org.schemas import BrandRead
from newretail.web import labels, messages
from newretail.web.commission_words import (
    BENEFICIARIES,
    PERIOD_STATUSES,
    SCHEDULE_KINDS,
    STATEMENT_STATUSES,
    TONES,
    line_view,
)
from newretail.web.console_catalog import _brand, _brand_param, url
from newretail.web.nav import console_nav
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
BOARD_PERIODS = {
    "month": N_("This month"),
    "last_month": N_("Last month"),
    "30d": N_("Last 30 days"),
}
By = Annotated[str, Query(pattern="^(store|region)$")]
BoardPeriod = Annotated[str, Query(pattern="^(month|last_month|30d)$")]
CSV_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _window(choice: str, now: datetime, timezone: str) -> tuple[datetime, datetime]:
    this_month = earnings.month_start(now, timezone)
    if choice == "last_month":
        return earnings.month_start(this_month - timedelta(days=1), timezone), this_month
    if choice == "30d":
        return reporting.day_bounds(now, timezone, 30)[0], now
    return this_month, now


@router.get("/console/commission/leaderboard")
def leaderboard(
    page: StaffPage,
    session: PageSessionDep,
    brand: int | None = None,
    by: By = "store",
    period: BoardPeriod = "month",
) -> HTMLResponse:
    current = _brand(page, session, brand)
    keep = _brand_param(page, current)
    start, end = _window(period, utcnow(), current.timezone)
    rows = earnings.leaderboard(
        session=session, scope=page.caller, brand_id=current.id, by=by, start=start, end=end
    )
    money = _money(current)
    return page.render(
        "console/commission_leaderboard.html",
        nav_items=console_nav(page, current.id, "commission_board"),
        brand=current,
        rows=[
            {
                **vars(r),
                "amount": money(r.amount),
                "store_amount": money(r.store_amount),
                "guides_amount": money(r.guides_amount),
            }
            for r in rows
        ],
        by=by,
        tabs=[
            (key, label, url("/console/commission/leaderboard", brand=keep, by=key, period=period))
            for key, label in (
                ("store", page.gettext("By store")),
                ("region", page.gettext("By region")),
            )
        ],
        periods=[
            (
                key,
                page.translate(label),
                url("/console/commission/leaderboard", brand=keep, by=by, period=key),
            )
            for key, label in BOARD_PERIODS.items()
        ],
        period=period,
        start=start,
        end=end - timedelta(seconds=1),
        tz=current.timezone,
    )


def _money(brand: BrandRead) -> Any:
    return lambda amount: Money(int(amount), brand.currency)


@router.get("/console/commission/settlement")
def settlement_home(
    page: StaffPage, session: PageSessionDep, brand: int | None = None
) -> HTMLResponse:
    current = _brand(page, session, brand)
    scope = page.caller
    keep = _brand_param(page, current)
    schedule = settlement.find_schedule(session=session, brand_id=current.id)
    periods, _ = settlement.list_periods(
        session=session, scope=scope, brand_id=current.id, cursor=None, limit=24
    )
    now = utcnow()
    can_settle = scope.has_any(*SETTLERS)
    # Periods close in order: only the earliest open one offers to be closed.
    still_open = [p for p in periods if p.status == "open"]
    first_open = min(still_open, key=lambda p: p.starts_at).id if still_open else None
    rows = [
        {
            "id": p.id,
            "starts_at": p.starts_at,
            "last_day": p.ends_at - timedelta(seconds=1),
            "status": labels.label(page, PERIOD_STATUSES, p.status),
            "tone": TONES.get(p.status, "neutral"),
            "url": url(f"/console/commission/periods/{p.id}", brand=keep),
            "close_url": url(f"/console/commission/periods/{p.id}/close", brand=keep)
            if can_settle and p.id == first_open and p.ends_at <= now
            else None,
            "running": p.status == "open" and p.ends_at > now,
        }
        for p in periods
    ]
    return page.render(
        "console/commission_settlement.html",
        nav_items=console_nav(page, current.id, "settlement"),
        brand=current,
        schedule=schedule,
        minimum=Money(schedule.minimum_payout if schedule else 0, current.currency),
        kinds=[(k, labels.label(page, SCHEDULE_KINDS, k)) for k in SCHEDULE_KINDS],
        today=now.date(),
        can_settle=can_settle,
        schedule_url=url("/console/commission/schedule", brand=keep),
        board_url=url("/console/commission/leaderboard", brand=keep),
        periods=rows,
        tz=current.timezone,
    )


def _yuan_to_fen(text: str) -> int:
    """``"12.5"`` yuan → 1250 fen, exact; anything else is refused."""
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(text.strip() or "0")
    except InvalidOperation as exc:
        raise InvalidInput("The minimum payout is not an amount.") from exc
    fen = value * 100
    if not value.is_finite() or fen != fen.to_integral_value() or value < 0 or value > 10**10:
        raise InvalidInput("The minimum payout is not an amount.")
    return int(fen)


def _refused(page: Page, session: Session, error: DomainError, back: str) -> Response:
    """Undo what the refused action wrote and go back with the reason."""
    session.rollback()
    key = error.code if error.code in messages.FLASHES else "invalid_input"
    if key not in messages.FLASHES:
        raise error
    return page.redirect(back, flash=key, kind="error")


@router.post("/console/commission/schedule")
def save_schedule(
    page: StaffPage, session: PageSessionDep, fields: FormDep, brand: int | None = None
) -> Response:
    current = _brand(page, session, brand)
    back = url(
        "/console/commission/settlement", brand=_brand_param(page, current) if current else None
    )
    try:
        kind = fields.get("kind", "")
        number = fields.get("number", "").strip()
        data = ScheduleUpdate.model_validate(
            {
                "brand_id": current.id if current else None,
                "kind": kind,
                "day_of_month": number if kind == "monthly" else None,
                "every_days": number if kind == "every_n_days" else None,
                "starts_on": fields.get("starts_on") or str(date.today()),
                "minimum_payout": _yuan_to_fen(fields.get("minimum_payout", "0")),
            }
        )
        settlement.set_schedule(session=session, scope=page.caller, data=data)
    except DomainError as error:
        return _refused(page, session, error, back)
    except ValueError:
        session.rollback()
        return page.redirect(back, flash="invalid_schedule", kind="error")
    return page.redirect(back, flash="schedule_saved")


@router.post("/console/commission/periods/{period_id}/close")
def close(
    page: StaffPage,
    session: PageSessionDep,
    fields: FormDep,
    period_id: int,
    brand: int | None = None,
) -> Response:
    keep = brand if page.caller.is_platform else None
    try:
        result = settlement.close_period(session=session, scope=page.caller, period_id=period_id)
    except DomainError as error:
        return _refused(page, session, error, url("/console/commission/settlement", brand=keep))
    target = url(f"/console/commission/periods/{period_id}", brand=keep)
    return page.redirect(target, flash="period_closed", count=result.statements)


@router.get("/console/commission/periods/{period_id}")
def period_statements(
    page: StaffPage, session: PageSessionDep, period_id: int, brand: int | None = None
) -> HTMLResponse:
    scope = page.caller
    period = settlement.get_period(session=session, scope=scope, period_id=period_id)
    current = _brand(page, session, period.brand_id)
    assert current is not None
    keep = _brand_param(page, current)
    found, _ = statements.list_statements(
        session=session, scope=scope, period_id=period.id, limit=200
    )
    names = _names(session, found)
    money = _money(current)
    rows = [
        {
            "id": s.id,
            "kind": labels.label(page, BENEFICIARIES, s.beneficiary_type),
            "name": names.get(s.beneficiary_key, s.beneficiary_key),
            "lines": s.entry_count,
            "total": money(s.total),
            "total_fen": s.total,
            "status": labels.label(page, STATEMENT_STATUSES, s.status),
            "status_code": s.status,
            "tone": TONES.get(s.status, "neutral"),
            "url": url(f"/console/commission/statements/{s.id}", brand=keep),
            "approve_url": url(f"/console/commission/statements/{s.id}/approve", brand=keep)
            if s.status == "prepared"
            and scope.has_any(*SETTLERS)
            and s.prepared_by_id != scope.actor_id
            else None,
            "own": s.status == "prepared" and s.prepared_by_id == scope.actor_id,
            "pay_url": url(f"/console/commission/statements/{s.id}/pay", brand=keep)
            if s.status == "approved" and scope.has_any(*SETTLERS)
            else None,
        }
        for s in found
    ]
    totals = statements.totals_by_status(session=session, scope=scope, period_id=period.id)
    return page.render(
        "console/commission_period.html",
        nav_items=console_nav(page, current.id, "settlement"),
        brand=current,
        period=period,
        last_day=period.ends_at - timedelta(seconds=1),
        period_status=labels.label(page, PERIOD_STATUSES, period.status),
        rows=rows,
        totals=[
            (
                labels.label(page, STATEMENT_STATUSES, t.status),
                t.statements,
                t.entries,
                money(t.total),
            )
            for t in totals
        ],
        payroll_url=url(f"/console/commission/periods/{period.id}/payroll.csv", brand=keep),
        invoicing_url=url(f"/console/commission/periods/{period.id}/invoicing.csv", brand=keep),
        back_url=url("/console/commission/settlement", brand=keep),
        tz=current.timezone,
    )


def _names(session: Session, found: list[Any]) -> dict[str, str]:
    from sqlalchemy import select

    from newretail.auth.models import Staff
    from newretail.org.models import Store

    guides = [s.guide_id for s in found if s.guide_id is not None]
    stores = [s.store_id for s in found if s.store_id is not None]
    names = {
        f"guide:{i}": n
        for i, n in session.execute(
            select(Staff.id, Staff.display_name).where(Staff.id.in_(guides))
        )
    }
    names |= {
        f"store:{i}": n
        for i, n in session.execute(select(Store.id, Store.name).where(Store.id.in_(stores)))
    }
    return names


def _csv(page: Page, session: Session, period_id: int, who: Beneficiary) -> Response:
    name, body = statements.export_csv(
        session=session, scope=page.caller, period_id=period_id, beneficiary=who
    )
    headers = {**CSV_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/console/commission/periods/{period_id}/payroll.csv")
def payroll_csv(page: StaffPage, session: PageSessionDep, period_id: int) -> Response:
    return _csv(page, session, period_id, Beneficiary.GUIDE)


@router.get("/console/commission/periods/{period_id}/invoicing.csv")
def invoicing_csv(page: StaffPage, session: PageSessionDep, period_id: int) -> Response:
    return _csv(page, session, period_id, Beneficiary.STORE)


@router.get("/console/commission/statements/{statement_id}")
def statement(
    page: StaffPage, session: PageSessionDep, statement_id: int, brand: int | None = None
) -> HTMLResponse:
    scope = page.caller
    found = statements.get_statement(session=session, scope=scope, statement_id=statement_id)
    current = _brand(page, session, found.brand_id)
    assert current is not None
    keep = _brand_param(page, current)
    period = settlement.get_period(session=session, scope=scope, period_id=found.period_id)
    later = statements.carried_into(session=session, statement=found)
    lines = statements.statement_lines(session=session, statement=found)
    return page.render(
        "console/commission_statement.html",
        nav_items=console_nav(page, current.id, "settlement"),
        brand=current,
        statement=found,
        name=_names(session, [found]).get(found.beneficiary_key, found.beneficiary_key),
        kind=labels.label(page, BENEFICIARIES, found.beneficiary_type),
        status=labels.label(page, STATEMENT_STATUSES, found.status),
        tone=TONES.get(found.status, "neutral"),
        total=Money(found.total, found.currency),
        period=period,
        last_day=period.ends_at - timedelta(seconds=1),
        lines=[line_view(page, line) for line in lines],
        carried_url=url(f"/console/commission/statements/{later.id}", brand=keep)
        if later
        else None,
        approve_url=url(f"/console/commission/statements/{found.id}/approve", brand=keep)
        if found.status == "prepared"
        and scope.has_any(*SETTLERS)
        and found.prepared_by_id != scope.actor_id
        else None,
        own=found.status == "prepared" and found.prepared_by_id == scope.actor_id,
        pay_url=url(f"/console/commission/statements/{found.id}/pay", brand=keep)
        if found.status == "approved" and scope.has_any(*SETTLERS)
        else None,
        period_url=url(f"/console/commission/periods/{period.id}", brand=keep),
        tz=current.timezone,
    )


def _statement_action(
    page: Page,
    session: Session,
    statement_id: int,
    brand: int | None,
    fields: dict[str, str],
    pay: bool,
) -> Response:
    keep = brand if page.caller.is_platform else None
    back = fields.get("back") or ""
    target = (
        back
        if back.startswith("/console/commission/")
        else url(f"/console/commission/statements/{statement_id}", brand=keep)
    )
    try:
        if pay:
            statements.mark_paid(session=session, scope=page.caller, statement_id=statement_id)
        else:
            expected = fields.get("expected_total", "").strip()
            statements.approve_statement(
                session=session,
                scope=page.caller,
                statement_id=statement_id,
                expected_total=int(expected) if expected.lstrip("-").isdigit() else None,
            )
    except DomainError as error:
        return _refused(page, session, error, target)
    return page.redirect(target, flash="statement_paid" if pay else "statement_approved")


@router.post("/console/commission/statements/{statement_id}/approve")
def approve(
    page: StaffPage,
    session: PageSessionDep,
    fields: FormDep,
    statement_id: int,
    brand: int | None = None,
) -> Response:
    return _statement_action(page, session, statement_id, brand, fields, pay=False)


@router.post("/console/commission/statements/{statement_id}/pay")
def pay(
    page: StaffPage,
    session: PageSessionDep,
    fields: FormDep,
    statement_id: int,
    brand: int | None = None,
) -> Response:
    return _statement_action(page, session, statement_id, brand, fields, pay=True)
