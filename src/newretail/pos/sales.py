"""A till's sales by client id: taken once, placed, or kept as a conflict; and the sync.

place_sale   one sale (``POST /pos/orders`` or one of a sync batch). The client id is
             claimed first by inserting its row (unique per brand): a replay, even one
             racing the first on another connection, finds the row (waiting for the
             first to commit on PostgreSQL) and gets the first answer back. Then the
             sale is placed inside a savepoint; a refusal from the till online is an
             error (nothing kept), from a sync a conflict row (kept, never dropped).
sync         a batch from one register, each sale in a transaction of its own, so a
             server stopped mid-batch keeps what it took and the replay finishes it
get_sale     a sale by its client id, with its conflict as it stands now
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel import upserts, visibility
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import Scope
from newretail.pos import access, errors, rules, selling, shifts
from newretail.pos.models import PosSale, Register, SaleConflict, Shift
from newretail.pos.rules import SaleStatus, ShiftStatus
from newretail.pos.schemas import (
    ConflictRead,
    SaleCreate,
    SaleRead,
    TenderRead,
)


@dataclass(frozen=True, slots=True)
class Placed:
    """What a sale got: its answer, and whether it was a replay of an earlier one."""

    read: SaleRead
    replayed: bool


def _find(session: Session, brand_id: int, client_id: str) -> PosSale | None:
    return session.scalar(
        select(PosSale)
        .where(PosSale.brand_id == brand_id, PosSale.client_id == client_id)
        .execution_options(populate_existing=True)
    )


def _replay(found: PosSale, fingerprint: str) -> Placed:
    if found.fingerprint != fingerprint:
        raise errors.ClientIdReused()
    return Placed(SaleRead.model_validate(found.result), True)


@dataclass(frozen=True, slots=True)
class Claim:
    """A client id this transaction took: the sale's row, written before anything else."""

    id: int
    brand_id: int
    store_id: int
    client_id: str
    request: dict[str, Any]


def claim(session: Session, values: dict[str, Any]) -> Claim | None:
    """Insert the sale's row, or nothing if its client id is taken: None then.

    ``ON CONFLICT DO NOTHING``: on PostgreSQL a racing insert of the same id waits for the
    first transaction and, once it commits, inserts nothing; no error, no savepoint.
    """
    statement = (
        upserts.insert(session, PosSale)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["brand_id", "client_id"])
        .returning(PosSale.id)
    )
    sale_id = session.execute(statement).scalar()
    if sale_id is None:
        return None
    return Claim(
        int(sale_id), values["brand_id"], values["store_id"], values["client_id"], values["request"]
    )


def _values(
    scope: Scope, brand_id: int, body: dict[str, Any], fingerprint: str, **fields: Any
) -> dict[str, Any]:
    return {
        "brand_id": brand_id,
        "client_id": str(body["client_id"]),
        "fingerprint": fingerprint,
        "request": body,
        "result": {},
        "cashier_id": scope.actor_id,
        "created_at": utcnow(),
        "order_id": None,
        **fields,
    }


def place_sale(*, session: Session, scope: Scope, data: SaleCreate) -> Placed:
    """A sale from a till that is online: taken once; a refusal is an error, nothing kept."""
    access.require_till(scope)
    brand_id = access.brand_of(scope)
    body = data.model_dump(mode="json")
    fingerprint = rules.fingerprint(body)
    found = _find(session, brand_id, str(data.client_id))
    if found is not None:
        return _replay(found, fingerprint)
    shift = shifts.get_shift(session=session, scope=scope, shift_id=data.shift_id)
    return take(session, scope, data, shift, None, body, fingerprint, source="online")


def take(
    session: Session,
    scope: Scope,
    data: SaleCreate,
    shift: Shift | None,
    register: Register | None,
    body: dict[str, Any],
    fingerprint: str,
    *,
    source: str,
) -> Placed:
    """Claim the sale's client id, then place it (from a sync, a refusal is kept)."""
    where = shift or register
    assert where is not None  # a sync names its register; online, the shift was found
    values = _values(
        scope,
        where.brand_id,
        body,
        fingerprint,
        kind="sale",
        store_id=where.store_id,
        shift_id=shift.id if shift else None,
        register_id=shift.register_id if shift else where.id,
        source=source,
        status=SaleStatus.CONFLICT.value,
        device_time=data.device_time,
    )
    claimed = claim(session, values)
    if claimed is None:
        found = _find(session, where.brand_id, values["client_id"])
        assert found is not None
        return _replay(found, fingerprint)
    read = attempt(
        session,
        claimed,
        lambda: sell_as_made(session, scope, shift, data, claimed.id),
        raise_refusal=source == "online",
    )
    return Placed(read, False)


