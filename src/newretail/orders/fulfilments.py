"""Fulfilment steps: ready for pickup (with a code), shipped, delivered, handed over.

Each step is a guarded UPDATE of the fulfilment's status; when every fulfilment of the order
has reached a step, the order follows (``rules.status_after_fulfilment``) with its event.
Staff act on fulfilments of the locations they see. A pickup is handed over at its own
store's counter with its code: a code of another store's pickup is refused.
"""

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel.scope import Scope
from newretail.orders import access, errors, events, lifecycle, rules
from newretail.orders.models import Fulfilment, Order
from newretail.orders.rules import FulfilmentKind, FulfilmentStatus, OrderStatus
from newretail.org import service as org_service

_NO_SYNC = {"synchronize_session": False}
F = FulfilmentStatus


def list_fulfilments(*, session: Session, scope: Scope, order_id: int) -> list[Fulfilment]:
    order = access.get_order(session=session, scope=scope, order_id=order_id)
    query = select(Fulfilment).where(Fulfilment.order_id == order.id).order_by(Fulfilment.id)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def _get(session: Session, scope: Scope, order_id: int, fulfilment_id: int) -> Fulfilment:
    order = access.get_order(session=session, scope=scope, order_id=order_id)
    fulfilment = session.get(Fulfilment, fulfilment_id, populate_existing=True)
    if fulfilment is None or fulfilment.order_id != order.id:
        raise errors.FulfilmentNotFound()
    access.require_staff(scope, *access.SELLERS)
    if not scope.sees_store(fulfilment.brand_id, fulfilment.location_id):
        raise errors.FulfilmentNotFound()
    return fulfilment


def _step(
    session: Session,
    fulfilment: Fulfilment,
    source: FulfilmentStatus,
    target: FulfilmentStatus,
    **values: Any,
) -> Fulfilment:
    statement = (
        update(Fulfilment)
        .where(Fulfilment.id == fulfilment.id, Fulfilment.status == source.value)
        .values(status=target.value, **values)
        .returning(Fulfilment.id)
    )
    if session.execute(statement, execution_options=_NO_SYNC).first() is None:
        raise errors.FulfilmentNotReady(
            f"The fulfilment is {fulfilment.status}; this step needs it {source.value}."
        )
    session.refresh(fulfilment)
    return fulfilment


def _follow(session: Session, order_id: int, now: datetime) -> None:
    statuses = session.scalars(select(Fulfilment.status).where(Fulfilment.order_id == order_id))
    target = rules.status_after_fulfilment([F(s) for s in statuses])
    if target is None or lifecycle.current_status(session, order_id) is target:
        return
    if target is OrderStatus.COMPLETED:
        lifecycle.transition(session, order_id, target, now, closed_at=now)
    else:
        lifecycle.transition(session, order_id, target, now)


def _pickup_code(session: Session, location_id: int) -> str:
    for _ in range(10):
        code = f"{secrets.randbelow(10**6):06d}"
        taken = session.scalar(
            select(Fulfilment.id).where(
                Fulfilment.location_id == location_id,
                Fulfilment.pickup_code == code,
                Fulfilment.status == F.READY.value,
            )
        )
        if taken is None:
            return code
    raise errors.FulfilmentNotReady("No free pickup code at this store; try again.")


def mark_ready(*, session: Session, scope: Scope, order_id: int, fulfilment_id: int) -> Fulfilment:
    """A pickup is packed and waits at the counter: it gets its code; the buyer is told."""
    fulfilment = _get(session, scope, order_id, fulfilment_id)
    if fulfilment.kind != FulfilmentKind.PICKUP.value:
        raise errors.FulfilmentNotReady("Only pickups wait at the counter; ship the others.")
    now = utcnow()
    code = _pickup_code(session, fulfilment.location_id)
    _step(session, fulfilment, F.PENDING, F.READY, pickup_code=code, ready_at=now)
    order = session.get(Order, fulfilment.order_id)
    assert order is not None
    events.publish(
        session,
        order,
        OrderStatus.READY,
        type="order.pickup_ready",
        extra={"fulfilment_id": fulfilment.id, "pickup_store_id": fulfilment.location_id},
    )
    _follow(session, fulfilment.order_id, now)
    return fulfilment


def ship(
    *, session: Session, scope: Scope, order_id: int, fulfilment_id: int, tracking_no: str | None
) -> Fulfilment:
    """A parcel or a same-city courier leaves its location."""
    fulfilment = _get(session, scope, order_id, fulfilment_id)
    if fulfilment.kind == FulfilmentKind.PICKUP.value:
        raise errors.FulfilmentNotReady("A pickup is handed over at the counter, not shipped.")
    now = utcnow()
    _step(session, fulfilment, F.PENDING, F.SHIPPED, tracking_no=tracking_no, shipped_at=now)
    _follow(session, fulfilment.order_id, now)
    return fulfilment


def deliver(*, session: Session, scope: Scope, order_id: int, fulfilment_id: int) -> Fulfilment:
    """The buyer received a shipped parcel or courier delivery."""
    fulfilment = _get(session, scope, order_id, fulfilment_id)
    now = utcnow()
    _step(session, fulfilment, F.SHIPPED, F.COMPLETED, completed_at=now)
    _follow(session, fulfilment.order_id, now)
    return fulfilment


def hand_over(*, session: Session, scope: Scope, store_id: int, pickup_code: str) -> Fulfilment:
    """At the counter of ``store_id``: the pickup waiting there with this code leaves."""
    access.require_staff(scope, *access.CASHIERS)
    store = org_service.get_store(session=session, scope=scope, store_id=store_id)
    waiting = select(Fulfilment).where(
        Fulfilment.brand_id == store.brand_id,
        Fulfilment.pickup_code == pickup_code,
        Fulfilment.status == F.READY.value,
    )
    found = session.scalar(waiting.where(Fulfilment.location_id == store.id))
    if found is None:
        elsewhere = session.scalar(waiting.limit(1)) is not None
        raise errors.PickupCodeMismatch(
            "This code belongs to a pickup at another store."
            if elsewhere
            else "No pickup waits here with this code."
        )
    now = utcnow()
    _step(session, found, F.READY, F.COMPLETED, completed_at=now)
    _follow(session, found.order_id, now)
    return found
