"""Paid orders earn points by the brand's rule; refunds take their share back, never into
debt; replaying the orders' events changes nothing."""

from sqlalchemy import func, select
from tests import member_builders, order_builders, presale_builders, return_builders
from tests.integration.orders.flash import consumer_scope

from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.members import service as members_service
from newretail.members.consumers import follow_order
from newretail.members.models import Membership, PointsEntry
from newretail.members.schemas import PointsEntryCreate
from newretail.orders.schemas import OrderCreate
from newretail.outbox.models import OutboxEvent
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate

STANDARD = {"code": "standard", "name": "Standard", "threshold": 0}


def _member_buys(database: Database, shop: order_builders.Shop) -> tuple[int, int]:
    """A member of the shop's brand buys one unit of the first SKU, paid: (member, order)."""
    member_id = member_builders.member(database, shop.world)
    consumer = member_builders.consumer_of(database, member_id)
    data = OrderCreate.model_validate(
        order_builders.order_body(shop, lines=[{"sku_id": shop.skus[0], "quantity": 1}])
    )
    with database.transaction() as session:
        _, order = payments_service.purchase(
            session=session, scope=consumer_scope(consumer), data=data, payment=PaymentCreate()
        )
    return member_id, order.id


def _refund(database: Database, order_id: int, amount: int) -> None:
    order_builders.refund_amount(database, order_id, amount)
    presale_builders.dispatch(database)


def _balance(database: Database, member_id: int) -> tuple[int, int]:
    """(balance, ledger entries) of a member."""
    with database.transaction(read_only=True) as session:
        member = session.get(Membership, member_id)
        assert member is not None
        entries = session.scalar(select(func.count()).where(PointsEntry.membership_id == member_id))
        return member.points, int(entries or 0)


def test_a_paid_order_earns_points_per_yuan_times_the_tier_multiplier(
    database: Database,
) -> None:
    shop = order_builders.shop(database, prices=[12_345])
    member_builders.programme(
        database,
        shop.world.brand.id,
        points_per_yuan=2,
        tiers=[
            {"code": "standard", "name": "Standard", "threshold": 0, "points_multiplier_pct": 150}
        ],
    )
    member_id, _ = _member_buys(database, shop)
    presale_builders.dispatch(database)
    assert _balance(database, member_id) == (12_345 * 2 * 150 // 10_000, 1)


def test_refunds_take_back_points_in_proportion_rounded_for_the_brand(
    database: Database,
) -> None:
    shop = order_builders.shop(database, prices=[12_345])
    member_id, order_id = _member_buys(database, shop)
    presale_builders.dispatch(database)
    earned, _ = _balance(database, member_id)
    _refund(database, order_id, 4_000)
    partly, _ = _balance(database, member_id)
    _refund(database, order_id, 8_345)
    assert (earned, partly) == (123, 123 * 8_345 // 12_345)
    assert _balance(database, member_id) == (0, 3)


def test_a_return_refunded_through_the_returns_service_takes_back_its_units_points(
    database: Database,
) -> None:
    shop = order_builders.shop(database, prices=[12_345, 5_990])
    member_id = member_builders.member(database, shop.world)
    order_id = return_builders.received_order(
        database, shop, quantities=[2, 1], member_id=member_id
    )
    presale_builders.dispatch(database)
    earned = _balance(database, member_id)
    returned = return_builders.line_ids(database, order_id)[0]
    consumer = member_builders.consumer_of(database, member_id)
    return_builders.send_back(database, shop, order_id, consumer, [(returned, 1)])
    presale_builders.dispatch(database)
    assert earned == (306, 1)
    assert _balance(database, member_id) == (306 * (30_680 - 12_345) // 30_680, 2)


def test_a_refund_never_takes_the_balance_below_zero(database: Database) -> None:
    shop = order_builders.shop(database, prices=[10_000])
    member_id, order_id = _member_buys(database, shop)
    presale_builders.dispatch(database)
    with database.transaction() as session:
        members_service.post(
            session=session,
            scope=SYSTEM,
            member_id=member_id,
            data=PointsEntryCreate(kind="spend", points=80),
        )
    _refund(database, order_id, 10_000)
    assert _balance(database, member_id) == (0, 3)


def test_replaying_the_orders_events_changes_no_points(database: Database) -> None:
    shop = order_builders.shop(database, prices=[10_000])
    member_id, order_id = _member_buys(database, shop)
    presale_builders.dispatch(database)
    _refund(database, order_id, 2_500)
    before = _balance(database, member_id)
    with database.transaction() as session:
        for event in session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)):
            if event.type in ("order.paid", "order.refunded"):
                follow_order(session, event)
    assert before == (75, 2)
    assert _balance(database, member_id) == before
