"""Racing transitions end in exactly one outcome: pay against cancel, pay against pay."""

from datetime import timedelta

from sqlalchemy import func, select
from tests import order_builders
from tests.integration.orders.flash import buy, consumer_scope, together

from newretail.db import Database, utcnow
from newretail.kernel.errors import DomainError
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.payments import service as payments_service
from newretail.payments.models import Payment
from newretail.payments.schemas import PaymentCreate

ORDERS = 6


def _attempt(database: Database, consumer_id: int, order_id: int, action: str) -> str:
    scope = consumer_scope(consumer_id)
    try:
        with database.transaction() as session:
            if action == "pay":
                payments_service.pay(
                    session=session, scope=scope, order_id=order_id, data=PaymentCreate()
                )
            else:
                orders_service.cancel(session=session, scope=scope, order_id=order_id)
    except DomainError as exc:
        return exc.code
    return action


def test_pay_and_cancel_racing_on_each_order_leave_exactly_one_outcome(
    database: Database,
) -> None:
    shop = order_builders.shop(database, stock=ORDERS)
    buyer = order_builders.consumer(database)
    orders = [buy(database, shop, buyer, pay=False).order_id for _ in range(ORDERS)]
    tasks = [(order_id, action) for order_id in orders for action in ("pay", "cancel")]
    results = together(
        4, len(tasks), lambda n: _attempt(database, buyer, tasks[n][0] or 0, tasks[n][1])
    )
    with database.transaction(read_only=True) as session:
        statuses = dict(session.execute(select(Order.id, Order.status)).all())
        succeeded = session.scalar(
            select(func.count()).select_from(Payment).where(Payment.status == "succeeded")
        )
    wins = [r for r in results if r in ("pay", "cancel")]
    paid = sum(status == "allocated" for status in statuses.values())
    assert len(wins) == ORDERS
    assert set(results) - {"pay", "cancel"} <= {"order_not_payable", "order_not_cancellable"}
    assert set(statuses.values()) <= {"allocated", "cancelled"}
    assert paid == wins.count("pay") == succeeded
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (ORDERS - paid, 0)


def test_two_payments_of_one_order_charge_it_once(database: Database) -> None:
    shop = order_builders.shop(database, stock=ORDERS)
    buyer = order_builders.consumer(database)
    orders = [buy(database, shop, buyer, pay=False).order_id for _ in range(ORDERS)]
    tasks = [order_id for order_id in orders for _ in range(2)]
    results = together(4, len(tasks), lambda n: _attempt(database, buyer, tasks[n] or 0, "pay"))
    with database.transaction(read_only=True) as session:
        charged = dict(
            session.execute(
                select(Payment.order_id, func.count())
                .where(Payment.status == "succeeded")
                .group_by(Payment.order_id)
            ).all()
        )
    assert results.count("pay") == ORDERS
    assert set(results) == {"pay", "order_already_paid", "order_not_payable"} & set(results) | {
        "pay"
    }
    assert charged == {order_id: 1 for order_id in orders}


def test_concurrent_payments_of_one_order_charge_the_provider_once(database: Database) -> None:
    provider = order_builders.counting_provider("countingraces")
    shop = order_builders.shop(database, stock=ORDERS)
    buyer = order_builders.consumer(database)
    orders = [buy(database, shop, buyer, pay=False).order_id or 0 for _ in range(ORDERS)]
    tasks = [order_id for order_id in orders for _ in range(3)]
    data = PaymentCreate(provider=provider.name)

    def pay(n: int) -> str:
        try:
            with database.transaction() as session:
                payments_service.pay(
                    session=session, scope=consumer_scope(buyer), order_id=tasks[n], data=data
                )
        except DomainError as exc:
            return exc.code
        return "pay"

    results = together(6, len(tasks), pay)
    total = sum(shop.prices[:1]) * ORDERS
    assert results.count("pay") == ORDERS
    assert set(results) == {"pay", "order_already_paid"}
    assert (sum(provider.charges), provider.refunds) == (total, [])


def test_money_confirmed_after_the_order_expired_is_given_back(database: Database) -> None:
    shop = order_builders.shop(database, stock=1)
    buyer = order_builders.consumer(database)
    scope = consumer_scope(buyer)
    order_id = buy(database, shop, buyer, pay=False).order_id or 0
    with database.transaction() as session:
        payment, _ = payments_service.pay(
            session=session,
            scope=scope,
            order_id=order_id,
            data=PaymentCreate(instruction="timeout"),
        )
        ref = payment.provider_ref
    with database.transaction() as session:
        expired = orders_service.expire_unpaid(session=session, now=utcnow() + timedelta(hours=1))
    body, headers = order_builders.sandbox().notification(provider_ref=ref, outcome="succeeded")
    with database.transaction() as session:
        settled = payments_service.notify(
            session=session, provider_name="sandbox", headers=headers, body=body
        )
        status = session.scalar(select(Order.status).where(Order.id == order_id))
    assert expired == 1
    assert settled.status == "reversed"
    assert status == "cancelled"
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (1, 0)
