"""The only code that writes stock levels: guarded atomic UPDATEs, and the journal beside them.

Each function runs inside the caller's transaction and changes one (location, SKU) row in
one statement whose WHERE clause is the rule ("at least n available"), so two transactions
can never both see enough and both take it. On PostgreSQL an UPDATE locks its row until the
transaction ends, so what it RETURNS stays true for the rest of the transaction; on SQLite a
writing transaction holds the database's write lock from ``BEGIN IMMEDIATE`` on. Callers
that touch several rows do so in ascending (location_id, sku_id) order, so PostgreSQL
transactions wait for each other instead of deadlocking.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Table,
    Update,
    bindparam,
    case,
    exists,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.inventory import soldout
from newretail.inventory.errors import (
    InsufficientStock,
    InventoryInconsistent,
    StockChangedConcurrently,
)
from newretail.inventory.models import StockLevel, StockMovement
from newretail.inventory.rules import Key, MovementKind, available
from newretail.kernel import upserts
from newretail.kernel.direct import Direct
from newretail.kernel.scope import Scope
from newretail.outbox import service as outbox_service
from newretail.outbox.service import NewEvent

_NO_SYNC = {"synchronize_session": False}


@dataclass(frozen=True, slots=True)
class LevelRow:
    """A stock level as one statement left it."""

    id: int
    brand_id: int
    location_id: int
    sku_id: int
    on_hand: int
    reserved: int
    shortfall: int
    erp_seq: int | None

    @property
    def key(self) -> Key:
        return self.location_id, self.sku_id


_RETURNING = (
    StockLevel.id,
    StockLevel.brand_id,
    StockLevel.location_id,
    StockLevel.sku_id,
    StockLevel.on_hand,
    StockLevel.reserved,
    StockLevel.shortfall,
    StockLevel.erp_seq,
)


def _row(result: Any) -> LevelRow | None:
    row = result.one_or_none()
    return None if row is None else LevelRow(*row)


def _at(key: Key) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return StockLevel.location_id == key[0], StockLevel.sku_id == key[1]


_LEVELS = cast(Table, StockLevel.__table__)


def ensure_levels(session: Session, *, brand_id: int, keys: Iterable[Key]) -> None:
    """Create the missing levels (at zero) among ``keys``; existing ones are left alone.

    One single-row statement run for every key (compiled once, however many keys), not one
    statement of as many rows as keys, which would be compiled again for each new count."""
    now = utcnow()
    rows = [
        {
            "brand_id": brand_id,
            "location_id": loc,
            "sku_id": sku,
            "on_hand": 0,
            "reserved": 0,
            "shortfall": 0,
            "updated_at": now,
        }
        for loc, sku in sorted(set(keys))
    ]
    if not rows:
        return
    statement = upserts.insert(session, _LEVELS).on_conflict_do_nothing(
        index_elements=["location_id", "sku_id"]
    )
    session.execute(statement, rows)


def change(
    session: Session,
    *,
    key: Key,
    on_hand: int = 0,
    reserved: int = 0,
    need_available: int = 0,
    need_reserved: int = 0,
    need_on_hand: int = 0,
) -> LevelRow | None:
    """Add ``on_hand`` and ``reserved`` (either may be negative) if the guards hold, else None.

    The guards: at least ``need_available`` units available, ``need_reserved`` reserved and
    ``need_on_hand`` on hand. The shortfall only ever shrinks here, towards reserved - on_hand.
    """
    statement = _change_statement(bool(need_available), bool(need_reserved), bool(need_on_hand))
    params = {
        "k_location": key[0],
        "k_sku": key[1],
        "d_on_hand": on_hand,
        "d_reserved": reserved,
        "need_available": need_available,
        "need_reserved": need_reserved,
        "need_on_hand": need_on_hand,
        "p_now": utcnow(),
    }
    if on_hand > 0 or reserved < 0:  # units come back: a sold-out mark no longer holds
        soldout.forget(session, (key,))
    return _row(session.execute(statement, params, execution_options=_NO_SYNC))


@cache
def _change_statement(available: bool, reserved: bool, on_hand: bool) -> Update:
    """The guarded UPDATE for one combination of guards, built once (it is the hot path)."""
    return _guarded(available, reserved, on_hand).returning(*_RETURNING)


@cache
def _taken(available: bool, reserved: bool, on_hand: bool) -> Direct:
    """``_change_statement`` answering only the level's id: whether its guard held."""
    return Direct(_guarded(available, reserved, on_hand).returning(StockLevel.id))


