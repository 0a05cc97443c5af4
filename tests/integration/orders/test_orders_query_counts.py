"""Checkout, payment and purchase cost a fixed number of statements: pinned, so they cannot
silently grow, with the guarded stock statement last.

With the catalog's copies current (a sale has read the store, brand and offers before),
one line costs, on PostgreSQL (with several, the stock is read in a statement of its own):

    checkout  4   the buyer with the stamp and the stock (a consumer's pickup of one SKU
                  reads them first, in one statement); the hold with its lines, the order
                  with its lines (one statement each); the guarded hold with the
                  order.created event
    payment   7   the order locked with its lines and the cache stamp, pending payments;
                  the payment, the order to allocated, the fulfilment with its lines (one
                  statement), the hold committed; the sale (the guarded UPDATE, its
                  movement, and the hold's event with order.paid and order.allocated, in
                  one statement)
    purchase  3   the buyer with the stamp and the stock, as for checkout; the order with
                  its lines, its payment and its fulfilment with the fulfilment's lines
                  (one statement, when the lines leave from one place); the sale with the
                  three events (the merchant account receiving the payment comes from
                  per-process copies filed under the same stamp)

The brand's automatic promotions come from per-process copies filed under the stamp the
sale reads anyway, so a brand without promotions costs nothing more; a buyer who is a member
costs one read of their wallet (``test_a_member_without_coupons_...``).

SQLite adds its BEGIN IMMEDIATE (a buyer turned away by the first read sends none) and,
having no DML in CTEs, inserts the order's lines, the fulfilment's lines, the events and
each sale movement in statements of their own. A line more costs one guarded statement (two
on SQLite where it sells); rows of several lines go in one statement per table.
"""

from typing import Any

import pytest
from psycopg import _queries
from psycopg.pq import TransactionStatus
from tests import code_builders, member_builders, order_builders
from tests.integration.orders.flash import consumer_scope
from tests.statements import count_statements as counted
from tests.statements import statements_with_parameters

from newretail.db import Database
from newretail.inventory import soldout
from newretail.inventory.errors import InsufficientStock
from newretail.members.models import Membership
from newretail.orders import service as orders_service
from newretail.orders.schemas import OrderCreate
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate


def _buy(database: Database, shop: order_builders.Shop, lines: int) -> dict[str, list[str]]:
    scope = consumer_scope(order_builders.consumer(database))
    body = order_builders.order_body(shop)
    data = OrderCreate.model_validate({**body, "lines": body["lines"][:lines]})
    with counted(database) as checkout, database.transaction() as session:
        order = orders_service.create_order(session=session, scope=scope, data=data)
    with counted(database) as payment, database.transaction() as session:
        payments_service.pay(session=session, scope=scope, order_id=order.id, data=PaymentCreate())
    with counted(database) as purchase, database.transaction() as session:
        payments_service.purchase(session=session, scope=scope, data=data, payment=PaymentCreate())
    return {"checkout": checkout, "payment": payment, "purchase": purchase}


def _counts(statements: dict[str, list[str]]) -> tuple[int, int, int]:
    return len(statements["checkout"]), len(statements["payment"]), len(statements["purchase"])


def test_checkout_payment_and_purchase_statements_are_pinned(database: Database) -> None:
    shop = order_builders.shop(database, prices=[100, 200, 300], stock=10)
    _buy(database, shop, 3)  # the first sale of the process reads the catalog's copies
    one = _buy(database, shop, 1)
    three = _buy(database, shop, 3)
    sqlite = database.is_sqlite
    assert _counts(one) == ((8, 11, 10) if sqlite else (4, 7, 3))
    assert _counts(three) == ((11, 15, 15) if sqlite else (7, 9, 6))
    if not sqlite:  # the events ride on the first guarded statement
        for statements in one.values():
            first = _after_first_stock_change(statements)[0]
            assert "INSERT INTO outbox_event" in first


def _after_first_stock_change(statements: list[str]) -> list[str]:
    first = next(n for n, s in enumerate(statements) if STOCK in s)
    return statements[first:]


STOCK = "UPDATE stock_level SET"


def test_the_guarded_stock_statements_come_last_one_per_line(database: Database) -> None:
    shop = order_builders.shop(database, prices=[100, 200, 300], stock=10)
    bought = _buy(database, shop, 3)
    for statements in bought.values():
        assert sum(STOCK in s for s in statements) == 3
        assert all("stock_level" in s for s in _after_first_stock_change(statements))
        assert STOCK in statements[-1]


def test_a_touchpoint_code_costs_one_read_more_and_nothing_without_one(
    database: Database,
) -> None:
    """The code is a table of its own domain, so it cannot join the buyer's read: one more
    statement, for orders that name a code only."""
    shop = order_builders.shop(database, prices=[100])
    code = code_builders.code(database, shop.store_id)
    scope = consumer_scope(order_builders.consumer(database))
    plain = OrderCreate.model_validate(order_builders.order_body(shop))
    coded = OrderCreate.model_validate(order_builders.order_body(shop, touchpoint_code=code))
    counts = []
    for data in (plain, plain, coded):
        with counted(database) as statements, database.transaction() as session:
            orders_service.create_order(session=session, scope=scope, data=data)
        counts.append(len(statements))
    assert counts[2] == counts[1] + 1


