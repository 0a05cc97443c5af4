"""The webhook fan-out: an outbox consumer that queues one delivery per subscribed endpoint.

Idempotent by itself (a delivery is unique per endpoint and event), so no receipts are kept.
While it waits to retry an event, later events of the same resource are held back from
delivery (``delivery.claimable``), so a resource's events still arrive in order.
"""

from collections.abc import Sequence

from sqlalchemy.orm import Session

from newretail.integrations import service
from newretail.outbox.consumers import ALL_TYPES, Consumer
from newretail.outbox.models import OutboxEvent

FAN_OUT_NAME = "webhook_fan_out"


def fan_out(session: Session, events: Sequence[OutboxEvent]) -> None:
    service.enqueue_deliveries(session=session, events=events)


FAN_OUT = Consumer.batch(FAN_OUT_NAME, [ALL_TYPES], fan_out, dedupe=False)