def _guarded(available: bool, reserved: bool, on_hand: bool) -> Update:
    conditions = [
        StockLevel.location_id == bindparam("k_location"),
        StockLevel.sku_id == bindparam("k_sku"),
    ]
    if available:
        need = bindparam("need_available", type_=BigInteger())
        conditions.append(StockLevel.on_hand - StockLevel.reserved >= need)
    if reserved:
        conditions.append(StockLevel.reserved >= bindparam("need_reserved", type_=BigInteger()))
    if on_hand:
        conditions.append(StockLevel.on_hand >= bindparam("need_on_hand", type_=BigInteger()))
    return update(StockLevel).where(*conditions).values(**_changed())


def _changed() -> dict[str, Any]:
    """What ``change`` sets: on_hand and reserved moved by ``d_on_hand`` and ``d_reserved``,
    the shortfall only shrinking (towards reserved - on_hand), the time ``p_now``."""
    new_on_hand = _LEVELS.c.on_hand + bindparam("d_on_hand", type_=BigInteger())
    new_reserved = _LEVELS.c.reserved + bindparam("d_reserved", type_=BigInteger())
    over = new_reserved - new_on_hand
    return {
        "on_hand": new_on_hand,
        "reserved": new_reserved,
        "shortfall": case(
            (over <= 0, 0), (over < _LEVELS.c.shortfall, over), else_=_LEVELS.c.shortfall
        ),
        "updated_at": bindparam("p_now", type_=_LEVELS.c.updated_at.type),
    }


def insufficient(session: Session, key: Key, wanted: int) -> InsufficientStock:
    row = session.execute(
        select(StockLevel.on_hand, StockLevel.reserved).where(
            StockLevel.location_id == key[0], StockLevel.sku_id == key[1]
        )
    ).one_or_none()
    left = available(*row) if row else 0
    return InsufficientStock(
        f"SKU {key[1]} at location {key[0]}: {wanted} wanted, {left} available."
    )


def take_available(session: Session, *, key: Key, quantity: int) -> LevelRow:
    """Remove ``quantity`` unreserved units, or ``insufficient_stock``."""
    row = change(session, key=key, on_hand=-quantity, need_available=quantity)
    if row is None:
        raise insufficient(session, key, quantity)
    return row


def add_on_hand(session: Session, *, key: Key, quantity: int) -> LevelRow:
    """Add units to a level that ``stock.ensure_levels`` created in this transaction."""
    row = change(session, key=key, on_hand=quantity)
    if row is None:
        raise InventoryInconsistent(f"Level {key} vanished inside the transaction.")
    return row


def add_on_hand_many(
    session: Session, *, location_id: int, quantities: Mapping[int, int]
) -> dict[Key, LevelRow]:
    """Add ``quantities`` (SKU -> units) at one location to levels that ``ensure_levels``
    created in this transaction; the levels as the additions left them, by key.

    One UPDATE, compiled once, run for every SKU in ascending order (the order in which every
    writer takes levels), then the levels read back in one statement: what it reads stays
    true until the transaction ends (the rows are locked on PostgreSQL; the writer holds the
    database on SQLite). Adding has no guard, so no addition can be refused.
    """
    if not quantities:
        return {}
    now = utcnow()
    skus = sorted(quantities)
    params = [
        {
            "k_location": location_id,
            "k_sku": sku,
            "d_on_hand": quantities[sku],
            "d_reserved": 0,
            "p_now": now,
        }
        for sku in skus
    ]
    soldout.forget(session, ((location_id, sku) for sku in skus))
    session.execute(_add_statement(), params)
    read = select(*_RETURNING).where(
        StockLevel.location_id == location_id, StockLevel.sku_id.in_(skus)
    )
    levels = {row.key: row for row in (LevelRow(*r) for r in session.execute(read))}
    if len(levels) != len(skus):
        missing = sorted(set(skus) - {sku for _, sku in levels})
        raise InventoryInconsistent(
            f"Levels of SKUs {missing} at location {location_id} vanished inside the transaction."
        )
    return levels


@cache
def _add_statement() -> Update:
    """``change`` without a guard, on the table (so that a list of parameters runs it once
    for each, as the driver's executemany)."""
    at = _LEVELS.c.location_id == bindparam("k_location"), _LEVELS.c.sku_id == bindparam("k_sku")
    return update(_LEVELS).where(*at).values(**_changed())


