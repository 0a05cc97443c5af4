"""Codes count what they sold: an outbox consumer of the orders' payments and refunds.

An order paid with a ``touchpoint_code`` becomes a ``CodeSale`` row of that code (the
code's brand must be the order's); each later refund event sets its refunded amount. The
amounts only grow (``max`` of what is stored and what the event says), so a repeated or
late event changes nothing: the consumer is idempotent by itself.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.outbox.consumers import Consumer
from newretail.outbox.models import OutboxEvent
from newretail.touchpoints.models import CodeSale, TouchpointCode

EVENTS = ("order.paid", "order.refunded")


def _paid(payload: dict[str, Any]) -> bool:
    return bool(payload.get("touchpoint_code")) and int(payload.get("paid_amount") or 0) > 0


def record_sales(session: Session, events: Sequence[OutboxEvent]) -> None:
    """Record or update the code sale of every coded, paid order among ``events``."""
    wanted = [e for e in events if _paid(e.payload) and str(e.payload.get("id", "")).isdigit()]
    if not wanted:
        return
    codes = {
        (row.brand_id, row.code): row.id
        for row in session.scalars(
            select(TouchpointCode).where(
                TouchpointCode.code.in_({e.payload["touchpoint_code"] for e in wanted})
            )
        )
    }
    order_ids = {int(e.payload["id"]) for e in wanted}
    known = {
        row.order_id: row
        for row in session.scalars(select(CodeSale).where(CodeSale.order_id.in_(order_ids)))
    }
    for event in wanted:
        code_id = codes.get((event.brand_id or 0, event.payload["touchpoint_code"]))
        if event.brand_id is not None and code_id is not None:
            _apply(session, known, event, event.brand_id, code_id)
    session.flush()


def _apply(
    session: Session, known: dict[int, CodeSale], event: OutboxEvent, brand_id: int, code_id: int
) -> None:
    payload, now = event.payload, utcnow()
    order_id = int(payload["id"])
    paid, refunded = int(payload["paid_amount"]), int(payload.get("refunded_amount") or 0)
    row = known.get(order_id)
    if row is None:
        row = CodeSale(
            brand_id=brand_id,
            code_id=code_id,
            order_id=order_id,
            consumer_id=payload.get("consumer_id"),
            member_id=payload.get("member_id"),
            paid_amount=paid,
            refunded_amount=refunded,
            paid_at=_paid_at(payload) or event.occurred_at,
            updated_at=now,
        )
        session.add(row)
        known[order_id] = row
        return
    if paid > row.paid_amount or refunded > row.refunded_amount:
        row.paid_amount = max(row.paid_amount, paid)
        row.refunded_amount = max(row.refunded_amount, refunded)
        row.updated_at = now


def _paid_at(payload: dict[str, Any]) -> datetime | None:
    text = payload.get("paid_at")
    return datetime.fromisoformat(text) if isinstance(text, str) else None


CODE_SALES = Consumer.batch("code_sales", EVENTS, record_sales, dedupe=False)
