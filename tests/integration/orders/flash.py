"""A flash sale for tests: many buyers (threads, each its own transaction) for a few units."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from tests import order_builders
from tests.order_builders import consumer_scope

from newretail.db import Database
from newretail.kernel.errors import DomainError
from newretail.orders import service as orders_service
from newretail.orders.schemas import OrderCreate
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate

T = TypeVar("T")


def together(workers: int, tasks: int, attempt: Callable[[int], T]) -> list[T]:
    """``attempt(0..tasks-1)`` on ``workers`` threads, every wave released by one barrier."""
    barrier = threading.Barrier(workers)

    def task(n: int) -> T:
        barrier.wait(timeout=120)
        return attempt(n)

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(task, range(tasks)))


@dataclass(frozen=True)
class Outcome:
    order_id: int | None
    paid: bool
    refusal: str | None


def buy(database: Database, shop: order_builders.Shop, consumer_id: int, pay: bool) -> Outcome:
    """One buyer: an order of one unit of the hot SKU, paid at once when ``pay``."""
    scope = consumer_scope(consumer_id)
    data = OrderCreate.model_validate(
        {
            "store_id": shop.store_id,
            "channel": "livestream",
            "lines": [{"sku_id": shop.skus[0], "quantity": 1}],
            "delivery": {"method": "pickup"},
        }
    )
    try:
        with database.transaction() as session:
            order_id = orders_service.create_order(session=session, scope=scope, data=data).id
    except DomainError as exc:
        return Outcome(None, False, exc.code)
    if not pay:
        return Outcome(order_id, False, None)
    with database.transaction() as session:
        payments_service.pay(session=session, scope=scope, order_id=order_id, data=PaymentCreate())
    return Outcome(order_id, True, None)