def lock(session: Session, *, key: Key) -> LevelRow | None:
    """Lock a level for this transaction and read it, or None if there is no such level."""
    statement = update(StockLevel).where(*_at(key)).values(updated_at=utcnow())
    return _row(session.execute(statement.returning(*_RETURNING), execution_options=_NO_SYNC))


def claim_erp_sequence(session: Session, *, key: Key, seq: int) -> LevelRow | None:
    """Take ``seq`` as the level's newest ERP sequence (and lock it); None if it is not newer."""
    statement = (
        update(StockLevel)
        .where(*_at(key), or_(StockLevel.erp_seq.is_(None), StockLevel.erp_seq < seq))
        .values(erp_seq=seq, updated_at=utcnow())
        .returning(*_RETURNING)
    )
    return _row(session.execute(statement, execution_options=_NO_SYNC))


def set_on_hand(session: Session, *, level: LevelRow, on_hand: int) -> LevelRow:
    """Set an absolute on_hand on a level this transaction has locked; reservations stay."""
    statement = (
        update(StockLevel)
        .where(StockLevel.id == level.id, StockLevel.on_hand == level.on_hand)
        .values(
            on_hand=on_hand,
            shortfall=case((StockLevel.reserved > on_hand, StockLevel.reserved - on_hand), else_=0),
            updated_at=utcnow(),
        )
        .returning(*_RETURNING)
    )
    if on_hand > level.on_hand:
        soldout.forget(session, (level.key,))
    row = _row(session.execute(statement, execution_options=_NO_SYNC))
    if row is None:
        raise StockChangedConcurrently()
    return row


def record(
    session: Session,
    *,
    scope: Scope,
    level: LevelRow,
    kind: MovementKind,
    quantity: int,
    reference: tuple[str, str] | None = None,
    note: str = "",
) -> StockMovement | None:
    """Journal one change of on_hand (``level`` as the change left it); nothing for zero."""
    if quantity == 0:
        return None
    movement = StockMovement(
        brand_id=level.brand_id,
        location_id=level.location_id,
        sku_id=level.sku_id,
        kind=kind.value,
        quantity=quantity,
        on_hand_after=level.on_hand,
        reference_type=reference[0] if reference else None,
        reference_id=reference[1] if reference else None,
        actor_type=scope.actor_type,
        actor_id=scope.actor_id,
        note=note,
        created_at=utcnow(),
    )
    session.add(movement)
    return movement


# ---- sales in one statement per line ---------------------------------------------------
#
# A sale changes a level and journals it. On PostgreSQL both are one statement (the guarded
# UPDATE in a CTE, the movement inserted from what it RETURNS), so a sale's hot row is
# locked by the last statement of its transaction and held only until the commit. SQLite
# has no DML in CTEs; its writers hold the database lock from BEGIN IMMEDIATE anyway, so
# the movement is inserted first, from the level as the UPDATE will leave it, and the
# guarded UPDATE follows: when its guard fails, the caller's transaction is rolled back and
# the movement with it.

_MOVEMENT_COLUMNS = (
    "brand_id",
    "location_id",
    "sku_id",
    "kind",
    "quantity",
    "on_hand_after",
    "reference_type",
    "reference_id",
    "actor_type",
    "actor_id",
    "note",
    "created_at",
)


def _journal_params() -> list[Any]:
    return [
        bindparam("m_kind", type_=StockMovement.__table__.c.kind.type),
        bindparam("d_on_hand", type_=BigInteger()),
        bindparam("m_reference_type", type_=StockMovement.__table__.c.reference_type.type),
        bindparam("m_reference_id", type_=StockMovement.__table__.c.reference_id.type),
        bindparam("m_actor_type", type_=StockMovement.__table__.c.actor_type.type),
        bindparam("m_actor_id", type_=BigInteger()),
        bindparam("m_note", type_=StockMovement.__table__.c.note.type),
        bindparam("p_now", type_=StockMovement.__table__.c.created_at.type),
    ]


