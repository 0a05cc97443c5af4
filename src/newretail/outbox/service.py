"""Writing domain events into the transactional outbox.

The row is added to the caller's session, so it commits or rolls back with the change it
describes. Delivery (in-process consumers, webhooks, NATS) happens after commit, elsewhere:
see ``newretail.outbox.dispatch``. Listeners registered with ``add_commit_listener`` are
called after a transaction that wrote events commits, so an in-process worker can wake at
once instead of waiting for its next poll.
"""

import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Insert,
    Integer,
    Table,
    bindparam,
    column,
    func,
    insert,
    select,
)
from sqlalchemy import event as sa_event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel import bulk
from newretail.kernel.direct import Direct
from newretail.outbox.models import OutboxEvent

_WROTE_EVENTS = "newretail.outbox.wrote_events"
_listeners: list[Callable[[], None]] = []
_listeners_lock = threading.Lock()


def record(
    *,
    session: Session,
    brand_id: int | None,
    type: str,
    resource_type: str,
    resource_id: int | str,
    payload: dict[str, Any],
) -> OutboxEvent:
    """Add one event to the outbox of the current transaction."""
    event = OutboxEvent(
        event_id=str(uuid.uuid4()),
        brand_id=brand_id,
        type=type,
        resource_type=resource_type,
        resource_id=str(resource_id),
        payload=payload,
    )
    session.add(event)
    session.flush()
    session.info[_WROTE_EVENTS] = True
    return event


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event for ``append``: the same fields ``record`` takes."""

    brand_id: int | None
    type: str
    resource_type: str
    resource_id: int | str
    payload: dict[str, Any]


_APPEND = Direct(insert(cast(Table, OutboxEvent.__table__)))


def append(*, session: Session, events: Sequence[NewEvent]) -> None:
    """Add several events to the current transaction's outbox in one statement.

    For hot paths: no ORM object per event, and a sale's events cost one round trip.
    """
    if not events:
        return
    rows = _rows(events)
    _APPEND.run(session.connection(), rows[0] if len(rows) == 1 else rows)
    session.info[_WROTE_EVENTS] = True


def _rows(events: Sequence[NewEvent]) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {
            "event_id": str(uuid.uuid4()),
            "brand_id": e.brand_id,
            "type": e.type,
            "resource_type": e.resource_type,
            "resource_id": str(e.resource_id),
            "payload": e.payload,
            "occurred_at": now,
        }
        for e in events
    ]


def riding(*, session: Session, events: Sequence[NewEvent]) -> list[dict[str, Any]]:
    """``events`` as the value of the ``events`` parameter of a statement that carries
    ``rider`` (PostgreSQL): the caller's next statement writes them, one round trip fewer."""
    session.info[_WROTE_EVENTS] = True
    return bulk.numbered(
        [{**row, "occurred_at": row["occurred_at"].isoformat()} for row in _rows(events)]
    )


def rider(only_if: ColumnElement[bool] | None = None) -> Insert:
    """An INSERT of the events in the JSON array parameter ``events`` (``riding``), for a
    PostgreSQL statement to carry as a CTE of its own (``add_cte``): the events are written
    in the same round trip as the statement's own rows, and only if ``only_if`` holds.
    Callers build their statement once."""
    table = cast(Table, OutboxEvent.__table__)
    names = ["event_id", "brand_id", "type", "resource_type", "resource_id", "payload"]
    recordset = (
        func.jsonb_to_recordset(bindparam("events", type_=JSONB))
        .table_valued(
            column("n", Integer),
            *(column(name, table.c[name].type) for name in names),
            column("occurred_at", DateTime(timezone=True)),
        )
        .render_derived(name="events", with_types=True)
    )
    rows = select(*(recordset.c[name] for name in [*names, "occurred_at"]))
    if only_if is not None:
        rows = rows.where(only_if)
    rows = rows.order_by(recordset.c.n)  # their sequence numbers rise in the array's order
    return insert(table).from_select([*names, "occurred_at"], rows)


def insert_new(
    *, session: Session, model: type[Any], rows: list[dict[str, Any]], unique: list[str]
) -> int:
    """Insert ``rows``, silently skipping those that clash on the ``unique`` columns.

    The way the dispatcher stays idempotent: a second fan-out of an event adds nothing.
    Returns how many rows were inserted.
    """
    inserted = insert_new_returning(
        session=session, model=model, rows=rows, unique=unique, returning=unique[0]
    )
    return len(inserted)


def insert_new_returning(
    *,
    session: Session,
    model: type[Any],
    rows: list[dict[str, Any]],
    unique: list[str],
    returning: str,
) -> list[Any]:
    """``insert_new``, answering the ``returning`` column of each row actually inserted."""
    return bulk.insert_new(session, model, rows, unique=unique, returning=returning)


def add_commit_listener(callback: Callable[[], None]) -> None:
    """Call ``callback`` (cheaply, in the committing thread) after events are committed."""
    with _listeners_lock:
        _listeners.append(callback)


def remove_commit_listener(callback: Callable[[], None]) -> None:
    with _listeners_lock:
        if callback in _listeners:
            _listeners.remove(callback)


@sa_event.listens_for(Session, "after_commit")
def _notify_after_commit(session: Session) -> None:
    if not session.info.pop(_WROTE_EVENTS, False):
        return
    with _listeners_lock:
        callbacks = list(_listeners)
    for callback in callbacks:
        callback()


@sa_event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_WROTE_EVENTS, None)
