"""Conflicts of synced sales: listed for the store's managers and settled by them, audited.

    retry    the sale placed again now, as the till made it (its prices checked again)
    honour   the sale placed at the amounts the till took: the best offers available now,
             a store discount making up what the till charged less, tenders cut down from
             the last one where it charged more
    void     no order; the money is dealt with outside (the note says how)

A retry or an honour that is still refused answers with the refusal's code and leaves the
conflict open. Either places the order in the sale's own shift, closed or not: the money
was taken in it, so its report balances once the conflict is settled.
"""

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.db import utcnow
from newretail.kernel import visibility
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Scope
from newretail.pos import access, errors, rules, sales, selling
from newretail.pos.models import PosSale, SaleConflict, Shift
from newretail.pos.rules import ConflictStatus, Resolution
from newretail.pos.schemas import ConflictDetail, ConflictRead, SaleCreate, TenderCreate

_NO_SYNC = {"synchronize_session": False}


def _query(scope: Scope) -> Select[SaleConflict]:
    return visibility.restrict(select(SaleConflict), scope, access.CONFLICTS)


def get_conflict(*, session: Session, scope: Scope, conflict_id: int) -> SaleConflict:
    found = session.scalar(
        _query(scope)
        .where(SaleConflict.id == conflict_id)
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise errors.ConflictNotFound()
    access.require_till(scope)
    return found


def list_conflicts(
    *,
    session: Session,
    scope: Scope,
    store_id: int | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[SaleConflict], str | None]:
    access.require_till(scope)
    query = _query(scope)
    if store_id is not None:
        query = query.where(SaleConflict.store_id == store_id)
    if status is not None:
        query = query.where(SaleConflict.status == status)
    return paginate(
        session=session, query=query, id_column=SaleConflict.id, cursor=cursor, limit=limit
    )


def details(*, session: Session, conflicts: list[SaleConflict]) -> list[ConflictDetail]:
    """Each conflict with the sale the till sent."""
    ids = [c.sale_id for c in conflicts]
    found = {s.id: s for s in session.scalars(select(PosSale).where(PosSale.id.in_(ids)))}
    return [
        ConflictDetail(
            **ConflictRead.model_validate(c).model_dump(),
            client_id=found[c.sale_id].client_id,
            store_id=c.store_id,
            register_id=found[c.sale_id].register_id,
            shift_id=found[c.sale_id].shift_id,
            device_time=found[c.sale_id].device_time,
            sale=found[c.sale_id].request,
        )
        for c in conflicts
    ]


def settle(
    *, session: Session, scope: Scope, conflict_id: int, resolution: str, note: str
) -> SaleConflict:
    conflict = get_conflict(session=session, scope=scope, conflict_id=conflict_id)
    access.require_manager(scope)
    if conflict.status != ConflictStatus.OPEN.value:
        raise errors.ConflictSettled()
    sale = session.get(PosSale, conflict.sale_id)
    assert sale is not None
    order_id = None
    if resolution != Resolution.VOID:
        order_id = _place(session, scope, sale, Resolution(resolution))
    now = utcnow()
    _close(session, conflict, resolution, note, order_id, scope.actor_id, now)
    if order_id is not None:
        sale.order_id = order_id
    audit_service.write(
        session=session,
        scope=scope,
        action="pos.conflict_settled",
        target_type="pos_conflict",
        target_id=conflict.id,
        brand_id=conflict.brand_id,
        details={"resolution": resolution, "note": note, "code": conflict.code, "order": order_id},
    )
    session.refresh(conflict)
    return conflict


def _close(
    session: Session,
    conflict: SaleConflict,
    resolution: str,
    note: str,
    order_id: int | None,
    actor_id: int | None,
    now: datetime,
) -> None:
    moved = session.execute(
        update(SaleConflict)
        .where(SaleConflict.id == conflict.id, SaleConflict.status == ConflictStatus.OPEN.value)
        .values(
            status=ConflictStatus.SETTLED.value,
            resolution=resolution,
            note=note,
            order_id=order_id,
            settled_by_id=actor_id,
            settled_at=now,
        )
        .returning(SaleConflict.id),
        execution_options=_NO_SYNC,
    ).first()
    if moved is None:
        raise errors.ConflictSettled()


def _place(session: Session, scope: Scope, sale: PosSale, resolution: Resolution) -> int:
    data = SaleCreate.model_validate(sale.request)
    shift = session.get(Shift, sale.shift_id) if sale.shift_id is not None else None
    if resolution is Resolution.RETRY:
        read = sales.sell_as_made(session, scope, shift, data, sale.id, settling=True)
        assert read.order_id is not None
        return read.order_id
    if shift is None:
        raise errors.ShiftNotFound("The sale names no shift of this store; void it.")
    return _honour(session, scope, shift, sale, data)


def _honour(session: Session, scope: Scope, shift: Shift, sale: PosSale, data: SaleCreate) -> int:
    paid = sum(t.amount for t in data.tenders)
    charged = data.total if data.total is not None else paid
    request = selling.SaleRequest(
        shift.store_id,
        data.member_id,
        data.lines,
        None,
        data.discount,
        data.delivery,
        data.note,
        data.points,
    )
    draft = selling.draft_sale(session=session, scope=scope, request=request)
    if draft.total > charged:
        gap = draft.total - charged
        request = replace(
            request,
            offer_keys=draft.combination.keys if draft.combination else [],
            discount=data.discount + gap,
        )
        draft = selling.draft_sale(session=session, scope=scope, request=request)
    try:
        lines = [rules.tender_line(t.method, t.amount, t.tendered) for t in data.tenders]
        fitted = rules.fit_tenders(lines, draft.total)
    except rules.InvalidTender as exc:
        raise errors.InvalidTender(str(exc)) from exc
    kept = [(t, line) for t, line in zip(data.tenders, fitted, strict=True) if line.amount > 0]
    tenders: list[TenderCreate] = [t for t, _ in kept]
    sold = selling.sell(
        session=session,
        scope=scope,
        shift=shift,
        draft=draft,
        tenders=tenders,
        lines=[line for _, line in kept],
        reference=sale.client_id,
        sale_id=sale.id,
    )
    return sold.order.id
