"""Settlement: a brand's schedule, its periods, and closing a period into statements.

Closing is set-based and guarded, so that the same period is never settled twice, even
when two requests close it at once: the period moves from open to closed by one guarded
UPDATE (the second request finds it closed and is refused); each line joins a statement
by another guarded UPDATE (``statement_id`` still empty, or on a carried statement, and
still pending), and a statement's total is the sum of the lines that actually joined it.

What a period's statements hold: per guide and per store, the lines that are pending, not
on a statement yet (or on a statement that was carried), and released before the period's
end (a line waiting for fulfilment has no release time yet and stays frozen).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Integer,
    Select,
    String,
    and_,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session, aliased

from newretail.audit import service as audit_service
from newretail.commission import settlement_errors as errors
from newretail.commission import settlement_rules as rules
from newretail.commission.models import (
    Beneficiary,
    CommissionEntry,
    CommissionPeriod,
    CommissionStatement,
    EntryStatus,
    PeriodStatus,
    StatementStatus,
)
from newretail.commission.settlement_access import (
    PERIOD_READERS,
    PERIODS,
    SETTLERS,
    require_staff_or_key,
)
from newretail.commission.settlement_models import CommissionSchedule
from newretail.commission.settlement_schemas import ScheduleUpdate
from newretail.db import utcnow
from newretail.kernel import bulk, visibility
from newretail.kernel.pagination import paginate
from newretail.kernel.planner import rare
from newretail.kernel.scope import Scope
from newretail.org import service as org_service
from newretail.org.models import Brand
from newretail.outbox import service as outbox_service

Entry = CommissionEntry
Statement = CommissionStatement


@dataclass(frozen=True)
class CloseResult:
    period: CommissionPeriod
    statements: int
    prepared: int
    carried: int
    entries: int
    total: int  # of the prepared statements, minor units


# ---- schedule -------------------------------------------------------------------------


def _brand(session: Session, scope: Scope, brand_id: int | None) -> Brand:
    return org_service.get_brand(
        session=session, scope=scope, brand_id=scope.target_brand(brand_id)
    )


def find_schedule(*, session: Session, brand_id: int) -> CommissionSchedule | None:
    return session.scalar(select(CommissionSchedule).where(CommissionSchedule.brand_id == brand_id))


def get_schedule(*, session: Session, scope: Scope, brand_id: int | None) -> CommissionSchedule:
    """The brand's settlement schedule (``schedule_not_set`` before it has one)."""
    require_staff_or_key(scope, *PERIOD_READERS)
    brand = _brand(session, scope, brand_id)
    schedule = find_schedule(session=session, brand_id=brand.id)
    if schedule is None:
        raise errors.ScheduleNotSet()
    return schedule


def set_schedule(
    *, session: Session, scope: Scope, data: ScheduleUpdate, now: datetime | None = None
) -> CommissionSchedule:
    """Set the brand's schedule and minimum payout, then open the periods that have begun."""
    require_staff_or_key(scope, *SETTLERS)
    brand = _brand(session, scope, data.brand_id)
    schedule = find_schedule(session=session, brand_id=brand.id)
    if schedule is None:
        schedule = CommissionSchedule(brand_id=brand.id, currency=brand.currency)
        session.add(schedule)
    schedule.kind = data.kind.value
    schedule.day_of_month = data.day_of_month
    schedule.every_days = data.every_days
    schedule.starts_on = data.starts_on
    schedule.minimum_payout = data.minimum_payout
    schedule.updated_by_id = scope.actor_id if scope.actor_type == "staff" else None
    schedule.updated_at = utcnow()
    session.flush()
    audit_service.write(
        session=session,
        scope=scope,
        action="commission.schedule.set",
        target_type="commission_schedule",
        target_id=schedule.id,
        brand_id=brand.id,
        details=data.model_dump(mode="json", exclude={"brand_id"}),
    )
    _open_due(session, brand, schedule, now or utcnow())
    return schedule


def _cadence(schedule: CommissionSchedule) -> rules.Cadence:
    return rules.Cadence(
        kind=rules.ScheduleKind(schedule.kind),
        starts_on=schedule.starts_on,
        day_of_month=schedule.day_of_month,
        every_days=schedule.every_days,
    )


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


# ---- periods --------------------------------------------------------------------------


def open_due_periods(
    *, session: Session, scope: Scope, brand_id: int | None, now: datetime | None = None
) -> list[CommissionPeriod]:
    """Open every period of the brand's schedule that has begun by ``now`` (none twice)."""
    require_staff_or_key(scope, *SETTLERS)
    brand = _brand(session, scope, brand_id)
    schedule = find_schedule(session=session, brand_id=brand.id)
    if schedule is None:
        raise errors.ScheduleNotSet()
    return _open_due(session, brand, schedule, now or utcnow())


