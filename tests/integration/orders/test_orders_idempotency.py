"""Concurrent creates with one Idempotency-Key make one order; every caller gets its answer."""

from sqlalchemy import func, select
from tests import order_builders
from tests.integration.orders.flash import consumer_scope, together

from newretail.db import Database
from newretail.kernel.errors import DomainError
from newretail.kernel.models import IdempotencyRecord
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.orders.schemas import OrderCreate

CALLERS = 6


def _create(database: Database, consumer_id: int, body: dict[str, object]) -> object:
    scope = consumer_scope(consumer_id)
    data = OrderCreate.model_validate(body)
    try:
        with database.transaction() as session:
            return orders_service.idempotency.run(
                session=session,
                scope=scope,
                key="flash-1",
                operation="POST /orders",
                payload=data.model_dump(mode="json"),
                work=lambda: (
                    201,
                    {"id": orders_service.create_order(session=session, scope=scope, data=data).id},
                ),
            )
    except DomainError as exc:
        return exc.code


def test_concurrent_retries_with_one_key_create_one_order(database: Database) -> None:
    shop = order_builders.shop(database)
    buyer = order_builders.consumer(database)
    body = order_builders.order_body(shop)
    answers = together(CALLERS, CALLERS, lambda _: _create(database, buyer, body))
    changed = _create(database, buyer, {**body, "campaign": "other"})
    with database.transaction(read_only=True) as session:
        orders = session.scalar(select(func.count()).select_from(Order))
        records = session.scalar(select(func.count()).select_from(IdempotencyRecord))
    assert orders == records == 1
    assert len({str(a) for a in answers}) == 1
    assert changed == "idempotency_key_reused"
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (10, 1)
