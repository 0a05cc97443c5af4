"""Registers and shifts: a store's tills, and a cashier's session on one from float to count.

create_register       managers give a store a till
open_shift            one open shift per register (a unique column holds it, so two
                      cashiers opening at once cannot both win)
close_shift           refused while the till holds unsynced sales; the counted amounts
                      kept; closing twice is ``shift_already_closed``
report                expected against counted per method (``rules.report``)
reopen_shift          managers, with a reason written to the audit log
"""

from collections.abc import Sequence

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.db import utcnow
from newretail.kernel import visibility
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Scope
from newretail.orders import service as orders_service
from newretail.org import service as org_service
from newretail.pos import access, errors, rules
from newretail.pos.models import PosSale, Register, Shift, TillEntry
from newretail.pos.rules import ShiftStatus
from newretail.pos.schemas import RegisterCreate, ShiftClose

_NO_SYNC = {"synchronize_session": False}


# ---- registers ------------------------------------------------------------------------


def create_register(*, session: Session, scope: Scope, data: RegisterCreate) -> Register:
    access.require_manager(scope)
    store = org_service.get_store(session=session, scope=scope, store_id=data.store_id)
    taken = select(Register.id).where(Register.store_id == store.id, Register.code == data.code)
    if session.scalar(taken) is not None:
        raise errors.RegisterCodeTaken()
    register = Register(brand_id=store.brand_id, store_id=store.id, code=data.code, name=data.name)
    session.add(register)
    session.flush()
    return register


def register_query(scope: Scope) -> Select[Register]:
    return visibility.restrict(select(Register), scope, access.REGISTERS)


def get_register(*, session: Session, scope: Scope, register_id: int) -> Register:
    found = session.scalar(register_query(scope).where(Register.id == register_id))
    if found is None:
        raise errors.RegisterNotFound()
    access.require_till(scope)
    return found


def list_registers(
    *, session: Session, scope: Scope, store_id: int | None, cursor: str | None, limit: int
) -> tuple[list[Register], str | None]:
    access.require_till(scope)
    query = register_query(scope)
    if store_id is not None:
        query = query.where(Register.store_id == store_id)
    return paginate(session=session, query=query, id_column=Register.id, cursor=cursor, limit=limit)


def open_shifts_of(*, session: Session, register_ids: Sequence[int]) -> dict[int, int]:
    """The open shift of each register that has one."""
    if not register_ids:
        return {}
    rows = session.execute(
        select(Shift.register_id, Shift.id).where(Shift.open_register_id.in_(register_ids))
    )
    return {int(register): int(shift) for register, shift in rows}


# ---- shifts ---------------------------------------------------------------------------


def get_shift(*, session: Session, scope: Scope, shift_id: int) -> Shift:
    query = visibility.restrict(select(Shift), scope, access.SHIFTS).where(Shift.id == shift_id)
    found = session.scalar(query.execution_options(populate_existing=True))
    if found is None:
        raise errors.ShiftNotFound()
    access.require_till(scope)
    return found


def list_shifts(
    *,
    session: Session,
    scope: Scope,
    register_id: int | None,
    store_id: int | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Shift], str | None]:
    access.require_till(scope)
    query = visibility.restrict(select(Shift), scope, access.SHIFTS)
    if register_id is not None:
        query = query.where(Shift.register_id == register_id)
    if store_id is not None:
        query = query.where(Shift.store_id == store_id)
    if status is not None:
        query = query.where(Shift.status == status)
    return paginate(
        session=session,
        query=query,
        id_column=Shift.id,
        cursor=cursor,
        limit=limit,
        descending=True,
    )