def test_a_member_without_coupons_costs_two_reads_more_where_nothing_is_on_offer(
    database: Database,
) -> None:
    """The brand's promotions come from per-process copies under the stamp the sale reads
    anyway; only the member's wallet is read, once, and their points with the brand's
    redemption rate, once."""
    shop = order_builders.shop(database, prices=[100])
    member_id = member_builders.member(database, shop.world)
    with database.transaction(read_only=True) as session:
        member = session.get(Membership, member_id)
        assert member is not None
        member_consumer = member.consumer_id
    plain = OrderCreate.model_validate(order_builders.order_body(shop))
    counts = []
    for consumer_id in (
        order_builders.consumer(database),
        order_builders.consumer(database),
        member_consumer,
    ):
        with counted(database) as statements, database.transaction() as session:
            orders_service.create_order(
                session=session, scope=consumer_scope(consumer_id), data=plain
            )
        counts.append(len(statements))
    assert counts[2] == counts[1] + 2


@pytest.mark.parametrize("prices", [[100], [100, 200]], ids=["one SKU", "two SKUs"])
def test_a_buyer_of_a_sold_out_pickup_is_turned_away_by_one_read(
    database: Database, prices: list[int]
) -> None:
    """A consumer's pickup reads the store's stock before the prices (with the buyer, for
    one SKU): a sold-out SKU costs that one statement, with no BEGIN before it on either
    database, for checkout and purchase alike; a buyer after that refusal costs none while
    the shelf's mark lasts. A SKU the store has never stocked is refused as before, by the
    checks that follow."""
    shop = order_builders.shop(database, prices=prices, stock=1)
    scope = consumer_scope(order_builders.consumer(database))
    data = OrderCreate.model_validate(order_builders.order_body(shop))
    with database.transaction() as session:  # the process has seen the store
        payments_service.purchase(session=session, scope=scope, data=data, payment=PaymentCreate())
    counts = []
    for keep in (0.0, 1.0):  # without marks, then with them
        database.local[soldout.LOCAL] = soldout.SoldOutMarks(keep)
        for _ in range(2):
            refused = pytest.raises(InsufficientStock, match="pickup store")
            with counted(database) as checkout, refused, database.transaction() as session:
                orders_service.create_order(session=session, scope=scope, data=data)
            refused = pytest.raises(InsufficientStock, match="pickup store")
            with counted(database) as purchase, refused, database.transaction() as session:
                payments_service.purchase(
                    session=session, scope=scope, data=data, payment=PaymentCreate()
                )
            counts.append((len(checkout), len(purchase)))
            assert all("FROM stock_level" in s for s in checkout + purchase)
    assert counts == [(1, 1), (1, 1), (1, 0), (0, 0)]


def test_a_sold_out_pickup_opens_no_transaction(database: Database) -> None:
    """The stock read of a refused buyer runs before the session's transaction begins on
    the database: on PostgreSQL in autocommit, no BEGIN and no ROLLBACK around it; on
    SQLite before its BEGIN IMMEDIATE, so without the writers' lock."""
    shop = order_builders.shop(database, prices=[100], stock=0)
    scope = consumer_scope(order_builders.consumer(database))
    data = OrderCreate.model_validate(order_builders.order_body(shop))
    order_builders.receive(database, shop.store_id, shop.skus[0], 1)
    with database.transaction() as session:  # the process has seen the store
        payments_service.purchase(session=session, scope=scope, data=data, payment=PaymentCreate())
    session = database.session()
    try:
        with pytest.raises(InsufficientStock):
            payments_service.purchase(
                session=session, scope=scope, data=data, payment=PaymentCreate()
            )
        driver: Any = session.connection().connection.dbapi_connection
        if database.is_sqlite:
            began = driver.in_transaction or driver.holds
        else:
            began = driver.info.transaction_status != TransactionStatus.IDLE
    finally:
        session.close()
    assert not began


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_each_statement_of_a_sale_fits_the_drivers_translation_cache(database: Database) -> None:
    """psycopg keeps its translation of a statement (named placeholders to PostgreSQL's
    numbered ones) only for texts up to its length and parameter limits; a longer statement
    is translated again, in Python, each time it runs. Every statement of a checkout, a
    payment and a purchase of several lines stays within both."""
    shop = order_builders.shop(database, prices=[100, 200, 300], stock=10)
    _buy(database, shop, 3)
    with statements_with_parameters(database) as ran:
        _buy(database, shop, 3)
    assert len(ran) >= 10
    for statement, parameters in ran:
        assert len(statement.encode()) <= _queries.MAX_CACHED_STATEMENT_LENGTH, statement[:200]
        assert len(parameters or ()) <= _queries.MAX_CACHED_STATEMENT_PARAMS, statement[:200]
