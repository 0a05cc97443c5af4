"""Reservations: stock held for carts, orders, pre-sales and tills.

    active ──commit──▶ committed   on_hand and reserved both drop: a sale in the journal
       ├───release──▶ released    reserved drops
       └───expire───▶ expired     reserved drops (the worker, once expires_at has passed)

Every transition is one guarded UPDATE of the reservation's status (``WHERE status =
'active'``) in the same transaction as the stock changes it causes, so a reservation is
committed, released or expired at most once, however many callers race for it. A
reservation's lines are held all together or not at all, in (location, SKU) order.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from newretail.db import utcnow
from newretail.inventory import access, errors, rules, stock
from newretail.inventory.models import Reservation, ReservationLine
from newretail.inventory.rules import Line, MovementKind, Purpose, ReservationStatus
from newretail.kernel.scope import Scope
from newretail.outbox import service as outbox_service

ACTIVE = ReservationStatus.ACTIVE.value
_NO_SYNC = {"synchronize_session": False}


def _visible(scope: Scope, reservation: Reservation | None) -> bool:
    if reservation is None or not scope.sees_brand(reservation.brand_id):
        return False
    limited = access.in_scope_location_ids(scope)
    return limited is None or all(line.location_id in limited for line in reservation.lines)


def get_reservation(*, session: Session, scope: Scope, reservation_id: int) -> Reservation:
    """A reservation whose every line is at a location the caller sees."""
    query = select(Reservation).where(Reservation.id == reservation_id)
    reservation = session.scalar(query.execution_options(populate_existing=True))
    if reservation is None or not _visible(scope, reservation):
        raise errors.ReservationNotFound()
    return reservation


def get_reservation_by_reference(
    *,
    session: Session,
    scope: Scope,
    purpose: Purpose,
    reference_id: str,
    brand_id: int | None = None,
) -> Reservation:
    """The reservation made for a cart, an order, a pre-sale or a till sale."""
    reservation = _by_reference(session, scope.target_brand(brand_id), purpose, reference_id)
    if reservation is None or not _visible(scope, reservation):
        raise errors.ReservationNotFound()
    return reservation


def _by_reference(
    session: Session, brand_id: int, purpose: Purpose, reference_id: str
) -> Reservation | None:
    query = select(Reservation).where(
        Reservation.brand_id == brand_id,
        Reservation.purpose == purpose.value,
        Reservation.reference_id == reference_id,
    )
    return session.scalar(query.execution_options(populate_existing=True))


def _replay(reservation: Reservation, lines: Sequence[Line]) -> Reservation:
    held = {(line.location_id, line.sku_id): line.quantity for line in reservation.lines}
    if held != {line.key: line.quantity for line in lines}:
        raise errors.ReservationReferenceConflict()
    return reservation


def reserve(
    *,
    session: Session,
    scope: Scope,
    purpose: Purpose,
    reference_id: str,
    lines: Iterable[Line],
    ttl_seconds: int | None = None,
) -> tuple[Reservation, bool]:
    """Hold every line or none; asking again for the same reference returns the first hold.

    Returns the reservation and whether it was created now. Runs in a savepoint, so a
    refusal (``insufficient_stock``) leaves the caller's transaction as it was.
    """
    scope.require(*access.RESERVERS)
    ordered = rules.lock_ordered(lines)
    rules.check_reference(reference_id)
    expires_at = rules.expiry(purpose, utcnow(), ttl_seconds)
    brands = access.locations(
        session=session, scope=scope, location_ids=[line.location_id for line in ordered]
    )
    brand_id = access.one_brand(brands.values())
    existing = _by_reference(session, brand_id, purpose, reference_id)
    if existing is not None:
        return _replay(existing, ordered), False
    access.check_skus(session=session, brand_id=brand_id, sku_ids=[line.sku_id for line in ordered])
    try:
        with session.begin_nested():
            reservation = _hold(
                session, scope, brand_id, purpose, reference_id, ordered, expires_at
            )
    except IntegrityError:
        # Another transaction created this reference first and has committed since.
        existing = _by_reference(session, brand_id, purpose, reference_id)
        if existing is None:
            raise
        return _replay(existing, ordered), False
    return reservation, True


def _hold(
    session: Session,
    scope: Scope,
    brand_id: int,
    purpose: Purpose,
    reference_id: str,
    lines: Sequence[Line],
    expires_at: datetime,
) -> Reservation:
    """Take the units first (a refusal then costs no insert), then record the reservation."""
    for line in lines:
        held = stock.change(
            session, key=line.key, reserved=line.quantity, need_available=line.quantity
        )
        if held is None:
            raise stock.insufficient(session, line.key, line.quantity)
    reservation = Reservation(
        brand_id=brand_id,
        purpose=purpose.value,
        reference_id=reference_id,
        status=ACTIVE,
        expires_at=expires_at,
        actor_type=scope.actor_type,
        actor_id=scope.actor_id,
        lines=[
            ReservationLine(
                location_id=line.location_id, sku_id=line.sku_id, quantity=line.quantity
            )
            for line in lines
        ],
    )
    session.add(reservation)
    session.flush()
    return reservation


def _transition(
    session: Session, reservation: Reservation, target: ReservationStatus, now: datetime
) -> None:
    """Move an active reservation to ``target``, or say why it cannot move."""
    conditions = [Reservation.id == reservation.id, Reservation.status == ACTIVE]
    if target is ReservationStatus.COMMITTED:
        conditions.append(Reservation.expires_at > now)
    statement = (
        update(Reservation)
        .where(*conditions)
        .values(status=target.value, closed_at=now)
        .returning(Reservation.id)
    )
    if session.execute(statement, execution_options=_NO_SYNC).one_or_none() is not None:
        # What was just written, so the caller's reservation is current without a re-read.
        set_committed_value(reservation, "status", target.value)
        set_committed_value(reservation, "closed_at", now)
        return
    status = session.scalar(select(Reservation.status).where(Reservation.id == reservation.id))
    if status == ACTIVE:
        raise errors.ReservationExpired()
    raise errors.ReservationNotActive(f"The reservation is already {status}.")


def commit_reservation(*, session: Session, scope: Scope, reservation_id: int) -> Reservation:
    """Turn a hold into a sale: on_hand and reserved drop together, once."""
    scope.require(*access.RESERVERS)
    reservation = get_reservation(session=session, scope=scope, reservation_id=reservation_id)
    reference = (reservation.purpose, reservation.reference_id)
    with session.begin_nested():
        _transition(session, reservation, ReservationStatus.COMMITTED, utcnow())
        for line in reservation.lines:
            key, n = (line.location_id, line.sku_id), line.quantity
            row = stock.change(
                session, key=key, on_hand=-n, reserved=-n, need_reserved=n, need_on_hand=n
            )
            if row is None:
                raise errors.InsufficientStock(
                    f"SKU {key[1]} at location {key[0]}: {n} reserved but fewer on hand "
                    "(an ERP sync or a count found them missing)."
                )
            stock.record(
                session,
                scope=scope,
                level=row,
                kind=MovementKind.SALE,
                quantity=-n,
                reference=reference,
            )
        _publish_loaded(session, [reservation], ReservationStatus.COMMITTED)
    return reservation


def release_reservation(*, session: Session, scope: Scope, reservation_id: int) -> Reservation:
    """Give the held units back to available stock, once."""
    scope.require(*access.RESERVERS)
    reservation = get_reservation(session=session, scope=scope, reservation_id=reservation_id)
    with session.begin_nested():
        _transition(session, reservation, ReservationStatus.RELEASED, utcnow())
        _unreserve(session, [(x.location_id, x.sku_id, x.quantity) for x in reservation.lines])
        _publish_loaded(session, [reservation], ReservationStatus.RELEASED)
    return reservation


def _unreserve(session: Session, totals: Iterable[tuple[int, int, int]]) -> None:
    for location_id, sku_id, quantity in sorted(totals):
        key = (location_id, sku_id)
        if stock.change(session, key=key, reserved=-quantity, need_reserved=quantity) is None:
            raise errors.InventoryInconsistent(f"Level {key} holds less than its reservations.")


def expire_due(*, session: Session, now: datetime, limit: int = 500) -> int:
    """Expire up to ``limit`` active reservations past their time; returns how many.

    Set-based and safe to run in several workers at once: on PostgreSQL each takes rows
    the others have not locked (``SKIP LOCKED``), and every status change is guarded.
    """
    due = (
        select(Reservation.id)
        .where(Reservation.status == ACTIVE, Reservation.expires_at <= now)
        .order_by(Reservation.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(due))
    if not ids:
        return 0
    expire = (
        update(Reservation)
        .where(Reservation.id.in_(ids), Reservation.status == ACTIVE)
        .values(status=ReservationStatus.EXPIRED.value, closed_at=now)
        .returning(Reservation.id)
    )
    expired = list(session.execute(expire, execution_options=_NO_SYNC).scalars())
    if not expired:
        return 0
    totals = session.execute(
        select(
            ReservationLine.location_id, ReservationLine.sku_id, func.sum(ReservationLine.quantity)
        )
        .where(ReservationLine.reservation_id.in_(expired))
        .group_by(ReservationLine.location_id, ReservationLine.sku_id)
    )
    _unreserve(session, [(loc, sku, int(n)) for loc, sku, n in totals])
    _publish(session, expired, ReservationStatus.EXPIRED)
    return len(expired)


def _publish(session: Session, ids: Sequence[int], status: ReservationStatus) -> None:
    """One outbox event per reservation that changed state, e.g. ``reservation.expired``."""
    query = select(Reservation).where(Reservation.id.in_(ids)).order_by(Reservation.id)
    _publish_loaded(
        session, list(session.scalars(query.execution_options(populate_existing=True))), status
    )


def _publish_loaded(
    session: Session, reservations: Sequence[Reservation], status: ReservationStatus
) -> None:
    """The events of reservations already in the session (their lines never change)."""
    for reservation in reservations:
        outbox_service.record(
            session=session,
            brand_id=reservation.brand_id,
            type=f"reservation.{status.value}",
            resource_type="reservation",
            resource_id=reservation.id,
            payload={
                "id": reservation.id,
                "purpose": reservation.purpose,
                "reference_id": reservation.reference_id,
                "status": status.value,
                "lines": [
                    {"location_id": x.location_id, "sku_id": x.sku_id, "quantity": x.quantity}
                    for x in reservation.lines
                ],
            },
        )
