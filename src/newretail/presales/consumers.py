"""Deposits follow their orders: an outbox consumer of the orders' state changes.

Paying, cancelling, expiring or refunding a deposit's order or its balance order moves
the deposit (``lifecycle.follow_orders``). It reads the orders' current state, not the
event's, and moves by guarded transitions, so it is idempotent by itself and a late or
repeated event changes nothing.
"""

from collections.abc import Sequence

from sqlalchemy.orm import Session

from newretail.orders.rules import EVENT_OF
from newretail.outbox.consumers import Consumer
from newretail.outbox.models import OutboxEvent
from newretail.presales import lifecycle, rules


def follow_orders(session: Session, events: Sequence[OutboxEvent]) -> None:
    """Move the deposits of the pre-sale orders among ``events`` (one query for all)."""
    campaigns: set[int] = set()
    orders: set[int] = set()
    for event in events:
        campaign = rules.presale_of_campaign(event.payload.get("campaign"))
        if campaign is not None and event.resource_id.isdigit():
            campaigns.add(campaign)
            orders.add(int(event.resource_id))
    deposits = lifecycle.deposits_of_orders(
        session=session, campaign_ids=campaigns, order_ids=orders
    )
    if deposits:
        lifecycle.follow_orders(session=session, deposits=deposits)


DEPOSITS_FOLLOW_ORDERS = Consumer.batch(
    "presale_deposits", sorted(set(EVENT_OF.values())), follow_orders, dedupe=False
)
