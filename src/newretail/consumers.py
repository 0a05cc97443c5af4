"""The outbox consumers this system runs: the boot layer's one list of them.

Each domain defines its consumers next to its own code; this list is where they are wired
in, so the outbox never names a domain and a domain is never called by the one whose
events it follows. The app (for ``/metrics``), the worker (to dispatch) and tests build
their registry here.
"""

from newretail.analytics.events.platform import PLATFORM_EVENTS
from newretail.commission.consumers import COMMISSION_ACCRUAL
from newretail.integrations.consumers import FAN_OUT as WEBHOOK_FAN_OUT
from newretail.members.consumers import ORDER_POINTS
from newretail.notify.consumers import BUYERS_HEAR_OF_ORDERS, CONVERSATIONS_FOLLOW_BINDINGS
from newretail.outbox.consumers import Consumer, ConsumerRegistry
from newretail.paylater.service import CHARGES_FOLLOW_ORDERS
from newretail.pos.consumers import BALANCES_FOLLOW_REFUNDS
from newretail.presales.consumers import DEPOSITS_FOLLOW_ORDERS
from newretail.promotions.consumers import COUPONS_FOLLOW_ORDERS
from newretail.touchpoints.consumers import CODE_SALES

CONSUMERS: tuple[Consumer, ...] = (
    WEBHOOK_FAN_OUT,
    DEPOSITS_FOLLOW_ORDERS,
    CODE_SALES,
    ORDER_POINTS,
    COMMISSION_ACCRUAL,
    COUPONS_FOLLOW_ORDERS,
    BALANCES_FOLLOW_REFUNDS,
    PLATFORM_EVENTS,
    CONVERSATIONS_FOLLOW_BINDINGS,
    BUYERS_HEAR_OF_ORDERS,
    CHARGES_FOLLOW_ORDERS,
)


def registry() -> ConsumerRegistry:
    """A registry of every consumer above."""
    return ConsumerRegistry(CONSUMERS)