def _open_due(
    session: Session, brand: Brand, schedule: CommissionSchedule, now: datetime
) -> list[CommissionPeriod]:
    zone = ZoneInfo(brand.timezone)
    last_end = session.scalar(
        select(func.max(CommissionPeriod.ends_at)).where(CommissionPeriod.brand_id == brand.id)
    )
    after = last_end.astimezone(zone).date() if last_end is not None else None
    today = now.astimezone(zone).date()
    opened = [
        CommissionPeriod(
            brand_id=brand.id,
            starts_at=_midnight(start, zone),
            ends_at=_midnight(end, zone),
            status=PeriodStatus.OPEN.value,
        )
        for start, end in rules.periods_due(_cadence(schedule), after=after, today=today)
    ]
    session.add_all(opened)
    session.flush()
    return opened


def _period_query(scope: Scope) -> Select[CommissionPeriod]:
    return visibility.restrict(select(CommissionPeriod), scope, PERIODS)


def get_period(*, session: Session, scope: Scope, period_id: int) -> CommissionPeriod:
    require_staff_or_key(scope, *PERIOD_READERS)
    period = session.scalar(
        _period_query(scope)
        .where(CommissionPeriod.id == period_id)
        .execution_options(populate_existing=True)
    )
    if period is None:
        raise errors.PeriodNotFound()
    return period


def list_periods(
    *, session: Session, scope: Scope, brand_id: int | None, cursor: str | None, limit: int
) -> tuple[list[CommissionPeriod], str | None]:
    """The brand's periods, latest first."""
    require_staff_or_key(scope, *PERIOD_READERS)
    brand = _brand(session, scope, brand_id)
    query = _period_query(scope).where(CommissionPeriod.brand_id == brand.id)
    return paginate(
        session=session,
        query=query,
        id_column=CommissionPeriod.id,
        cursor=cursor,
        limit=limit,
        descending=True,
    )


# ---- closing a period -----------------------------------------------------------------


def close_period(
    *, session: Session, scope: Scope, period_id: int, now: datetime | None = None
) -> CloseResult:
    """Close an ended period: one statement per guide and per store with its due lines.

    A second close of the same period, even at the same moment, is refused with
    ``period_already_closed`` and settles nothing.
    """
    period = get_period(session=session, scope=scope, period_id=period_id)
    require_staff_or_key(scope, *SETTLERS)
    now = now or utcnow()
    preparer = scope.actor_id if scope.actor_type == "staff" else None
    _claim_period(session, period, preparer, now)
    brand = org_service.get_brand(session=session, scope=scope, brand_id=period.brand_id)
    schedule = find_schedule(session=session, brand_id=brand.id)
    minimum = schedule.minimum_payout if schedule is not None else 0
    with bulk.roomy_cache(session):
        result = prepare_statements(
            session=session,
            period=period,
            preparer_id=preparer,
            minimum_payout=minimum,
            currency=brand.currency,
            now=now,
        )
    if schedule is not None:
        _open_due(session, brand, schedule, now)
    audit_service.write(
        session=session,
        scope=scope,
        action="commission.period.closed",
        target_type="commission_period",
        target_id=period.id,
        brand_id=brand.id,
        details={"statements": result.statements, "entries": result.entries, "total": result.total},
    )
    outbox_service.record(
        session=session,
        brand_id=brand.id,
        type="commission.period.closed",
        resource_type="commission_period",
        resource_id=period.id,
        payload={"period_id": period.id, "statements": result.statements, "total": result.total},
    )
    return result


def _claim_period(
    session: Session, period: CommissionPeriod, preparer: int | None, now: datetime
) -> None:
    """Move the period from open to closed, or say why it cannot be closed."""
    earlier = aliased(CommissionPeriod)
    earlier_open = exists().where(
        earlier.brand_id == CommissionPeriod.brand_id,
        earlier.starts_at < CommissionPeriod.starts_at,
        earlier.status == PeriodStatus.OPEN.value,
    )
    claimed = session.execute(
        update(CommissionPeriod)
        .where(
            CommissionPeriod.id == period.id,
            CommissionPeriod.status == PeriodStatus.OPEN.value,
            CommissionPeriod.ends_at <= now,
            ~earlier_open,
        )
        .values(status=PeriodStatus.CLOSED.value, closed_at=now, closed_by_id=preparer)
        .returning(CommissionPeriod.id)
        .execution_options(synchronize_session=False)
    ).first()
    session.refresh(period)
    if claimed is not None:
        return
    if period.status != PeriodStatus.OPEN.value:
        raise errors.PeriodAlreadyClosed()
    if period.ends_at > now:
        raise errors.PeriodNotEnded()
    raise errors.EarlierPeriodOpen()