def open_shift(*, session: Session, scope: Scope, register_id: int, opening_float: int) -> Shift:
    register = get_register(session=session, scope=scope, register_id=register_id)
    if not register.active:
        raise errors.RegisterInactive()
    _check_free(session, register.id)
    shift = Shift(
        brand_id=register.brand_id,
        store_id=register.store_id,
        register_id=register.id,
        open_register_id=register.id,
        status=ShiftStatus.OPEN.value,
        currency=orders_service.brand_currency(session=session, brand_id=register.brand_id),
        opening_float=opening_float,
        counted={},
        opened_by_id=scope.actor_id,
        opened_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(shift)
            session.flush()
    except IntegrityError as exc:  # another shift was opened on the register meanwhile
        raise errors.ShiftAlreadyOpen() from exc
    return shift


def _check_free(session: Session, register_id: int) -> None:
    open_id = session.scalar(select(Shift.id).where(Shift.open_register_id == register_id))
    if open_id is not None:
        raise errors.ShiftAlreadyOpen(f"Shift {open_id} is open on this register.")


def close_shift(*, session: Session, scope: Scope, shift_id: int, data: ShiftClose) -> Shift:
    """Close with the counted amounts; refused while the till holds unsynced sales."""
    shift = get_shift(session=session, scope=scope, shift_id=shift_id)
    if shift.status == ShiftStatus.CLOSED.value:
        raise errors.ShiftAlreadyClosed()
    pending = [str(i) for i in data.pending_client_ids]
    taken: list[str] = []
    if pending:
        taken = list(
            session.scalars(
                select(PosSale.client_id).where(
                    PosSale.brand_id == shift.brand_id, PosSale.client_id.in_(pending)
                )
            )
        )
    left = rules.unsynced(data.pending_count, pending, taken)
    if left:
        raise errors.UnsyncedSales(f"{left} sale(s) still on the till; sync them first.")
    now = utcnow()
    closed = session.execute(
        update(Shift)
        .where(Shift.id == shift.id, Shift.status == ShiftStatus.OPEN.value)
        .values(
            status=ShiftStatus.CLOSED.value,
            open_register_id=None,
            counted={str(m): int(v) for m, v in data.counted.items()},
            note=data.note,
            closed_by_id=scope.actor_id,
            closed_at=now,
        )
        .returning(Shift.id),
        execution_options=_NO_SYNC,
    ).first()
    if closed is None:
        raise errors.ShiftAlreadyClosed()
    session.refresh(shift)
    return shift


def reopen_shift(*, session: Session, scope: Scope, shift_id: int, reason: str) -> Shift:
    """A manager opens a closed shift again (a miscount); the reason is audited."""
    shift = get_shift(session=session, scope=scope, shift_id=shift_id)
    access.require_manager(scope)
    if shift.status != ShiftStatus.CLOSED.value:
        raise errors.ShiftNotClosed()
    _check_free(session, shift.register_id)
    try:
        with session.begin_nested():
            moved = session.execute(
                update(Shift)
                .where(Shift.id == shift.id, Shift.status == ShiftStatus.CLOSED.value)
                .values(
                    status=ShiftStatus.OPEN.value,
                    open_register_id=shift.register_id,
                    reopen_count=Shift.reopen_count + 1,
                )
                .returning(Shift.id),
                execution_options=_NO_SYNC,
            ).first()
    except IntegrityError as exc:
        raise errors.ShiftAlreadyOpen() from exc
    if moved is None:
        raise errors.ShiftNotClosed()
    audit_service.write(
        session=session,
        scope=scope,
        action="pos.shift_reopened",
        target_type="pos_shift",
        target_id=shift.id,
        brand_id=shift.brand_id,
        details={"reason": reason, "counted": shift.counted, "closed_at": str(shift.closed_at)},
    )
    session.refresh(shift)
    return shift


# ---- the report -----------------------------------------------------------------------


def tallies(*, session: Session, shift_id: int) -> dict[str, rules.Tally]:
    """What went through the shift's till, per method."""
    e = TillEntry
    rows = session.execute(
        select(e.method, e.kind, func.sum(e.tendered), func.sum(e.change), func.sum(e.amount))
        .where(e.shift_id == shift_id)
        .group_by(e.method, e.kind)
    )
    found: dict[str, rules.Tally] = {}
    for method, kind, tendered, change, amount in rows:
        tally = found.get(method, rules.Tally())
        if kind == "refund":
            tally = rules.Tally(tally.taken, tally.change, tally.refunded + int(amount))
        else:
            taken = int(tendered) if method == rules.TenderMethod.CASH else int(amount)
            tally = rules.Tally(tally.taken + taken, tally.change + int(change), tally.refunded)
        found[method] = tally
    return found


def sales_summary(*, session: Session, shift_id: int) -> tuple[int, int, int]:
    """(sales, their total, refunds' total) of the shift."""
    e = TillEntry
    sales = session.execute(
        select(func.count(func.distinct(e.order_id)), func.coalesce(func.sum(e.amount), 0)).where(
            e.shift_id == shift_id, e.kind == "sale"
        )
    ).one()
    refunds = session.scalar(
        select(func.coalesce(func.sum(e.amount), 0)).where(
            e.shift_id == shift_id, e.kind == "refund"
        )
    )
    return int(sales[0]), int(sales[1]), int(refunds or 0)


def report(
    *, session: Session, scope: Scope, shift_id: int
) -> tuple[Shift, list[rules.MethodLine], tuple[int, int, int]]:
    shift = get_shift(session=session, scope=scope, shift_id=shift_id)
    counted = shift.counted if shift.status == ShiftStatus.CLOSED.value else None
    lines = rules.report(shift.opening_float, tallies(session=session, shift_id=shift.id), counted)
    return shift, lines, sales_summary(session=session, shift_id=shift.id)
