"""The lean hold of an order, and a sale without one: the stock statements come last.

A checkout or a payment is one transaction that ends at the first refusal, so these skip
what ``reservations.reserve`` and ``commit_reservation`` do for callers that go on after a
refusal (savepoints, reference replays, re-reads): rows are written with set-based
statements (a hold and its lines in one on PostgreSQL), and the stock rows are changed
last, each by one guarded statement, so a hot row stays locked only until the commit that
follows. A refusal here leaves written rows behind: the caller's transaction must end
(every caller lets the error roll it back).
"""

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.inventory import errors, rules, stock
from newretail.inventory.models import Reservation, ReservationLine
from newretail.inventory.rules import Line, Purpose, ReservationStatus
from newretail.kernel import bulk
from newretail.kernel.direct import Direct, inserting
from newretail.outbox import service as outbox_service
from newretail.outbox.service import NewEvent

ACTIVE = ReservationStatus.ACTIVE.value


def open_hold(
    *,
    session: Session,
    brand_id: int,
    purpose: Purpose,
    reference_id: str,
    lines: Sequence[Line],
    expires_at: datetime,
    actor: tuple[str, int | None],
) -> int:
    """The rows of a new hold; ``hold_units`` then takes its units, last in the transaction."""
    connection = session.connection()
    values = {
        "brand_id": brand_id,
        "purpose": purpose.value,
        "reference_id": rules.check_reference(reference_id),
        "status": ACTIVE,
        "expires_at": expires_at,
        "actor_type": actor[0],
        "actor_id": actor[1],
        "created_at": utcnow(),
    }
    rows = [
        {"location_id": line.location_id, "sku_id": line.sku_id, "quantity": line.quantity}
        for line in rules.lock_ordered(lines)
    ]
    if connection.dialect.name == "postgresql":  # the hold and its lines in one statement
        found = bulk.insert_with_children(
            connection,
            Reservation,
            ReservationLine,
            "reservation_id",
            ("reservation_id",),
            values,
            rows,
        )
        return int(found.scalars().all()[0])
    reservation_id: int = inserting(Reservation).scalar(connection, values)
    rows = [{**row, "reservation_id": reservation_id} for row in rows]
    _INSERT_HOLD_LINES.run(connection, rows[0] if len(rows) == 1 else rows)
    return reservation_id


_INSERT_HOLD_LINES = Direct(insert(ReservationLine))


def hold_units(*, session: Session, lines: Sequence[Line], events: Sequence[NewEvent] = ()) -> None:
    """Write ``events`` and reserve every line (guarded, in key order): the last statements
    (the events go with the first line's, as ``sell_units`` writes them).

    ``insufficient_stock`` leaves written rows behind: the caller's transaction must end.
    """
    refused = _take_all(
        session,
        rules.lock_ordered(lines),
        events,
        lambda line, with_events: stock.hold_units(
            session, line=line.key, quantity=line.quantity, events=with_events
        ),
    )
    if refused is not None:
        raise stock.insufficient(session, refused.key, refused.quantity)


def sell_units(
    *,
    session: Session,
    lines: Sequence[Line],
    journal: stock.Journal,
    events: Sequence[NewEvent] = (),
) -> None:
    """Write ``events`` and take every line from available stock with its sale movement
    (the events go with the first line's statement: see ``stock.sell``).

    ``insufficient_stock`` leaves written rows behind: the caller's transaction must end.
    """
    refused = _sell_all(
        session, rules.lock_ordered(lines), held=False, journal=journal, events=events
    )
    if refused is not None:
        raise stock.insufficient(session, refused.key, refused.quantity)


def _sell_all(
    session: Session,
    lines: Sequence[Line],
    *,
    held: bool,
    journal: stock.Journal,
    events: Sequence[NewEvent],
) -> Line | None:
    """Each line sold in turn (``_take_all``)."""
    return _take_all(
        session,
        lines,
        events,
        lambda line, with_events: stock.sell(
            session,
            line=line.key,
            quantity=line.quantity,
            held=held,
            journal=journal,
            events=with_events,
        ),
    )


def _take_all(
    session: Session,
    lines: Sequence[Line],
    events: Sequence[NewEvent],
    take: Callable[[Line, Sequence[NewEvent]], bool],
) -> Line | None:
    """Each line's guarded statement in turn, ``events`` written with the first (see
    ``stock.sell``); the first line whose guard did not hold (None: every line taken)."""
    if not lines:
        outbox_service.append(session=session, events=events)
    for n, line in enumerate(lines):
        if not take(line, () if n else events):
            return line
    return None


_COMMIT_HOLD = Direct(
    update(Reservation)
    .where(
        Reservation.id == bindparam("k_id"),
        Reservation.status == ACTIVE,
        Reservation.expires_at > bindparam("k_now", type_=Reservation.expires_at.type),
    )
    .values(
        status=ReservationStatus.COMMITTED.value,
        closed_at=bindparam("k_now", type_=Reservation.closed_at.type),
    )
    .returning(Reservation.brand_id, Reservation.purpose, Reservation.reference_id)
)


def commit_hold(
    *,
    session: Session,
    reservation_id: int,
    lines: Sequence[Line] | None,
    actor: tuple[str, int | None],
    now: datetime,
    events: Sequence[NewEvent] = (),
) -> None:
    """Turn an active, unexpired hold into a sale: its status (guarded), its event written
    with ``events``, then each line's stock and movement, last.

    ``lines`` are the hold's own lines when the caller wrote them (an order's), else None
    and they are read. Refusals (``reservation_expired``, ``reservation_not_active``,
    ``insufficient_stock``) leave written rows behind: the caller's transaction must end.
    """
    connection = session.connection()
    closed = _COMMIT_HOLD.first(connection, {"k_id": reservation_id, "k_now": now})
    if closed is None:
        status = connection.execute(
            select(Reservation.status).where(Reservation.id == reservation_id)
        ).scalar()
        if status == ACTIVE:
            raise errors.ReservationExpired()
        raise errors.ReservationNotActive(f"The reservation is {status or 'gone'}.")
    if lines is None:
        lines = [
            Line(*row)
            for row in connection.execute(
                select(
                    ReservationLine.location_id, ReservationLine.sku_id, ReservationLine.quantity
                ).where(ReservationLine.reservation_id == reservation_id)
            )
        ]
    ordered = rules.lock_ordered(lines)
    committed = NewEvent(
        brand_id=closed.brand_id,
        type=f"reservation.{ReservationStatus.COMMITTED.value}",
        resource_type="reservation",
        resource_id=reservation_id,
        payload={
            "id": reservation_id,
            "purpose": closed.purpose,
            "reference_id": closed.reference_id,
            "status": ReservationStatus.COMMITTED.value,
            "lines": [
                {"location_id": x.location_id, "sku_id": x.sku_id, "quantity": x.quantity}
                for x in ordered
            ],
        },
    )
    journal = stock.Journal((closed.purpose, closed.reference_id), actor[0], actor[1])
    refused = _sell_all(session, ordered, held=True, journal=journal, events=[*events, committed])
    if refused is not None:
        raise errors.InsufficientStock(
            f"SKU {refused.sku_id} at location {refused.location_id}: {refused.quantity} "
            "reserved but fewer on hand (an ERP sync or a count found them missing)."
        )
