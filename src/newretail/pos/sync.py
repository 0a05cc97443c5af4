"""A till's queue of offline sales, synced: each client id taken once, nothing dropped.

One read first, for the whole batch: the register, the shifts the sales name and which of
their client ids the server already took (a replay is answered from that read, with the
first answer, and costs no write). Then each new sale in a transaction of its own
(``sales.take``): a server stopped mid-batch keeps what it took, and the till's replay
finishes the rest. A sale that cannot be placed as the till made it is kept as a conflict.

A client id already taken for a different sale cannot be taken again: its result says
``client_id_reused`` with the first sale's answer, and the rest of the batch goes on.
"""

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.db import Database
from newretail.kernel import visibility
from newretail.kernel.scope import Scope
from newretail.pos import access, errors, rules, sales, shifts
from newretail.pos.models import PosSale, Register, Shift
from newretail.pos.schemas import SaleCreate, SaleRead, SyncBatch, SyncRead, SyncResult

REUSED = "client_id_reused"


def sync(*, database: Database, scope: Scope, data: SyncBatch) -> SyncRead:
    """A till's queued sales, oldest first; see the module docstring."""
    access.require_till(scope)
    brand_id = access.brand_of(scope)
    with database.transaction(read_only=True) as session:
        register, known, taken = _read_batch(session, scope, brand_id, data)
    results = []
    for sale in data.sales:
        body = sale.model_dump(mode="json")
        fingerprint = rules.fingerprint(body)
        first = taken.get(str(sale.client_id))
        if first is not None:
            results.append(_replayed(sale, first, fingerprint))
            continue
        shift = _shift_of(known, sale.shift_id, register)
        try:
            with database.transaction() as session:
                placed = sales.take(
                    session, scope, sale, shift, register, body, fingerprint, source="sync"
                )
        except errors.ClientIdReused:  # taken meanwhile, by another sale
            results.append(_reused(database, brand_id, sale))
            continue
        results.append(
            SyncResult(
                client_id=str(sale.client_id),
                status=placed.read.status,
                replayed=placed.replayed,
                sale=placed.read,
            )
        )
    return SyncRead(results=results)


def _read_batch(
    session: Session, scope: Scope, brand_id: int, data: SyncBatch
) -> tuple[Register, dict[int, Shift], dict[str, PosSale]]:
    register = shifts.get_register(session=session, scope=scope, register_id=data.register_id)
    shift_ids = {sale.shift_id for sale in data.sales}
    known = {
        shift.id: shift
        for shift in session.scalars(
            visibility.restrict(select(Shift), scope, access.SHIFTS).where(Shift.id.in_(shift_ids))
        )
    }
    client_ids = [str(sale.client_id) for sale in data.sales]
    taken = {
        found.client_id: found
        for found in session.scalars(
            select(PosSale).where(PosSale.brand_id == brand_id, PosSale.client_id.in_(client_ids))
        )
    }
    session.expunge_all()
    return register, known, taken


def _replayed(sale: SaleCreate, first: PosSale, fingerprint: str) -> SyncResult:
    read = SaleRead.model_validate(first.result)
    status = read.status if first.fingerprint == fingerprint else REUSED
    return SyncResult(client_id=str(sale.client_id), status=status, replayed=True, sale=read)


def _reused(database: Database, brand_id: int, sale: SaleCreate) -> SyncResult:
    with database.transaction(read_only=True) as session:
        first = session.scalars(
            select(PosSale).where(
                PosSale.brand_id == brand_id, PosSale.client_id == str(sale.client_id)
            )
        ).one()
        read = SaleRead.model_validate(first.result)
    return SyncResult(client_id=str(sale.client_id), status=REUSED, replayed=True, sale=read)


def _shift_of(known: Mapping[int, Shift], shift_id: int, register: Register) -> Shift | None:
    """The sale's shift, as it was when the batch came in; a shift of another store (or
    none the caller sees) is the sale's conflict (``shift_not_found``), not the batch's."""
    shift = known.get(shift_id)
    if shift is None or shift.store_id != register.store_id:
        return None
    return shift
