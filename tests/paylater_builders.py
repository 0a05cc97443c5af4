"""Builders for pay-later tests: the brand's terms, orders taken on credit, the worker's runs."""

from datetime import timedelta
from typing import Any

from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.paylater import service as paylater_service
from newretail.paylater.schemas import DeferredCreate, PolicyUpdate
from tests.order_builders import consumer_scope


def terms(database: Database, brand_id: int, threshold: int, **fields: Any) -> None:
    """The brand's pay-later policy: the credit score needed, and ``PolicyUpdate``'s others."""
    data = PolicyUpdate(brand_id=brand_id, threshold=threshold, **fields)
    with database.transaction() as session:
        paylater_service.set_policy(session=session, scope=SYSTEM, data=data)


def take_on_credit(
    database: Database, consumer_id: int, order_id: int, charge_instruction: str | None = None
) -> int:
    """The consumer takes their placed order on credit: the deferred charge's id."""
    data = DeferredCreate(order_id=order_id, charge_instruction=charge_instruction)
    with database.transaction() as session:
        charge, _ = paylater_service.take_on_credit(
            session=session, scope=consumer_scope(consumer_id), data=data
        )
        return charge.id


def run(database: Database, days: float) -> int:
    """The worker's charging run ``days`` from now: how many charges it tried."""
    with database.transaction() as session:
        return paylater_service.charge_due(session=session, now=utcnow() + timedelta(days=days))
