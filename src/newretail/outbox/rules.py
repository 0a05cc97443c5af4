"""Pure rules of event delivery: the wire envelope, NATS subjects and the retry backoff."""

import json
from datetime import datetime
from typing import Any

PLATFORM_SUBJECT = "platform"  # subject token for events that belong to no brand


def envelope(
    *,
    event_id: str,
    type: str,
    occurred_at: datetime,
    brand_id: int | None,
    resource_type: str,
    resource_id: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    """The one JSON shape of an event outside the process (webhooks and NATS alike)."""
    return {
        "id": event_id,
        "type": type,
        "occurred_at": occurred_at.isoformat(),
        "brand_id": brand_id,
        "resource": {"type": resource_type, "id": resource_id},
        "data": data,
    }


def encode(body: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON; receivers verify signatures over exactly these bytes."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def subject(prefix: str, brand_id: int | None, event_type: str) -> str:
    """``prefix.brand.type``, so subscribers can filter by brand and by type with wildcards."""
    brand = PLATFORM_SUBJECT if brand_id is None else str(brand_id)
    return f"{prefix}.{brand}.{event_type}"


def stream_subjects(prefix: str) -> list[str]:
    return [f"{prefix}.>"]


def backoff_seconds(attempt: int, *, base: float, cap: float, jitter: float) -> float:
    """Wait after failed attempt number ``attempt`` (1-based): doubling, capped, jittered.

    Half of the wait is fixed and half is ``jitter`` (0 to 1) of it, so retries of many
    deliveries that failed together spread out instead of arriving together again. Webhook
    deliveries and in-process consumers both retry by this rule.
    """
    if attempt < 1:
        raise ValueError("attempts are counted from 1")
    if not 0.0 <= jitter <= 1.0:
        raise ValueError("jitter is a fraction from 0 to 1")
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, 64))
    return ceiling / 2 + ceiling / 2 * jitter
