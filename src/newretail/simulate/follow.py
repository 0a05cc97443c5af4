"""Running the order consumers (points, commission accrual) over the outbox while building.

The demo server's worker dispatches the outbox once it serves; the world building runs the
two consumers whose results the demo shows at once, with their receipts, so the worker does
not run them again (commission accrual keeps no receipts but writes nothing twice). A cursor
in the world record keeps each call to the events written since the last one.
"""

from sqlalchemy import select

from newretail.commission.consumers import COMMISSION_ACCRUAL
from newretail.members.consumers import ORDER_POINTS
from newretail.outbox.dispatch import consume
from newretail.outbox.models import OutboxEvent
from newretail.simulate.world import StepContext

CONSUMERS = (ORDER_POINTS, COMMISSION_ACCRUAL)
BATCH = 100
CURSOR = "followed_outbox_seq"


def follow_orders(ctx: StepContext) -> None:
    """Points and commission over the events written since the last call, in outbox order."""
    ctx.session.flush()
    ctx.session.expire_all()  # bulk updates (backdated times) are read fresh
    last = int(ctx.world.truth.get(CURSOR, 0))
    while True:
        events = list(
            ctx.session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.dispatched_at.is_(None), OutboxEvent.seq > last)
                .order_by(OutboxEvent.seq)
                .limit(BATCH)
            )
        )
        if not events:
            break
        last = events[-1].seq
        for consumer in CONSUMERS:
            wanted = [event for event in events if consumer.wants(event.type)]
            if wanted:
                consume(session=ctx.session, consumer=consumer, events=wanted)
    ctx.world.truth[CURSOR] = last
