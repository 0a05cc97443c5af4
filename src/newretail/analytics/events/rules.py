"""Pure rules of event collection: corrected time, person keys, page tokens, reject codes."""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Channel(StrEnum):
    WEB = "web"
    MINI_APP = "mini_app"
    APP = "app"
    POS = "pos"
    KIOSK = "kiosk"
    STORE_SENSOR = "store_sensor"
    SAMPLING_MACHINE = "sampling_machine"
    PLATFORM = "platform"  # recorded by the platform itself (from the outbox), never sent


class Reject(StrEnum):
    """Why one event of a batch was refused (kept in the quarantine with its payload)."""

    INVALID_ENVELOPE = "invalid_envelope"
    UNKNOWN_EVENT = "unknown_event"
    INVALID_PROPERTIES = "invalid_properties"
    MISSING_CONTEXT = "missing_context"
    NO_IDENTITY = "no_identity"
    FUTURE_TIMESTAMP = "future_timestamp"
    ANCIENT_TIMESTAMP = "ancient_timestamp"
    FOREIGN_STORE = "foreign_store"
    FOREIGN_BRAND = "foreign_brand"
    UNKNOWN_MEMBER = "unknown_member"
    USER_NOT_ALLOWED = "user_not_allowed"


@dataclass(frozen=True)
class Clock:
    received_at: datetime
    max_future: timedelta
    max_age: timedelta


def corrected_time(
    *, timestamp: datetime | None, sent_at: datetime | None, received_at: datetime
) -> datetime:
    """The event's time on the server's clock.

    The sender's clock is off by ``sent_at - received_at`` (network time is small next to a
    wrong device clock), so that offset is taken off its timestamp. No timestamp: received.
    """
    if timestamp is None:
        return received_at
    if sent_at is None:
        return timestamp
    return timestamp + (received_at - sent_at)


def time_verdict(ts: datetime, clock: Clock) -> Reject | None:
    if ts > clock.received_at + clock.max_future:
        return Reject.FUTURE_TIMESTAMP
    if ts < clock.received_at - clock.max_age:
        return Reject.ANCIENT_TIMESTAMP
    return None


def member_key(member_id: int) -> str:
    return f"member:{member_id}"


def anon_key(anonymous_id: str) -> str:
    return f"anon:{anonymous_id}"


def person_key(*, member_id: int | None, anonymous_id: str | None) -> str | None:
    """The key an event is kept under: the member when known, else the anonymous id."""
    if member_id is not None:
        return member_key(member_id)
    if anonymous_id:
        return anon_key(anonymous_id)
    return None


def dedupe_key(brand_id: int, message_id: str) -> str:
    return f"{brand_id}:{message_id}"


def outbox_message_id(event_id: str) -> str:
    """The messageId of an event the platform derives from an outbox row: one per row."""
    return f"outbox:{event_id}"


# ---- page tokens -------------------------------------------------------------------------
# A cloud store page carries a token naming its brand and store, signed with the app's key:
# anonymous visitors' browsers may send events for that store, and for nothing else.

PAGE_TOKEN_PREFIX = "pt1."  # noqa: S105 - a marker, not a secret


@dataclass(frozen=True)
class PageGrant:
    brand_id: int
    store_id: int


def _sign(secret: str, body: str) -> str:
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def page_token(*, secret: str, brand_id: int, store_id: int, expires_at: datetime) -> str:
    body = f"{brand_id}.{store_id}.{int(expires_at.timestamp())}"
    return f"{PAGE_TOKEN_PREFIX}{body}.{_sign(secret, body)}"


def read_page_token(token: str, *, secret: str, now: datetime) -> PageGrant | None:
    """The grant of a valid, unexpired page token; None otherwise."""
    if not token.startswith(PAGE_TOKEN_PREFIX):
        return None
    parts = token.removeprefix(PAGE_TOKEN_PREFIX).split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]):
        return None
    body = ".".join(parts[:3])
    if not hmac.compare_digest(parts[3], _sign(secret, body)):
        return None
    if int(parts[2]) < now.timestamp():
        return None
    return PageGrant(int(parts[0]), int(parts[1]))