def _due(period: CommissionPeriod, currency: str) -> ColumnElement[bool]:
    """Lines to settle in ``period``: pending, released before its end, on no live statement."""
    carried = select(Statement.id).where(
        Statement.brand_id == period.brand_id,
        Statement.status == StatementStatus.CARRIED.value,
    )
    return and_(
        Entry.brand_id == period.brand_id,
        Entry.status == EntryStatus.PENDING.value,
        Entry.currency == currency,
        Entry.release_at.is_not(None),
        Entry.release_at < period.ends_at,
        or_(Entry.statement_id.is_(None), Entry.statement_id.in_(carried)),
    )


_BY = {
    Beneficiary.GUIDE: (Entry.guide_id, Statement.guide_id),
    Beneficiary.STORE: (Entry.store_id, Statement.store_id),
}


def prepare_statements(
    *,
    session: Session,
    period: CommissionPeriod,
    preparer_id: int | None,
    minimum_payout: int,
    currency: str,
    now: datetime,
) -> CloseResult:
    """Write the statements of a period the caller has just claimed (set-based: one
    INSERT … SELECT of the beneficiaries per kind, one UPDATE joining their lines)."""
    due = _due(period, currency)
    for kind, (entry_column, statement_column) in _BY.items():
        if _open_statements(session, period, due, kind, preparer_id, currency, now):
            _join_lines(session, period, due, kind, entry_column, statement_column)
    _sum_statements(session, period, minimum_payout)
    return _tally(session, period)


def _open_statements(
    session: Session,
    period: CommissionPeriod,
    due: ColumnElement[bool],
    kind: Beneficiary,
    preparer_id: int | None,
    currency: str,
    now: datetime,
) -> int:
    """One empty statement of ``period`` per beneficiary of ``kind`` with due lines."""
    who = _BY[kind][0]
    found = (
        select(who.label("who"))
        .where(due, Entry.beneficiary_type == kind.value, who.is_not(None))
        .distinct()
        .subquery()
    )
    values: dict[str, ColumnElement[Any]] = {
        "brand_id": literal(period.brand_id),
        "period_id": literal(period.id),
        "beneficiary_type": literal(kind.value),
        "guide_id": found.c.who if kind is Beneficiary.GUIDE else null(),
        "store_id": found.c.who if kind is Beneficiary.STORE else null(),
        "beneficiary_key": literal(f"{kind.value}:") + sql_cast(found.c.who, String),
        "entry_count": literal(0),
        "total": literal(0),
        "currency": literal(currency),
        "status": literal(StatementStatus.PREPARED.value),
        "prepared_by_id": literal(preparer_id, Integer),
        "prepared_at": literal(now, Statement.prepared_at.type),
    }
    statement = insert(Statement).from_select(list(values), select(*values.values()))
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def _join_lines(
    session: Session,
    period: CommissionPeriod,
    due: ColumnElement[bool],
    kind: Beneficiary,
    entry_column: Any,
    statement_column: Any,
) -> None:
    """Each due line of ``kind`` joins its beneficiary's statement of ``period``.

    One UPDATE ... FROM joining the period's statements: each line's statement is found by
    a join, not by a subquery run per line.
    """
    session.execute(
        update(Entry)
        .where(
            due,
            Entry.beneficiary_type == kind.value,
            Statement.period_id == period.id,
            Statement.beneficiary_type == kind.value,
            statement_column == entry_column,
        )
        .values(statement_id=Statement.id)
        .execution_options(synchronize_session=False)
    )


def _sum_statements(session: Session, period: CommissionPeriod, minimum_payout: int) -> None:
    """Totals from the lines that joined; under the minimum or negative: carried."""
    lines = select(func.count(Entry.id)).where(rare(Entry.statement_id == Statement.id))
    total = select(func.coalesce(func.sum(Entry.amount), 0)).where(
        rare(Entry.statement_id == Statement.id)
    )
    mine = Statement.period_id == period.id
    session.execute(
        update(Statement)
        .where(mine)
        .values(entry_count=lines.scalar_subquery(), total=total.scalar_subquery())
        .execution_options(synchronize_session=False)
    )
    session.execute(
        delete(Statement)
        .where(mine, Statement.entry_count == 0)
        .execution_options(synchronize_session=False)
    )
    carried = or_(Statement.total < 0, Statement.total < minimum_payout)
    session.execute(
        update(Statement)
        .where(mine, carried)
        .values(status=StatementStatus.CARRIED.value)
        .execution_options(synchronize_session=False)
    )


def _tally(session: Session, period: CommissionPeriod) -> CloseResult:
    prepared = Statement.status == StatementStatus.PREPARED.value
    row = session.execute(
        select(
            func.count(Statement.id),
            func.coalesce(func.sum(Statement.entry_count), 0),
            func.count(Statement.id).filter(prepared),
            func.coalesce(func.sum(Statement.total).filter(prepared), 0),
        ).where(Statement.period_id == period.id)
    ).one()
    count, entries, ready, total = (int(value) for value in row)
    return CloseResult(
        period=period,
        statements=count,
        prepared=ready,
        carried=count - ready,
        entries=entries,
        total=total,
    )
