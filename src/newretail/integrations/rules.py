"""Pure rules of outbound webhooks: URLs, subscriptions, signatures, retries and order.

Retries wait by the outbox's backoff rule (``newretail.outbox.rules.backoff_seconds``).

Signature scheme (what receivers implement)::

    Webhook-Id:        the event id (stable across retries; receivers drop repeats by it)
    Webhook-Timestamp: unix seconds when this attempt was signed
    Webhook-Signature: "v1=" + hex(HMAC-SHA256(secret, f"{id}.{timestamp}." + raw body))

The signature header may carry several space-separated signatures; one valid is enough.
"""

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300
SECRET_PREFIX = "whsec_"  # noqa: S105 - a label, not a secret
ALL_EVENTS = "*"
MAX_URL_LENGTH = 2000


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


# ---- endpoints ------------------------------------------------------------------------


def check_url(url: str) -> str:
    """The URL, stripped, if it is an absolute http(s) URL with a host; else ValueError."""
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise ValueError(f"the URL must be 1 to {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise ValueError("the URL must not contain spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("the URL must start with http:// or https://")
    if not parts.hostname:
        raise ValueError("the URL must name a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("the URL must not carry credentials; deliveries are signed instead")
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError as exc:
        raise ValueError("the URL has an invalid port") from exc
    return url


def subscribes(event_types: Iterable[str], event_type: str) -> bool:
    types = set(event_types)
    return ALL_EVENTS in types or event_type in types


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


# ---- signatures -----------------------------------------------------------------------


def sign(*, secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    message = f"{event_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def signed_headers(*, secret: str, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Webhook-Id": event_id,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": sign(secret=secret, event_id=event_id, timestamp=timestamp, body=body),
    }


def verify_signature(
    *,
    secret: str,
    event_id: str,
    timestamp: str | int,
    body: bytes,
    signature: str,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Whether ``signature`` (a header value) signs this delivery and is recent enough.

    The timestamp tolerance bounds how long a captured delivery can be replayed.
    """
    try:
        signed_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - signed_at) > tolerance_seconds:
        return False
    expected = sign(secret=secret, event_id=event_id, timestamp=signed_at, body=body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signature.split())


# ---- retries --------------------------------------------------------------------------


def is_success(status_code: int) -> bool:
    return 200 <= status_code < 300


def status_after_attempt(*, succeeded: bool, attempts: int, max_attempts: int) -> DeliveryStatus:
    if succeeded:
        return DeliveryStatus.DELIVERED
    if attempts >= max_attempts:
        return DeliveryStatus.DEAD
    return DeliveryStatus.PENDING


# ---- order ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueuedDelivery:
    id: int
    endpoint_id: int
    resource: tuple[str, str]
    seq: int
    status: DeliveryStatus
    next_attempt_at: datetime
    leased_until: datetime | None = None


def attemptable(deliveries: Iterable[QueuedDelivery], now: datetime) -> set[int]:
    """The deliveries that may be sent now.

    A delivery is sent when it is pending, due and not leased to a worker, and it is the
    earliest (by outbox seq) pending delivery of its resource to its endpoint: so one
    resource's events reach an endpoint in the order they happened, while other resources
    and endpoints are not held up.
    """
    earliest: dict[tuple[int, tuple[str, str]], QueuedDelivery] = {}
    for delivery in deliveries:
        if delivery.status != DeliveryStatus.PENDING:
            continue
        key = (delivery.endpoint_id, delivery.resource)
        if key not in earliest or delivery.seq < earliest[key].seq:
            earliest[key] = delivery
    return {
        d.id
        for d in earliest.values()
        if d.next_attempt_at <= now and (d.leased_until is None or d.leased_until <= now)
    }
