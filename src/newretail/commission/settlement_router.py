"""Settlement over HTTP: schedule, periods, closing, statements, approval, payment, CSV."""

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse, Response

from newretail.commission import settlement, statements
from newretail.commission.models import Beneficiary, StatementStatus
from newretail.commission.settlement_schemas import (
    Approval,
    LineRead,
    PeriodClosed,
    PeriodRead,
    PeriodsOpen,
    ScheduleRead,
    ScheduleUpdate,
    StatementDetail,
    StatementRead,
)
from newretail.kernel.http import (
    ApiRoute,
    Cursor,
    IdempotencyKey,
    Limit,
    ScopeDep,
    SessionDep,
    idempotent,
)
from newretail.kernel.schemas import Page

router = APIRouter(prefix="/commission", tags=["commission settlement"], route_class=ApiRoute)
CSV_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


@router.get("/schedule", response_model=ScheduleRead)
def get_schedule(session: SessionDep, scope: ScopeDep, brand_id: int | None = None) -> ScheduleRead:
    found = settlement.get_schedule(session=session, scope=scope, brand_id=brand_id)
    return ScheduleRead.model_validate(found)


@router.put("/schedule", response_model=ScheduleRead)
def set_schedule(data: ScheduleUpdate, session: SessionDep, scope: ScopeDep) -> ScheduleRead:
    """Set the brand's schedule and minimum payout; periods that have begun are opened."""
    return ScheduleRead.model_validate(
        settlement.set_schedule(session=session, scope=scope, data=data)
    )


@router.get("/periods", response_model=Page[PeriodRead])
def list_periods(
    session: SessionDep,
    scope: ScopeDep,
    brand_id: int | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[PeriodRead]:
    items, next_cursor = settlement.list_periods(
        session=session, scope=scope, brand_id=brand_id, cursor=cursor, limit=limit
    )
    return Page(items=[PeriodRead.model_validate(p) for p in items], next_cursor=next_cursor)


@router.post("/periods", response_model=list[PeriodRead])
def open_periods(data: PeriodsOpen, session: SessionDep, scope: ScopeDep) -> list[PeriodRead]:
    """Open the periods of the schedule that have begun (none twice); answers those opened."""
    opened = settlement.open_due_periods(session=session, scope=scope, brand_id=data.brand_id)
    return [PeriodRead.model_validate(p) for p in opened]


@router.get("/periods/{period_id}", response_model=PeriodRead)
def get_period(period_id: int, session: SessionDep, scope: ScopeDep) -> PeriodRead:
    found = settlement.get_period(session=session, scope=scope, period_id=period_id)
    return PeriodRead.model_validate(found)


@router.post("/periods/{period_id}/close", response_model=PeriodClosed)
def close_period(
    period_id: int, session: SessionDep, scope: ScopeDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Prepare the period's statements; a second close is 409 period_already_closed
    (a retry with the same Idempotency-Key gets the first answer)."""

    def work() -> tuple[int, PeriodClosed]:
        result = settlement.close_period(session=session, scope=scope, period_id=period_id)
        return 200, PeriodClosed(
            period=PeriodRead.model_validate(result.period),
            statements=result.statements,
            prepared=result.prepared,
            carried=result.carried,
            entries=result.entries,
            total=result.total,
        )

    return idempotent(
        session=session,
        scope=scope,
        key=key,
        operation=f"POST /commission/periods/{period_id}/close",
        payload={},
        work=work,
    )


def _csv(session: SessionDep, scope: ScopeDep, period_id: int, who: Beneficiary) -> Response:
    name, body = statements.export_csv(
        session=session, scope=scope, period_id=period_id, beneficiary=who
    )
    headers = {**CSV_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/periods/{period_id}/payroll.csv", response_class=Response)
def payroll_csv(period_id: int, session: SessionDep, scope: ScopeDep) -> Response:
    """The guides' payable statements of the period, for payroll."""
    return _csv(session, scope, period_id, Beneficiary.GUIDE)


@router.get("/periods/{period_id}/invoicing.csv", response_class=Response)
def invoicing_csv(period_id: int, session: SessionDep, scope: ScopeDep) -> Response:
    """The stores' payable statements of the period, for franchise invoicing."""
    return _csv(session, scope, period_id, Beneficiary.STORE)


@router.get("/statements", response_model=Page[StatementRead])
def list_statements(
    session: SessionDep,
    scope: ScopeDep,
    brand_id: int | None = None,
    period_id: int | None = None,
    status: Annotated[StatementStatus | None, Query()] = None,
    beneficiary_type: Annotated[Beneficiary | None, Query()] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[StatementRead]:
    items, next_cursor = statements.list_statements(
        session=session,
        scope=scope,
        brand_id=brand_id,
        period_id=period_id,
        status=status.value if status else None,
        beneficiary_type=beneficiary_type.value if beneficiary_type else None,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=[StatementRead.model_validate(s) for s in items], next_cursor=next_cursor)


@router.get("/statements/{statement_id}", response_model=StatementDetail)
def get_statement(statement_id: int, session: SessionDep, scope: ScopeDep) -> StatementDetail:
    """A statement with each of its lines and the numbers behind them."""
    found = statements.get_statement(session=session, scope=scope, statement_id=statement_id)
    lines = statements.statement_lines(session=session, statement=found)
    later = statements.carried_into(session=session, statement=found)
    return StatementDetail.model_validate(
        {
            **StatementRead.model_validate(found).model_dump(),
            "lines": [LineRead.model_validate(line) for line in lines],
            "carried_into_id": later.id if later else None,
        }
    )


@router.post("/statements/{statement_id}/approve", response_model=StatementRead)
def approve_statement(
    statement_id: int, data: Approval, session: SessionDep, scope: ScopeDep
) -> StatementRead:
    """Approve a prepared statement; its preparer cannot (403 own_statement)."""
    found = statements.approve_statement(
        session=session, scope=scope, statement_id=statement_id, expected_total=data.expected_total
    )
    return StatementRead.model_validate(found)


@router.post(
    "/statements/{statement_id}/pay", response_model=StatementRead, status_code=status.HTTP_200_OK
)
def mark_paid(statement_id: int, session: SessionDep, scope: ScopeDep) -> StatementRead:
    """Record that an approved statement was paid out."""
    found = statements.mark_paid(session=session, scope=scope, statement_id=statement_id)
    return StatementRead.model_validate(found)
