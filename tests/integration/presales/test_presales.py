"""Pre-sales on the database: deposit → balance, windows, expiry keeping or refunding."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from tests import order_builders, presale_builders, promotion_builders
from tests.presale_builders import DEPOSIT, PRICE, VALUE

from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.orders.models import Order, OrderLineDiscount
from newretail.outbox.models import OutboxEvent
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate
from newretail.presales import errors
from newretail.presales import service as presales_service


def _balance(database: Database, deposit_id: int) -> int:
    scope = presale_builders.owner_scope(database, deposit_id)
    with database.transaction() as session:
        _, order = presales_service.order_balance(
            session=session, scope=scope, deposit_id=deposit_id
        )
        payments_service.pay(session=session, scope=scope, order_id=order.id, data=PaymentCreate())
        return order.id


def _deposit(database: Database, deposit_id: int) -> tuple[str, int]:
    with database.transaction(read_only=True) as session:
        d = presales_service.get_deposit(session=session, scope=SYSTEM, deposit_id=deposit_id)
        return d.status, d.refunded_amount


def test_a_paid_deposit_holds_stock_and_its_balance_sells_it(database: Database) -> None:
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(database, shop)
    deposit_id = presale_builders.paid_deposit(database, shop, presale_id, quantity=2)
    held = order_builders.level(database, shop.store_id, shop.skus[0])
    balance_id = _balance(database, deposit_id)
    presale_builders.dispatch(database)
    with database.transaction(read_only=True) as session:
        balance = session.get(Order, balance_id)
        assert balance is not None
        total, status, kind = balance.total, balance.status, balance.kind
    assert held == (10, 2)
    assert (kind, total) == ("balance", 2 * (PRICE - VALUE))
    assert status == "allocated"
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (8, 0)
    assert _deposit(database, deposit_id) == ("completed", 0)


def test_the_balance_outside_its_window_is_refused(database: Database) -> None:
    shop = order_builders.shop(database)
    tomorrow = presale_builders.today_in("Asia/Shanghai") + timedelta(days=1)
    presale_id = presale_builders.presale(database, shop, event_day=tomorrow)
    deposit_id = presale_builders.paid_deposit(database, shop, presale_id)
    scope = presale_builders.owner_scope(database, deposit_id)
    with pytest.raises(errors.BalanceWindowClosed), database.transaction() as session:
        presales_service.order_balance(session=session, scope=scope, deposit_id=deposit_id)


def test_an_unpaid_balance_expires_keeping_the_deposit(database: Database) -> None:
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(database, shop, unpaid_rule="keep")
    deposit_id = presale_builders.paid_deposit(database, shop, presale_id)
    later = utcnow() + timedelta(days=2)
    with database.transaction() as session:
        settled = presales_service.expire_unpaid(session=session, now=later)
    with database.transaction() as session:
        again = presales_service.expire_unpaid(session=session, now=later)
    assert (settled, again) == (1, 0)
    assert _deposit(database, deposit_id) == ("expired", 0)
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (10, 0)


def test_an_unpaid_balance_expires_refunding_the_deposit(database: Database) -> None:
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(database, shop, unpaid_rule="refund")
    deposit_id = presale_builders.paid_deposit(database, shop, presale_id)
    scope = presale_builders.owner_scope(database, deposit_id)
    with database.transaction() as session:
        presales_service.order_balance(session=session, scope=scope, deposit_id=deposit_id)
    with database.transaction() as session:
        presales_service.expire_unpaid(session=session, now=utcnow() + timedelta(days=2))
    with database.transaction(read_only=True) as session:
        orders = {o.kind: o for o in session.scalars(select(Order))}
        kinds = {k: (o.status, o.refunded_amount) for k, o in orders.items()}
        types = set(session.scalars(select(OutboxEvent.type)))
    assert _deposit(database, deposit_id) == ("expired", DEPOSIT)
    assert kinds == {"deposit": ("refunded", DEPOSIT), "balance": ("cancelled", 0)}
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (10, 0)
    assert {"presale.deposit_placed", "presale.deposit_expired"} <= types


def test_the_board_counts_paid_deposits_per_store_and_sku(database: Database) -> None:
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(database, shop)
    presale_builders.paid_deposit(database, shop, presale_id, quantity=2)
    presale_builders.paid_deposit(database, shop, presale_id)
    with database.transaction() as session:
        board = presales_service.board(session=session, scope=SYSTEM, presale_id=presale_id)
    rows = [(r.store_id, r.sku_id, r.deposits, r.units, r.deposit_amount) for r in board.rows]
    assert rows == [(shop.store_id, shop.skus[0], 2, 3, 3 * DEPOSIT)]


def test_deposits_outside_the_deposit_window_are_refused(database: Database) -> None:
    shop = order_builders.shop(database)
    past = utcnow() - timedelta(days=3)
    presale_id = presale_builders.presale(
        database,
        shop,
        deposit_starts_at=past.isoformat(),
        deposit_ends_at=(past + timedelta(days=1)).isoformat(),
    )
    with pytest.raises(errors.DepositWindowClosed):
        presale_builders.paid_deposit(database, shop, presale_id)


def test_a_balance_meets_a_threshold_on_the_presale_price_and_then_takes_the_deposit(
    database: Database,
) -> None:
    """满 500 减 50 on a ¥599 pre-sale price: met before the deposit (worth ¥150) is taken,
    though the ¥449 left after it would not meet it."""
    shop = order_builders.shop(database)
    promotion = promotion_builders.promotion(
        database, shop, terms={"tiers": [{"threshold": 50_000, "off": 5_000}]}
    )
    presale_id = presale_builders.presale(database, shop)
    deposit_id = presale_builders.paid_deposit(database, shop, presale_id)
    balance_id = _balance(database, deposit_id)
    with database.transaction(read_only=True) as session:
        balance = session.get(Order, balance_id)
        assert balance is not None
        amounts = (balance.subtotal, balance.discount, balance.total)
        rows = session.execute(
            select(OrderLineDiscount.offer_key, OrderLineDiscount.amount).where(
                OrderLineDiscount.order_id == balance_id
            )
        ).all()
    assert amounts == (PRICE, 5_000 + VALUE, PRICE - 5_000 - VALUE)
    assert [tuple(r) for r in rows] == [(f"promotion:{promotion}", 5_000)]
