"""A deposit's status follows its orders through the outbox consumer, never when it is read."""

from sqlalchemy import func, select, update
from tests import order_builders, presale_builders
from tests.presale_builders import DEPOSIT

from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.orders import service as orders_service
from newretail.outbox.models import OutboxEvent
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate, RefundCreate
from newretail.presales import service as presales_service
from newretail.presales.schemas import DepositCreate


def _placed(database: Database, shop: order_builders.Shop, presale_id: int) -> tuple[int, int]:
    """An unpaid deposit of a new consumer: (deposit id, deposit order id)."""
    scope = presale_builders.consumer_scope(order_builders.consumer(database))
    data = DepositCreate(store_id=shop.store_id, sku_id=shop.skus[0], quantity=1)
    with database.transaction() as session:
        deposit, order = presales_service.place_deposit(
            session=session, scope=scope, presale_id=presale_id, data=data
        )
        return deposit.id, order.id


def _pay(database: Database, deposit_id: int, order_id: int) -> None:
    scope = presale_builders.owner_scope(database, deposit_id)
    with database.transaction() as session:
        payments_service.pay(session=session, scope=scope, order_id=order_id, data=PaymentCreate())


def _read(database: Database, deposit_id: int) -> tuple[str, int]:
    """The deposit as a GET sees it, through a transaction the database keeps read-only."""
    scope = presale_builders.owner_scope(database, deposit_id)
    with database.transaction(read_only=True) as session:
        mine = presales_service.list_deposits(session=session, scope=scope)
        deposit = presales_service.get_deposit(session=session, scope=scope, deposit_id=deposit_id)
        assert [d.id for d in mine] == [deposit_id]
        return deposit.status, deposit.refunded_amount


def _count(database: Database, event_type: str) -> int:
    with database.transaction(read_only=True) as session:
        query = select(func.count()).where(OutboxEvent.type == event_type)
        return int(session.scalar(query) or 0)


def test_a_deposit_follows_its_paid_orders_through_the_consumer(database: Database) -> None:
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(database, shop)
    deposit_id, order_id = _placed(database, shop, presale_id)
    _pay(database, deposit_id, order_id)
    before = _read(database, deposit_id)
    presale_builders.dispatch(database)
    deposited = _read(database, deposit_id)
    scope = presale_builders.owner_scope(database, deposit_id)
    with database.transaction() as session:
        _, balance = presales_service.order_balance(
            session=session, scope=scope, deposit_id=deposit_id
        )
    _pay(database, deposit_id, balance.id)
    presale_builders.dispatch(database)
    assert before == ("awaiting_payment", 0)
    assert deposited == ("deposited", 0)
    assert _read(database, deposit_id) == ("completed", 0)


def test_following_the_same_events_again_moves_nothing(database: Database) -> None:
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(database, shop)
    deposit_id = presale_builders.paid_deposit(database, shop, presale_id)
    presale_builders.dispatch(database)
    with database.transaction() as session:
        session.execute(update(OutboxEvent).values(dispatched_at=None))
    again = presale_builders.dispatch(database)
    assert again > 0
    assert _read(database, deposit_id) == ("deposited", 0)
    assert _count(database, "presale.deposit_paid") == 1


def test_an_unpaid_deposit_order_cancelled_lapses_the_deposit(database: Database) -> None:
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(database, shop)
    deposit_id, order_id = _placed(database, shop, presale_id)
    scope = presale_builders.owner_scope(database, deposit_id)
    with database.transaction() as session:
        orders_service.cancel(session=session, scope=scope, order_id=order_id)
    presale_builders.dispatch(database)
    assert _read(database, deposit_id) == ("lapsed", 0)
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (10, 0)


def test_a_refunded_deposit_closes_and_gives_its_units_back(database: Database) -> None:
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(database, shop)
    deposit_id = presale_builders.paid_deposit(database, shop, presale_id, quantity=2)
    scope = presale_builders.owner_scope(database, deposit_id)
    with database.transaction() as session:
        _, balance = presales_service.order_balance(
            session=session, scope=scope, deposit_id=deposit_id
        )
        deposit = presales_service.get_deposit(session=session, scope=SYSTEM, deposit_id=deposit_id)
        payments_service.refund(
            session=session,
            scope=SYSTEM,
            order_id=deposit.deposit_order_id,
            data=RefundCreate(amount=2 * DEPOSIT, reason="changed my mind"),
        )
    held = order_builders.level(database, shop.store_id, shop.skus[0])
    presale_builders.dispatch(database)
    with database.transaction(read_only=True) as session:
        balance_status = orders_service.get_order(
            session=session, scope=SYSTEM, order_id=balance.id
        ).status
    assert held == (10, 2)
    assert _read(database, deposit_id) == ("refunded", 2 * DEPOSIT)
    assert balance_status == "cancelled"
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (10, 0)
    assert _count(database, "presale.deposit_refunded") == 1