def once(
    *,
    session: Session,
    scope: Scope,
    client_id: str,
    body: dict[str, Any],
    kind: str,
    shift: Shift,
    work: Callable[[int], SaleRead],
) -> Placed:
    """Another till operation that takes money (a pre-sale's deposit or balance), taken
    once per client id like a sale; a refusal is an error, nothing kept."""
    access.require_till(scope)
    brand_id = access.brand_of(scope)
    fingerprint = rules.fingerprint(body)
    found = _find(session, brand_id, client_id)
    if found is not None:
        return _replay(found, fingerprint)
    if shift.status != ShiftStatus.OPEN.value:
        raise errors.ShiftNotOpen()
    values = _values(
        scope,
        brand_id,
        body,
        fingerprint,
        kind=kind,
        store_id=shift.store_id,
        shift_id=shift.id,
        register_id=shift.register_id,
        source="online",
        status=SaleStatus.PLACED.value,
        device_time=None,
    )
    claimed = claim(session, values)
    if claimed is None:
        found = _find(session, brand_id, client_id)
        assert found is not None
        return _replay(found, fingerprint)
    return Placed(attempt(session, claimed, lambda: work(claimed.id), raise_refusal=True), False)


def attempt(
    session: Session, sale: Claim, work: Callable[[], SaleRead], *, raise_refusal: bool
) -> SaleRead:
    """Run ``work`` in a savepoint; a refusal is raised, or kept as the sale's conflict."""
    try:
        with session.begin_nested():
            read = work()
    except DomainError as exc:
        if raise_refusal:
            raise
        read = _conflicted(session, sale, exc)
    session.execute(
        update(PosSale)
        .where(PosSale.id == sale.id)
        .values(status=read.status, order_id=read.order_id, result=read.model_dump(mode="json")),
        execution_options={"synchronize_session": False},
    )
    return read


def sell_as_made(
    session: Session,
    scope: Scope,
    shift: Shift | None,
    data: SaleCreate,
    sale_id: int,
    *,
    settling: bool = False,
) -> SaleRead:
    """The sale as the till made it; ``settling``: a manager places it again after the fact,
    into its own shift even if that has closed (its money was taken in it)."""
    if shift is None:
        raise errors.ShiftNotFound("The sale names a shift of another register or store.")
    if shift.status != ShiftStatus.OPEN.value and not settling:
        raise errors.ShiftNotOpen()
    request = selling.SaleRequest(
        shift.store_id,
        data.member_id,
        data.lines,
        data.offer_keys,
        data.discount,
        data.delivery,
        data.note,
        data.points,
    )
    draft = selling.draft_sale(session=session, scope=scope, request=request)
    selling.check_prices(draft, data.lines, data.total)
    lines = selling.tender_lines(data.tenders, draft.total)
    sold = selling.sell(
        session=session,
        scope=scope,
        shift=shift,
        draft=draft,
        tenders=data.tenders,
        lines=lines,
        reference=str(data.client_id),
        sale_id=sale_id,
    )
    return sold_read(str(data.client_id), sale_id, sold)


def sold_read(client_id: str, sale_id: int, sold: selling.Sold) -> SaleRead:
    order = sold.order
    completed = order.status == "completed"
    return SaleRead(
        client_id=client_id,
        status=(SaleStatus.COMPLETED if completed else SaleStatus.PLACED).value,
        sale_id=sale_id,
        order_id=order.id,
        order_number=order.number,
        order_status=order.status,
        total=order.total,
        change=rules.change_due(line for line, _ in sold.tenders),
        tenders=[
            TenderRead(
                method=line.method.value,
                amount=line.amount,
                tendered=line.tendered,
                change=line.change,
                payment_id=payment_id,
            )
            for line, payment_id in sold.tenders
        ],
        conflict=None,
        receipt_url=f"/api/v1/pos/sales/{sale_id}/receipt",
    )


def _conflicted(session: Session, sale: Claim, exc: DomainError) -> SaleRead:
    conflict = SaleConflict(
        brand_id=sale.brand_id,
        store_id=sale.store_id,
        sale_id=sale.id,
        code=exc.code,
        detail=exc.detail[:500],
        status=rules.ConflictStatus.OPEN.value,
        created_at=utcnow(),
    )
    session.add(conflict)
    session.flush()
    total = sale.request.get("total")
    return SaleRead(
        client_id=sale.client_id,
        status=SaleStatus.CONFLICT.value,
        sale_id=sale.id,
        order_id=None,
        order_number=None,
        order_status=None,
        total=int(total) if total is not None else 0,
        change=0,
        tenders=[],
        conflict=ConflictRead.model_validate(conflict),
        receipt_url=None,
    )


def _sale_query(scope: Scope) -> Select[PosSale]:
    return visibility.restrict(select(PosSale), scope, access.SALES)


def get_sale(*, session: Session, scope: Scope, sale_id: int) -> PosSale:
    found = session.scalar(_sale_query(scope).where(PosSale.id == sale_id))
    if found is None:
        raise errors.SaleNotFound()
    access.require_till(scope)
    return found


def sale_by_client_id(*, session: Session, scope: Scope, client_id: str) -> SaleRead:
    """The sale's first answer, its conflict as it stands now."""
    found = session.scalar(_sale_query(scope).where(PosSale.client_id == client_id))
    if found is None:
        raise errors.SaleNotFound()
    access.require_till(scope)
    read = SaleRead.model_validate(found.result)
    conflict = session.scalar(select(SaleConflict).where(SaleConflict.sale_id == found.id))
    if conflict is None:
        return read
    return read.model_copy(
        update={"conflict": ConflictRead.model_validate(conflict), "order_id": found.order_id}
    )
