"""Small worlds for the data bank's tests: members with their consents, events to send."""

from datetime import UTC, datetime, timedelta
from typing import Any

from newretail.db import Database
from newretail.members import service as members_service
from newretail.members.schemas import Consents
from tests import member_builders as mb


def member(
    database: Database,
    brand_id: int,
    *,
    analytics: bool = True,
    marketing: bool = False,
    phone: str | None = None,
    joined_at: datetime | None = None,
) -> int:
    """A member who joined online (``joined_at``, default now), with or without analytics and
    marketing consent, on a fresh consumer (of ``phone``, if given)."""
    with database.transaction() as session:
        found, _ = members_service.ensure_membership(
            session=session,
            brand_id=brand_id,
            consumer_id=mb.consumer(database, phone),
            channel=members_service.JoinChannel.ONLINE,
            store_id=None,
            consents=Consents(analytics=analytics, marketing=marketing),
            now=joined_at,
        )
        return found.id


def event(
    message_id: str,
    name: str = "Store Entered",
    *,
    at: datetime,
    anonymous_id: str | None = "anon-1",
    user_id: int | None = None,
    channel: str = "store_sensor",
    store: int | None = None,
    properties: dict[str, Any] | None = None,
    **context: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "messageId": message_id,
        "event": name,
        "channel": channel,
        "timestamp": at.isoformat(),
        "context": {**({"store": store} if store is not None else {}), **context},
        "properties": properties or {},
    }
    if anonymous_id is not None:
        body["anonymousId"] = anonymous_id
    if user_id is not None:
        body["userId"] = str(user_id)
    return body


def entered_then_tried_on() -> dict[str, Any]:
    """A funnel query body: entered a store, then tried something on, over the last day and
    the next."""
    now = datetime.now(UTC)
    steps = [
        {"label": "Entered", "events": ["Store Entered"]},
        {"label": "Tried on", "events": ["Item Tried On"]},
    ]
    return {
        "spec": {"steps": steps},
        "start": (now - timedelta(days=1)).isoformat(),
        "end": (now + timedelta(days=1)).isoformat(),
    }
