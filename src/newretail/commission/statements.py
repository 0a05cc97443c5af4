"""Statements after a period is closed: reading them with their lines, approval by a second
person, payment, totals, and the CSV files for payroll (guides) and franchise invoicing
(stores).

    prepared --approve (not by its preparer)--> approved --mark paid--> paid
    carried: under the minimum payout or negative; its lines went on to a later statement

Approving settles the statement's lines that are still pending (a line cancelled since the
statement was prepared is left out, and the total follows); paying marks its settled lines
paid. Each step is one guarded UPDATE, so a statement is approved and paid at most once.
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.auth.models import RoleAssignment, Staff
from newretail.commission import settlement_errors as errors
from newretail.commission.models import (
    Beneficiary,
    CommissionEntry,
    CommissionPeriod,
    CommissionStatement,
    EntryStatus,
    StatementStatus,
)
from newretail.commission.settlement import get_period
from newretail.commission.settlement_access import (
    PAYERS,
    SETTLERS,
    STATEMENT_READERS,
    STATEMENTS,
    require_person,
    require_staff_or_key,
)
from newretail.commission.settlement_rules import major_units, text_cell
from newretail.db import utcnow
from newretail.kernel import bulk, visibility
from newretail.kernel.money import MINOR_UNIT_DIGITS
from newretail.kernel.pagination import paginate
from newretail.kernel.planner import rare
from newretail.kernel.scope import Role, Scope
from newretail.org import service as org_service
from newretail.org.models import Region, Store
from newretail.outbox import service as outbox_service

Entry = CommissionEntry
Statement = CommissionStatement


@dataclass(frozen=True)
class StatusTotal:
    status: str
    statements: int
    entries: int
    total: int


def statement_query(scope: Scope) -> Select[CommissionStatement]:
    return visibility.restrict(select(Statement), scope, STATEMENTS)


def get_statement(*, session: Session, scope: Scope, statement_id: int) -> CommissionStatement:
    require_staff_or_key(scope, *STATEMENT_READERS)
    found = session.scalar(
        statement_query(scope)
        .where(Statement.id == statement_id)
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise errors.StatementNotFound()
    return found


def list_statements(
    *,
    session: Session,
    scope: Scope,
    brand_id: int | None = None,
    period_id: int | None = None,
    status: str | None = None,
    beneficiary_type: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[CommissionStatement], str | None]:
    """Statements the caller may see, newest first, optionally of one period or status."""
    require_staff_or_key(scope, *STATEMENT_READERS)
    query = statement_query(scope)
    if brand_id is not None:
        org_service.get_brand(session=session, scope=scope, brand_id=brand_id)
        query = query.where(Statement.brand_id == brand_id)
    if period_id is not None:
        query = query.where(Statement.period_id == period_id)
    if status is not None:
        query = query.where(Statement.status == status)
    if beneficiary_type is not None:
        query = query.where(Statement.beneficiary_type == beneficiary_type)
    return paginate(
        session=session,
        query=query,
        id_column=Statement.id,
        cursor=cursor,
        limit=limit,
        descending=True,
    )


def statement_lines(*, session: Session, statement: CommissionStatement) -> list[CommissionEntry]:
    """The lines of a statement the caller has already been allowed to read."""
    return list(
        session.scalars(
            select(Entry)
            .where(rare(Entry.statement_id == statement.id))
            .order_by(Entry.earned_at, Entry.id)
        )
    )


def carried_into(*, session: Session, statement: CommissionStatement) -> CommissionStatement | None:
    """For a carried statement: the next statement of the same beneficiary, which took its
    lines (None while no later period has been closed)."""
    if statement.status != StatementStatus.CARRIED.value:
        return None
    later = (
        select(Statement)
        .join(CommissionPeriod, CommissionPeriod.id == Statement.period_id)
        .where(
            Statement.brand_id == statement.brand_id,
            Statement.beneficiary_key == statement.beneficiary_key,
            CommissionPeriod.starts_at
            > select(CommissionPeriod.starts_at)
            .where(CommissionPeriod.id == statement.period_id)
            .scalar_subquery(),
        )
        .order_by(CommissionPeriod.starts_at)
        .limit(1)
    )
    return session.scalar(later)


def totals_by_status(*, session: Session, scope: Scope, period_id: int) -> list[StatusTotal]:
    """Per status: how many statements of the period, their lines, and their sum (fen)."""
    get_period(session=session, scope=scope, period_id=period_id)
    visible = visibility.where(scope, STATEMENTS)
    rows = session.execute(
        select(
            Statement.status,
            func.count(Statement.id),
            func.coalesce(func.sum(Statement.entry_count), 0),
            func.coalesce(func.sum(Statement.total), 0),
        )
        .where(Statement.period_id == period_id, visible)
        .group_by(Statement.status)
        .order_by(Statement.status)
    )
    return [StatusTotal(s, int(c), int(e), int(t)) for s, c, e, t in rows]


# ---- approval and payment -------------------------------------------------------------


def approve_statement(
    *,
    session: Session,
    scope: Scope,
    statement_id: int,
    expected_total: int | None = None,
    now: datetime | None = None,
) -> CommissionStatement:
    """Approve a prepared statement (not one you prepared); its pending lines are settled."""
    statement = get_statement(session=session, scope=scope, statement_id=statement_id)
    require_staff_or_key(scope, *SETTLERS)
    approver = require_person(scope)
    if statement.prepared_by_id == approver:
        raise errors.OwnStatement()
    now = now or utcnow()
    approved = session.execute(
        update(Statement)
        .where(
            Statement.id == statement.id,
            Statement.status == StatementStatus.PREPARED.value,
            or_(Statement.prepared_by_id.is_(None), Statement.prepared_by_id != approver),
        )
        .values(status=StatementStatus.APPROVED.value, approved_by_id=approver, approved_at=now)
        .returning(Statement.id)
        .execution_options(synchronize_session=False)
    ).first()
    if approved is None:
        session.refresh(statement)
        raise errors.StatementNotPrepared()
    with bulk.roomy_cache(session):
        session.execute(
            update(Entry)
            .where(
                rare(Entry.statement_id == statement.id), Entry.status == EntryStatus.PENDING.value
            )
            .values(status=EntryStatus.SETTLED.value, settled_at=now)
            .execution_options(synchronize_session=False)
        )
        _resum(session, statement, EntryStatus.SETTLED)
    session.refresh(statement)
    if expected_total is not None and statement.total != expected_total:
        raise errors.StatementChanged()
    _record(session, scope, statement, "approved")
    return statement


def mark_paid(
    *, session: Session, scope: Scope, statement_id: int, now: datetime | None = None
) -> CommissionStatement:
    """Record that an approved statement was paid out; its lines become paid."""
    statement = get_statement(session=session, scope=scope, statement_id=statement_id)
    require_staff_or_key(scope, *PAYERS)
    now = now or utcnow()
    paid = session.execute(
        update(Statement)
        .where(Statement.id == statement.id, Statement.status == StatementStatus.APPROVED.value)
        .values(status=StatementStatus.PAID.value, paid_at=now)
        .returning(Statement.id)
        .execution_options(synchronize_session=False)
    ).first()
    if paid is None:
        raise errors.StatementNotApproved()
    session.execute(
        update(Entry)
        .where(rare(Entry.statement_id == statement.id), Entry.status == EntryStatus.SETTLED.value)
        .values(status=EntryStatus.PAID.value, paid_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(statement)
    _record(session, scope, statement, "paid")
    return statement


def _resum(session: Session, statement: CommissionStatement, status: EntryStatus) -> None:
    mine = (rare(Entry.statement_id == statement.id), Entry.status == status.value)
    session.execute(
        update(Statement)
        .where(Statement.id == statement.id)
        .values(
            entry_count=select(func.count(Entry.id)).where(*mine).scalar_subquery(),
            total=select(func.coalesce(func.sum(Entry.amount), 0)).where(*mine).scalar_subquery(),
        )
        .execution_options(synchronize_session=False)
    )


def _record(session: Session, scope: Scope, statement: CommissionStatement, what: str) -> None:
    details = {"total": statement.total, "entries": statement.entry_count}
    audit_service.write(
        session=session,
        scope=scope,
        action=f"commission.statement.{what}",
        target_type="commission_statement",
        target_id=statement.id,
        brand_id=statement.brand_id,
        details=details,
    )
    outbox_service.record(
        session=session,
        brand_id=statement.brand_id,
        type=f"commission.statement.{what}",
        resource_type="commission_statement",
        resource_id=statement.id,
        payload={
            "statement_id": statement.id,
            "period_id": statement.period_id,
            "beneficiary": statement.beneficiary_key,
            "currency": statement.currency,
            **details,
        },
    )


# ---- CSV ------------------------------------------------------------------------------

PAYROLL_HEADER = [
    "period_from", "period_to", "statement_id", "guide_id", "username", "guide_name",
    "store_codes", "lines", "amount", "currency", "status",
]  # fmt: skip
INVOICING_HEADER = [
    "period_from", "period_to", "statement_id", "store_id", "store_code", "store_name",
    "store_type", "region", "lines", "amount", "currency", "status",
]  # fmt: skip


def export_csv(
    *, session: Session, scope: Scope, period_id: int, beneficiary: Beneficiary
) -> tuple[str, bytes]:
    """The file name and CSV of a period's payable statements (carried ones are left out):
    guides for payroll, stores for franchise invoicing; amounts in major units, exact."""
    period = get_period(session=session, scope=scope, period_id=period_id)
    brand = org_service.get_brand(session=session, scope=scope, brand_id=period.brand_id)
    zone = ZoneInfo(brand.timezone)
    first = period.starts_at.astimezone(zone).date().isoformat()
    last = (period.ends_at.astimezone(zone) - timedelta(days=1)).date().isoformat()
    query = (
        statement_query(scope)
        .where(
            Statement.period_id == period.id,
            Statement.beneficiary_type == beneficiary.value,
            Statement.status != StatementStatus.CARRIED.value,
        )
        .order_by(Statement.id)
    )
    statements = list(session.scalars(query))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if beneficiary is Beneficiary.GUIDE:
        writer.writerow(PAYROLL_HEADER)
        rows = _guide_rows(session, statements)
        name = "payroll"
    else:
        writer.writerow(INVOICING_HEADER)
        rows = _store_rows(session, statements)
        name = "invoicing"
    for statement, cells in zip(statements, rows, strict=True):
        digits = MINOR_UNIT_DIGITS.get(statement.currency, 2)
        writer.writerow(
            [
                first,
                last,
                statement.id,
                *cells,
                statement.entry_count,
                major_units(statement.total, digits),
                statement.currency,
                statement.status,
            ]
        )
    filename = f"{brand.code}-{name}-{first}-{last}.csv"
    return filename, ("\ufeff" + out.getvalue()).encode("utf-8")


def _guide_rows(session: Session, statements: list[CommissionStatement]) -> list[list[Any]]:
    ids = sorted({s.guide_id for s in statements if s.guide_id is not None})
    staff = {
        row.id: row
        for row in session.execute(
            select(Staff.id, Staff.username, Staff.display_name).where(Staff.id.in_(ids))
        )
    }
    codes: dict[int, list[str]] = {}
    for staff_id, code in session.execute(
        select(RoleAssignment.staff_id, Store.code)
        .join(Store, Store.id == RoleAssignment.store_id)
        .where(RoleAssignment.staff_id.in_(ids), RoleAssignment.role == Role.GUIDE.value)
        .order_by(Store.code)
    ):
        codes.setdefault(staff_id, []).append(code)
    rows = []
    for s in statements:
        who = staff.get(cast(int, s.guide_id))
        rows.append(
            [
                s.guide_id,
                text_cell(who.username if who else ""),
                text_cell(who.display_name if who else ""),
                text_cell(" ".join(codes.get(cast(int, s.guide_id), []))),
            ]
        )
    return rows


def _store_rows(session: Session, statements: list[CommissionStatement]) -> list[list[Any]]:
    ids = sorted({s.store_id for s in statements if s.store_id is not None})
    stores = {
        row.id: row
        for row in session.execute(
            select(Store.id, Store.code, Store.name, Store.type, Region.name.label("region"))
            .join(Region, Region.id == Store.region_id)
            .where(Store.id.in_(ids))
        )
    }
    rows = []
    for s in statements:
        store = stores.get(cast(int, s.store_id))
        rows.append(
            [
                s.store_id,
                text_cell(store.code if store else ""),
                text_cell(store.name if store else ""),
                store.type if store else "",
                text_cell(store.region if store else ""),
            ]
        )
    return rows
