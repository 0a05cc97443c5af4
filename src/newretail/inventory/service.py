"""The inventory's use cases, for routers, the worker and other domains (import only this module).

    service.py       levels, movements (receipt, return, adjustment, count), transfers,
                     availability and the journal check
    reservations.py  reserve, commit, release, expire
    holds.py         the lean hold of an order (open_hold + hold_units, commit_hold) and
                     a sale without a hold (sell_units): stock statements last
    sync.py          absolute levels pushed by the brand's ERP, in sequence order
    jobs.py          the worker job that releases expired reservations
    stock.py         the guarded atomic statements every change goes through

Who may do what: every member of staff reads the stock of the locations they see (brand-
wide roles all, region managers their subtree, store staff their store); managers and
integration keys record movements and transfers; cashiers too may reserve, commit, release
and take returns; only brand admins and integration keys push ERP levels.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Select, bindparam, func, select, tuple_
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.inventory import access, errors, rules, stock
from newretail.inventory.holds import commit_hold, hold_units, open_hold, sell_units
from newretail.inventory.models import StockLevel, StockMovement, StockTransfer
from newretail.inventory.reservations import (
    commit_reservation,
    expire_due,
    get_reservation,
    get_reservation_by_reference,
    release_reservation,
    reserve,
)
from newretail.inventory.rules import JournalMismatch, Key, MovementKind
from newretail.inventory.schemas import (
    AdjustmentLine,
    CountLine,
    MovementCreate,
    QuantityLine,
    StockWarning,
    TransferCreate,
)
from newretail.inventory.soldout import marks_of as sold_out_marks
from newretail.inventory.stock import Journal
from newretail.inventory.sync import sync_levels
from newretail.kernel import visibility
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Scope

__all__ = [
    "Journal",
    "MovementOutcome",
    "available",
    "commit_hold",
    "commit_reservation",
    "expire_due",
    "get_reservation",
    "get_reservation_by_reference",
    "hold_units",
    "journal_mismatches",
    "level_columns",
    "list_levels",
    "list_movements",
    "open_hold",
    "record_movements",
    "release_reservation",
    "reserve",
    "sell_units",
    "sold_out_marks",
    "sync_levels",
    "transfer",
]

MovementLine = QuantityLine | AdjustmentLine | CountLine
# Corrections made by people; receipts, returns and sales have their own papers.
AUDITED_KINDS = frozenset({MovementKind.ADJUSTMENT, MovementKind.COUNT})
T = TypeVar("T")

# ---- reading --------------------------------------------------------------------------


def _visible(
    query: Select[T], scope: Scope, model: type[StockLevel] | type[StockMovement]
) -> Select[T]:
    return visibility.restrict(query, scope, access.at_locations(model))


def list_levels(
    *,
    session: Session,
    scope: Scope,
    cursor: str | None,
    limit: int,
    location_id: int | None = None,
    sku_id: int | None = None,
    below: int | None = None,
) -> tuple[list[StockLevel], str | None]:
    """Levels the caller sees; ``below`` keeps those with fewer than that many available."""
    query = _visible(select(StockLevel), scope, StockLevel)
    if location_id is not None:
        query = query.where(StockLevel.location_id == location_id)
    if sku_id is not None:
        query = query.where(StockLevel.sku_id == sku_id)
    if below is not None:
        query = query.where(StockLevel.on_hand - StockLevel.reserved < below)
    return paginate(
        session=session, query=query, id_column=StockLevel.id, cursor=cursor, limit=limit
    )


def list_movements(
    *,
    session: Session,
    scope: Scope,
    cursor: str | None,
    limit: int,
    location_id: int | None = None,
    sku_id: int | None = None,
    kind: MovementKind | None = None,
    newest_first: bool = False,
) -> tuple[list[StockMovement], str | None]:
    """The journal as the caller sees it, oldest first (or newest first)."""
    query = _visible(select(StockMovement), scope, StockMovement)
    if location_id is not None:
        query = query.where(StockMovement.location_id == location_id)
    if sku_id is not None:
        query = query.where(StockMovement.sku_id == sku_id)
    if kind is not None:
        query = query.where(StockMovement.kind == kind.value)
    return paginate(
        session=session,
        query=query,
        id_column=StockMovement.id,
        cursor=cursor,
        limit=limit,
        descending=newest_first,
    )


def available(
    *,
    session: Session,
    brand_id: int,
    sku_ids: Iterable[int],
    location_ids: Iterable[int],
    kept: bool = False,
    connection: Connection | None = None,
) -> dict[Key, int]:
    """Units available now for every (location, SKU) asked about; zero where none are kept
    (``kept``: only those a location keeps a stock level for, none for the others), read on
    ``connection`` if given, else the session's."""
    skus, locations = set(sku_ids), set(location_ids)
    asked = [(loc, sku) for loc in locations for sku in skus]
    result: dict[Key, int] = {} if kept else dict.fromkeys(asked, 0)
    if not asked:
        return result
    if len(asked) == 1:  # a pickup of one SKU: the hot path, no list to expand
        ((location, sku),) = asked
        params: dict[str, Any] = {"brand": brand_id, "location": location, "sku": sku}
        statement = _AVAILABLE_ONE
    else:
        params = {"brand": brand_id, "locations": sorted(locations), "skus": sorted(skus)}
        statement = _AVAILABLE
    rows = (connection or session.connection()).execute(statement, params)
    for loc, sku, on_hand, reserved in rows:
        result[(loc, sku)] = rules.available(on_hand, reserved)
    return result


