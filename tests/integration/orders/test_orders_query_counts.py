"""Checkout and payment cost a fixed number of statements: pinned, so they cannot silently grow.

A line more costs three statements at checkout (its row, its guarded stock UPDATE, its
reservation line) and three at payment (its fulfilment line, its stock UPDATE and sale
movement); everything else is the same for any number of lines. Pinned on SQLite.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from tests import order_builders
from tests.integration.orders.flash import consumer_scope

from newretail.db import Database
from newretail.orders import service as orders_service
from newretail.orders.schemas import OrderCreate
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate


@contextmanager
def counted(database: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


def _checkout_and_pay(database: Database, shop: order_builders.Shop, lines: int) -> tuple[int, int]:
    scope = consumer_scope(order_builders.consumer(database))
    body = order_builders.order_body(shop)
    data = OrderCreate.model_validate({**body, "lines": body["lines"][:lines]})
    with counted(database) as checkout, database.transaction() as session:
        order = orders_service.create_order(session=session, scope=scope, data=data)
    with counted(database) as payment, database.transaction() as session:
        payments_service.pay(session=session, scope=scope, order_id=order.id, data=PaymentCreate())
    return len(checkout), len(payment)


def test_checkout_and_payment_statements_are_pinned(sqlite_database: Database) -> None:
    shop = order_builders.shop(sqlite_database, prices=[100, 200, 300])
    one = _checkout_and_pay(sqlite_database, shop, 1)
    three = _checkout_and_pay(sqlite_database, shop, 3)
    assert one == (23, 21)
    assert three == (one[0] + 6, one[1] + 6)
