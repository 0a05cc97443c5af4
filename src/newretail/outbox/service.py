"""Writing domain events into the transactional outbox.

The row is added to the caller's session, so it commits or rolls back with the change it
describes. Delivery (in-process consumers, webhooks, NATS) happens after commit, elsewhere.
"""

import uuid
from typing import Any

from sqlalchemy.orm import Session

from newretail.outbox.models import OutboxEvent


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
    return event