def level_columns() -> tuple[Any, Any]:
    """The units on hand and reserved of one level (NULL where none is kept), as columns for
    another statement: parameters ``brand``, ``level_location`` and ``level_sku``."""
    return _LEVEL_ON_HAND, _LEVEL_RESERVED


_LEVEL_COLUMNS = (
    StockLevel.location_id,
    StockLevel.sku_id,
    StockLevel.on_hand,
    StockLevel.reserved,
)
_AVAILABLE = select(*_LEVEL_COLUMNS).where(
    StockLevel.brand_id == bindparam("brand"),
    StockLevel.location_id.in_(bindparam("locations", expanding=True)),
    StockLevel.sku_id.in_(bindparam("skus", expanding=True)),
)
_AVAILABLE_ONE = select(*_LEVEL_COLUMNS).where(
    StockLevel.brand_id == bindparam("brand"),
    StockLevel.location_id == bindparam("location"),
    StockLevel.sku_id == bindparam("sku"),
)


def levels_at(*, session: Session, keys: Iterable[Key]) -> list[StockLevel]:
    """The current levels at ``keys`` (re-read, not from the session's cache), in key order."""
    wanted = sorted(set(keys))
    if not wanted:
        return []
    query = (
        select(StockLevel)
        .where(tuple_(StockLevel.location_id, StockLevel.sku_id).in_(wanted))
        .order_by(StockLevel.location_id, StockLevel.sku_id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def journal_mismatches(
    *,
    session: Session,
    brand_id: int | None = None,
    location_ids: Iterable[int] | None = None,
) -> list[JournalMismatch]:
    """Levels whose on_hand is not the sum of their journal: empty unless something is wrong."""
    levels = select(StockLevel.location_id, StockLevel.sku_id, StockLevel.on_hand)
    totals = select(
        StockMovement.location_id, StockMovement.sku_id, func.sum(StockMovement.quantity)
    ).group_by(StockMovement.location_id, StockMovement.sku_id)
    if brand_id is not None:
        levels = levels.where(StockLevel.brand_id == brand_id)
        totals = totals.where(StockMovement.brand_id == brand_id)
    if location_ids is not None:
        ids = set(location_ids)
        levels = levels.where(StockLevel.location_id.in_(ids))
        totals = totals.where(StockMovement.location_id.in_(ids))
    on_hand = {(loc, sku): n for loc, sku, n in session.execute(levels)}
    journal = {(loc, sku): int(n) for loc, sku, n in session.execute(totals)}
    return rules.journal_mismatches(on_hand, journal)


# ---- movements ------------------------------------------------------------------------


@dataclass
class MovementOutcome:
    movements: list[StockMovement]
    levels: list[StockLevel]
    warnings: list[StockWarning] = field(default_factory=list)


def record_movements(*, session: Session, scope: Scope, data: MovementCreate) -> MovementOutcome:
    """Apply one receipt, return, adjustment or count at one location: every line or none."""
    scope.require(*(access.RESERVERS if data.kind == "return" else access.MANAGERS))
    brands = access.locations(session=session, scope=scope, location_ids=[data.location_id])
    brand_id = brands[data.location_id]
    keys = [(data.location_id, line.sku_id) for line in data.lines]
    rules.check_distinct(keys)
    access.check_skus(session=session, brand_id=brand_id, sku_ids=[k[1] for k in keys])
    kind = MovementKind(data.kind)
    reference = (data.reference_type or "manual", data.reference_id) if data.reference_id else None
    outcome = MovementOutcome(movements=[], levels=[])
    # The movements are journalled together at the flush below (one INSERT), not each
    # before the next line's UPDATE.
    with session.begin_nested(), session.no_autoflush:
        stock.ensure_levels(session, brand_id=brand_id, keys=keys)
        lines: list[MovementLine] = sorted(data.lines, key=lambda line: line.sku_id)
        added = _added_at_once(session, data.location_id, lines)
        for line in lines:
            key = (data.location_id, line.sku_id)
            if added is not None:
                row, delta = added[key], _delta(line)
            else:
                row, delta = _apply_line(session, key, line, outcome)
            movement = stock.record(
                session,
                scope=scope,
                level=row,
                kind=kind,
                quantity=delta,
                reference=reference,
                note=data.note,
            )
            outcome.movements.extend([movement] if movement else [])
        session.flush()
    if kind in AUDITED_KINDS:
        _audit(
            session, scope, f"stock.{kind.value}", brand_id, data.location_id, outcome, data.note
        )
    outcome.levels = levels_at(session=session, keys=keys)
    return outcome


def _audit(
    session: Session,
    scope: Scope,
    action: str,
    brand_id: int,
    location_id: int,
    outcome: MovementOutcome,
    note: str,
) -> None:
    """Changes made by hand are audited besides the journal (which holds every movement)."""
    audit_service.write(
        session=session,
        scope=scope,
        action=action,
        target_type="stock_location",
        target_id=location_id,
        brand_id=brand_id,
        details={"lines": [[m.sku_id, m.quantity] for m in outcome.movements], "note": note},
    )


def _delta(line: MovementLine) -> int:
    """The units a receipt, return or adjustment line adds (less than zero: takes)."""
    assert not isinstance(line, CountLine)
    return line.delta if isinstance(line, AdjustmentLine) else line.quantity


def _added_at_once(
    session: Session, location_id: int, lines: list[MovementLine]
) -> dict[Key, stock.LevelRow] | None:
    """When every line only adds units (a receipt, a return, an adjustment up), all of them
    in one statement run for each, in SKU order; None when some line takes or counts, and
    the lines go one by one (in the same order, each with its own guard)."""
    if any(isinstance(line, CountLine) or _delta(line) <= 0 for line in lines):
        return None
    quantities = {line.sku_id: _delta(line) for line in lines}
    return stock.add_on_hand_many(session, location_id=location_id, quantities=quantities)


def _apply_line(
    session: Session, key: Key, line: MovementLine, outcome: MovementOutcome
) -> tuple[stock.LevelRow, int]:
    if isinstance(line, CountLine):
        return _count_line(session, key, line.counted, outcome)
    delta = _delta(line)
    if delta > 0:
        return stock.add_on_hand(session, key=key, quantity=delta), delta
    return stock.take_available(session, key=key, quantity=-delta), delta


def _count_line(
    session: Session, key: Key, counted: int, outcome: MovementOutcome
) -> tuple[stock.LevelRow, int]:
    locked = stock.lock(session, key=key)
    if locked is None:
        raise errors.InventoryInconsistent(f"Level {key} vanished inside the transaction.")
    level = rules.absolute_level(on_hand=locked.on_hand, reserved=locked.reserved, level=counted)
    row = stock.set_on_hand(session, level=locked, on_hand=level.on_hand)
    if level.shortfall:
        outcome.warnings.append(below_reserved(row, "counted"))
    return row, level.delta


def below_reserved(row: stock.LevelRow, source: str) -> StockWarning:
    return StockWarning(
        location_id=row.location_id,
        sku_id=row.sku_id,
        code=rules.BELOW_RESERVED,
        detail=rules.below_reserved_detail(row.on_hand, row.reserved, row.shortfall, source),
        shortfall=row.shortfall,
    )


# ---- transfers ------------------------------------------------------------------------


def transfer(*, session: Session, scope: Scope, data: TransferCreate) -> StockTransfer:
    """Move units between two locations of a brand, every line or none: two movements each."""
    scope.require(*access.MANAGERS)
    source, target = data.from_location_id, data.to_location_id
    if source == target:
        raise errors.TransferSameLocation()
    brands = access.locations(session=session, scope=scope, location_ids=[source, target])
    brand_id = access.one_brand(brands.values())
    lines = rules.lock_ordered(
        rules.Line(source, line.sku_id, line.quantity) for line in data.lines
    )
    access.check_skus(session=session, brand_id=brand_id, sku_ids=[line.sku_id for line in lines])
    record = StockTransfer(
        brand_id=brand_id,
        from_location_id=source,
        to_location_id=target,
        lines=[{"sku_id": line.sku_id, "quantity": line.quantity} for line in lines],
        note=data.note,
        actor_type=scope.actor_type,
        actor_id=scope.actor_id,
    )
    with session.begin_nested():
        stock.ensure_levels(session, brand_id=brand_id, keys=[(target, x.sku_id) for x in lines])
        session.add(record)
        session.flush()
        with session.no_autoflush:  # the legs' movements go in one INSERT, at the flush
            _move(session, scope, record, lines)
        session.flush()
    audit_service.write(
        session=session,
        scope=scope,
        action="stock.transferred",
        target_type="stock_transfer",
        target_id=record.id,
        brand_id=brand_id,
        details={"from": source, "to": target, "lines": record.lines, "note": record.note},
    )
    return record


def _move(session: Session, scope: Scope, record: StockTransfer, lines: list[rules.Line]) -> None:
    """Both legs of every line, in global key order, so opposite transfers cannot deadlock."""
    legs = [(line.key, -line.quantity) for line in lines]
    legs += [((record.to_location_id, line.sku_id), line.quantity) for line in lines]
    reference = ("transfer", str(record.id))
    for key, delta in sorted(legs):
        leaving = delta < 0
        row = (
            stock.take_available(session, key=key, quantity=-delta)
            if leaving
            else stock.add_on_hand(session, key=key, quantity=delta)
        )
        kind = MovementKind.TRANSFER_OUT if leaving else MovementKind.TRANSFER_IN
        stock.record(
            session,
            scope=scope,
            level=row,
            kind=kind,
            quantity=delta,
            reference=reference,
            note=record.note,
        )


_ONE_LEVEL = (
    StockLevel.brand_id == bindparam("brand"),
    StockLevel.location_id == bindparam("level_location"),
    StockLevel.sku_id == bindparam("level_sku"),
)
_LEVEL_ON_HAND = (
    select(StockLevel.on_hand).where(*_ONE_LEVEL).scalar_subquery().label("level_on_hand")
)
_LEVEL_RESERVED = (
    select(StockLevel.reserved).where(*_ONE_LEVEL).scalar_subquery().label("level_reserved")
)
