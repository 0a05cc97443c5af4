"""Judging each event of a batch on its own: envelope, properties, context, clock, sender.

No database here: what needs one (stores of the brand, members and their consent) is
checked for the whole batch at once in ``ingest``.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from newretail.analytics.events import rules
from newretail.analytics.events.rules import Clock, Reject
from newretail.analytics.events.schemas import EVENT_TYPES, EventIn
from newretail.members.errors import InvalidPhone
from newretail.members.phones import normalise_phone


@dataclass(frozen=True)
class Sender:
    """Who sends: a brand (API key, staff) or one store's page (page token, anonymous only)."""

    brand_id: int
    store_id: int | None = None
    may_name_users: bool = True
    platform: bool = False  # the platform's own events (outbox): may name a consumer
    store_ids: frozenset[int] | None = None  # store staff: events of their own stores only


@dataclass(frozen=True)
class Refusal:
    index: int
    message_id: str | None
    event: str | None
    code: Reject
    detail: str
    payload: Any


@dataclass(frozen=True)
class Judged:
    """An event that passed every check needing no database: its row, less the person."""

    index: int
    row: dict[str, Any]
    member_id: int | None
    union_id: str | None = None
    phone: str | None = None  # E.164


def _errors(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'event'}: {e['msg']}" for e in exc.errors()]
    return "; ".join(parts)[:480]


def judge(
    index: int, raw: Any, *, sender: Sender, clock: Clock, batch_sent_at: datetime | None
) -> Judged | Refusal:
    message_id = raw.get("messageId") if isinstance(raw, dict) else None
    name = raw.get("event") if isinstance(raw, dict) else None
    mid = message_id if isinstance(message_id, str) else None
    label = name if isinstance(name, str) else None

    def refuse(code: Reject, detail: str) -> Refusal:
        return Refusal(index, mid, label, code, detail, raw)

    if isinstance(name, str) and name not in EVENT_TYPES:
        return refuse(Reject.UNKNOWN_EVENT, f"Unknown event name {name[:64]!r}.")
    try:
        event = EventIn.model_validate(raw)
    except ValidationError as exc:
        return refuse(Reject.INVALID_ENVELOPE, _errors(exc))
    props_model, needs = EVENT_TYPES[event.event]
    try:
        props = props_model.model_validate(event.properties).model_dump(mode="json")
    except ValidationError as exc:
        return refuse(Reject.INVALID_PROPERTIES, _errors(exc))
    ctx = event.context
    if ctx.brand_id is not None and ctx.brand_id != sender.brand_id:
        return refuse(Reject.FOREIGN_BRAND, "The event names another brand.")
    store_id = ctx.store_id
    if sender.store_id is not None:
        if store_id is not None and store_id != sender.store_id:
            return refuse(Reject.FOREIGN_STORE, "A page may send events for its own store only.")
        store_id = sender.store_id
    if sender.store_ids is not None and store_id is not None and store_id not in sender.store_ids:
        return refuse(Reject.FOREIGN_STORE, "Store staff send events of their own stores only.")
    missing = [n for n in needs if getattr(ctx, n) is None and not (n == "store_id" and store_id)]
    if missing:
        return refuse(Reject.MISSING_CONTEXT, f"{event.event} needs context.{missing[0]}.")
    if event.userId is not None and not sender.may_name_users:
        return refuse(Reject.USER_NOT_ALLOWED, "A page token sends anonymous events only.")
    phone: str | None = None
    if ctx.phone is not None:
        if not sender.may_name_users:
            return refuse(Reject.USER_NOT_ALLOWED, "A page token sends no phone numbers.")
        try:
            phone = normalise_phone(ctx.phone)
        except InvalidPhone:
            return refuse(Reject.INVALID_ENVELOPE, "context.phone: not a mobile number.")
    member_id: int | None = None
    key: str | None = None
    if sender.platform and (event.userId or "").startswith("consumer:"):
        key = event.userId
    elif event.userId is not None:
        if not event.userId.isdigit():
            return refuse(Reject.UNKNOWN_MEMBER, "userId is the brand's member id.")
        member_id = int(event.userId)
    key = key or rules.person_key(member_id=member_id, anonymous_id=event.anonymousId)
    if key is None:
        return refuse(Reject.NO_IDENTITY, "An event needs an anonymousId or a userId.")
    original = event.timestamp or event.originalTimestamp
    sent_at = event.sentAt or batch_sent_at
    ts = rules.corrected_time(timestamp=original, sent_at=sent_at, received_at=clock.received_at)
    verdict = rules.time_verdict(ts, clock)
    if verdict is not None:
        return refuse(verdict, f"The corrected time {ts.isoformat()} is out of range.")
    row = {
        "brand_id": sender.brand_id,
        "dedupe_key": rules.dedupe_key(sender.brand_id, event.messageId),
        "message_id": event.messageId,
        "event": event.event,
        "channel": event.channel.value,
        "person_key": key,
        "anonymous_id": event.anonymousId,
        "user_id": event.userId,
        "ts": ts,
        "original_ts": original,
        "sent_at": sent_at,
        "received_at": clock.received_at,
        "store_id": store_id,
        "district_id": ctx.district_id,
        "guide_id": ctx.guide_id,
        "popup_id": ctx.popup_id,
        "code": ctx.code,
        "campaign": ctx.campaign,
        "lat": ctx.lat,
        "lng": ctx.lng,
        "order_id": props.get("order_id"),
        "revenue_fen": props.get("revenue_fen"),
        "properties": _with_device(props, ctx.device_id),
    }
    return Judged(index, row, member_id, ctx.union_id, phone)


def _with_device(props: dict[str, Any], device_id: str | None) -> dict[str, Any]:
    return {**props, "device_id": device_id} if device_id else props