@cache
def _sale_statements(dialect: str, from_reserved: bool, events: bool) -> tuple[Direct, ...]:
    """The statements of one line of a sale on ``dialect``, built once (``events``: on
    PostgreSQL, with the outbox events of parameter ``events`` written if the guard held);
    the last answers a row if the guard held."""
    guards = (not from_reserved, from_reserved, from_reserved)
    change = _change_statement(*guards)
    kind, quantity, ref_type, ref_id, actor_type, actor_id, note, now = _journal_params()
    if dialect == "postgresql":
        level = change.cte("level")
        rows = select(
            level.c.brand_id,
            level.c.location_id,
            level.c.sku_id,
            kind,
            quantity,
            level.c.on_hand,
            ref_type,
            ref_id,
            actor_type,
            actor_id,
            note,
            now,
        )
        journal = insert(StockMovement).from_select(_MOVEMENT_COLUMNS, rows)
        if events:
            taken = exists(select(level.c.id))
            journal = journal.add_cte(outbox_service.rider(taken).cte("events"))
        return (Direct(journal.returning(StockMovement.id)),)
    rows = select(
        StockLevel.brand_id,
        StockLevel.location_id,
        StockLevel.sku_id,
        kind,
        quantity,
        StockLevel.on_hand + quantity,
        ref_type,
        ref_id,
        actor_type,
        actor_id,
        note,
        now,
    ).where(
        StockLevel.location_id == bindparam("k_location"),
        StockLevel.sku_id == bindparam("k_sku"),
    )
    return Direct(insert(StockMovement).from_select(_MOVEMENT_COLUMNS, rows)), _taken(*guards)


@dataclass(frozen=True, slots=True)
class Journal:
    """Who a movement is booked to, and for what."""

    reference: tuple[str, str]
    actor_type: str
    actor_id: int | None
    kind: MovementKind = MovementKind.SALE
    note: str = ""


def sell(
    session: Session,
    *,
    line: Key,
    quantity: int,
    held: bool,
    journal: Journal,
    events: Sequence[NewEvent] = (),
) -> bool:
    """Units leave the shelf with their movement: ``held`` ones from the reserved, else from
    the available; False (nothing changed on PostgreSQL, roll back on SQLite) if the guard
    does not hold. ``events`` are written first (on SQLite) or ride on the same statement
    (on PostgreSQL)."""
    params = {
        "k_location": line[0],
        "k_sku": line[1],
        "d_on_hand": -quantity,
        "d_reserved": -quantity if held else 0,
        "need_available": 0 if held else quantity,
        "need_reserved": quantity if held else 0,
        "need_on_hand": quantity if held else 0,
        "p_now": utcnow(),
        "m_kind": journal.kind.value,
        "m_reference_type": journal.reference[0],
        "m_reference_id": journal.reference[1],
        "m_actor_type": journal.actor_type,
        "m_actor_id": journal.actor_id,
        "m_note": journal.note,
    }
    connection = session.connection()
    riding = _with_events(session, connection, params, events)
    *before, last = _sale_statements(connection.dialect.name, held, riding)
    for statement in before:
        statement.run(connection, params)
    return last.first(connection, params) is not None


def hold_units(
    session: Session, *, line: Key, quantity: int, events: Sequence[NewEvent] = ()
) -> bool:
    """Reserve ``quantity`` available units of a level; False if there are not enough.
    ``events`` are written as ``sell`` writes them."""
    params = {
        "k_location": line[0],
        "k_sku": line[1],
        "d_on_hand": 0,
        "d_reserved": quantity,
        "need_available": quantity,
        "need_reserved": 0,
        "need_on_hand": 0,
        "p_now": utcnow(),
    }
    connection = session.connection()
    riding = _with_events(session, connection, params, events)
    statement = _hold_with_events() if riding else _taken(True, False, False)
    return statement.first(connection, params) is not None


def _with_events(
    session: Session, connection: Connection, params: dict[str, Any], events: Sequence[NewEvent]
) -> bool:
    """``events`` for the guarded statement about to run: in its ``events`` parameter on
    PostgreSQL, where the statement writes them if its guard holds (True), else written
    now, before it."""
    if events and connection.dialect.name == "postgresql":
        params["events"] = outbox_service.riding(session=session, events=events)
        return True
    outbox_service.append(session=session, events=events)
    return False


@cache
def _hold_with_events() -> Direct:
    """PostgreSQL: the guarded hold, and the events of parameter ``events`` if it held."""
    level = _change_statement(True, False, False).cte("level")
    events = outbox_service.rider(exists(select(level.c.id))).cte("events")
    return Direct(select(level.c.id).add_cte(events))
