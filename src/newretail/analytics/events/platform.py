"""The platform's own events, from the outbox: each outbox row becomes at most one event
whose messageId is derived from the row, so a redelivery is a duplicate, never a second
event. They go through ``ingest`` like any batch (consent, quarantine, identity).

    order.paid           Order Completed   (revenue = paid amount)
    order.refunded       Order Refunded
    code.scanned         QR Scanned        (code, store, guide, campaign)
    member.joined        Member Signed Up
    presale.deposit_paid Deposit Paid
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from newretail.analytics.events import ingest as ingest_module
from newretail.analytics.events import rules
from newretail.analytics.events.rules import Channel
from newretail.analytics.events.validate import Sender
from newretail.config import get_settings
from newretail.db import utcnow
from newretail.members import service as members_service
from newretail.outbox.consumers import Consumer
from newretail.outbox.models import OutboxEvent

EVENT_NAMES = {
    "order.paid": "Order Completed",
    "order.refunded": "Order Refunded",
    "code.scanned": "QR Scanned",
    "member.joined": "Member Signed Up",
    "presale.deposit_paid": "Deposit Paid",
}


def _who(session: Session, brand_id: int, p: dict[str, Any]) -> dict[str, Any]:
    """The envelope's identity: the brand's member if any, else the consumer or the device."""
    if p.get("member_id"):
        return {"userId": str(p["member_id"])}
    consumer_id = p.get("consumer_id")
    if consumer_id:
        member = members_service.find_membership(
            session=session, brand_id=brand_id, consumer_id=int(consumer_id)
        )
        if member is not None:
            return {"userId": str(member.id)}
        return {"userId": f"consumer:{consumer_id}"}
    if p.get("anonymous_id"):
        return {"anonymousId": str(p["anonymous_id"])}
    return {}


def _shape(event: OutboxEvent) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(context, properties) of one outbox event; None when it carries nothing to count."""
    p = event.payload
    match event.type:
        case "order.paid":
            ctx = {"store": p.get("store_id"), "guide": p.get("referring_guide_id")}
            ctx |= {"code": p.get("touchpoint_code"), "campaign": p.get("campaign")}
            revenue = p.get("paid_amount") or p.get("total", 0)
            props = {"order_id": p["id"], "revenue_fen": revenue, "order_channel": p.get("channel")}
            return ctx, props
        case "order.refunded":
            props = {"order_id": p["id"], "refunded_fen": p.get("refunded_amount", 0)}
            return {"store": p.get("store_id")}, props
        case "code.scanned":
            ctx = {"store": p.get("store_id"), "guide": p.get("guide_id"), "code": p.get("code")}
            return ctx | {"campaign": p.get("campaign") or None}, {"placement": p.get("placement")}
        case "member.joined":
            return {"store": p.get("join_store_id")}, {"member_id": p.get("member_id")}
        case "presale.deposit_paid":
            return {"store": p.get("store_id")}, {"deposit_id": p.get("id")}
    return None


def envelope(session: Session, event: OutboxEvent) -> dict[str, Any] | None:
    """The outbox row as a Segment-style event of the platform channel."""
    shape = _shape(event)
    if shape is None or event.brand_id is None:
        return None
    context, properties = shape
    who = _who(session, event.brand_id, event.payload)
    if event.type == "presale.deposit_paid" and not who:
        who = {"anonymousId": f"deposit-{event.payload.get('id')}"}
    at: datetime = event.occurred_at
    return {
        "messageId": rules.outbox_message_id(event.event_id),
        "event": EVENT_NAMES[event.type],
        "channel": Channel.PLATFORM.value,
        "timestamp": at.isoformat(),
        "context": {k: v for k, v in context.items() if v is not None},
        "properties": properties,
        **who,
    }


def record_platform_events(session: Session, events: Sequence[OutboxEvent]) -> None:
    """Outbox consumer: the batch's events, per brand, through ``ingest``."""
    by_brand: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        shaped = envelope(session, event)
        if shaped is not None and event.brand_id is not None:
            by_brand.setdefault(event.brand_id, []).append(shaped)
    now = utcnow()
    clock = ingest_module.clock_of(get_settings(), now)
    for brand_id, batch in sorted(by_brand.items()):
        ingest_module.ingest(
            session=session,
            sender=Sender(brand_id=brand_id, platform=True),
            events=batch,
            clock=clock,
        )


# Idempotent by itself: each event's messageId comes from its outbox row.
PLATFORM_EVENTS = Consumer.batch(
    "analytics_platform_events", sorted(EVENT_NAMES), record_platform_events, dedupe=False
)
