"""Commission accrual: an outbox consumer of orders, returns, pay-later charges and bindings.

Checkout never calls commission. Every order event (and a return's or a pay-later charge's,
which name their order) brings the ledger of that order in line with the order as it is
now (``accrual.accrue_orders``); a member's first binding to a guide may earn a CPA entry
(``recruits.accrue_joins``). Both are idempotent by themselves (unique entry keys, the
accrual mark, state read fresh), so the consumer keeps no per-event records.
"""

from collections.abc import Sequence

from sqlalchemy.orm import Session

from newretail.commission import accrual, recruits
from newretail.orders.rules import EVENT_OF
from newretail.outbox.consumers import Consumer
from newretail.outbox.models import OutboxEvent

ORDER_EVENTS = frozenset(EVENT_OF.values())
NAMING_AN_ORDER = frozenset({"deferred.charged", "return.received"})
BINDING = "member.bound"


def order_of(event: OutboxEvent) -> int | None:
    if event.type in ORDER_EVENTS:
        return int(event.resource_id) if event.resource_id.isdigit() else None
    found = event.payload.get("order_id")
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def follow(session: Session, events: Sequence[OutboxEvent]) -> None:
    """Accrue, reprice or release the orders ``events`` name; pay CPA for new recruits."""
    orders = {o for o in (order_of(e) for e in events if e.type != BINDING) if o is not None}
    if orders:
        accrual.accrue_orders(session=session, order_ids=orders)
    joins = recruits.first_bindings(e.payload for e in events if e.type == BINDING)
    if joins:
        recruits.accrue_joins(session=session, bindings=joins)


COMMISSION_ACCRUAL = Consumer.batch(
    "commission_accrual",
    sorted(ORDER_EVENTS | NAMING_AN_ORDER | {BINDING}),
    follow,
    dedupe=False,
)
