"""Read-only pay-later figures for the dashboards, scoped like every report (kernel/reporting).

A charge is overdue once its due date has passed while it is still open (scheduled, being
retried or on the dunning list); a region's or a store's figure counts the charges of orders
sold at its stores.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newretail.kernel.reporting import covered_stores
from newretail.kernel.scope import Scope
from newretail.paylater.models import DeferredCharge
from newretail.paylater.rules import OPEN


@dataclass(frozen=True)
class Overdue:
    charges: int
    amount: int


def overdue_charges(*, session: Session, scope: Scope, brand_id: int, now: datetime) -> Overdue:
    """How many open charges are past their due date, and what they still owe."""
    query = select(func.count(), func.coalesce(func.sum(DeferredCharge.amount), 0)).where(
        DeferredCharge.brand_id == brand_id,
        DeferredCharge.status.in_([status.value for status in OPEN]),
        DeferredCharge.due_at < now,
    )
    stores = covered_stores(scope, brand_id)
    if stores is not None:
        query = query.where(DeferredCharge.store_id.in_(stores))
    charges, amount = session.execute(query).one()
    return Overdue(int(charges), int(amount))
