"""Points pay part of an order inside the best combination: after every discount, at the
brand's rate (100 points a yuan) and cap (half of what is left), spread over the lines,
spent with the order, given back on cancellation and in proportion on refunds, once."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from tests import member_builders, order_builders, presale_builders
from tests import promotion_builders as pb
from tests.integration.orders.flash import consumer_scope
from tests.order_builders import Shop

from newretail.db import Database
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import SYSTEM
from newretail.members.models import Membership, PointsEntry
from newretail.members.rules import PointsKind
from newretail.orders import errors
from newretail.orders import service as orders_service
from newretail.orders.models import Order, OrderLine, OrderLineDiscount
from newretail.payments import service as payments_service
from newretail.payments.schemas import RefundCreate


def _shop(database: Database) -> Shop:
    return order_builders.shop(database, prices=[12_900, 5_990], stock=10)


def _member_with_points(database: Database, shop: Shop, points: int) -> tuple[int, int]:
    member_id = pb.member(database, shop)
    member_builders.give_points(database, member_id, points)
    return member_id, member_builders.consumer_of(database, member_id)


def _points(database: Database, member_id: int) -> int:
    with database.transaction(read_only=True) as session:
        member = session.get(Membership, member_id)
        assert member is not None
        return member.points


def _order_amounts(database: Database, order_id: int) -> tuple[int, list[int], list[int]]:
    with database.transaction(read_only=True) as session:
        order = session.get(Order, order_id)
        assert order is not None
        lines = session.scalars(
            select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
        ).all()
        points = session.scalars(
            select(OrderLineDiscount.amount)
            .where(OrderLineDiscount.order_id == order_id, OrderLineDiscount.offer_key == "points")
            .order_by(OrderLineDiscount.order_line_id)
        ).all()
        return order.total, [x.total for x in lines], list(points)


def _returns(database: Database, member_id: int) -> list[int]:
    return member_builders.ledger_points(
        database, member_id, PointsEntry.kind == PointsKind.RETURN.value
    )


def test_points_pay_half_of_what_is_left_after_discounts_spread_over_the_lines(
    database: Database,
) -> None:
    shop = _shop(database)
    pb.promotion(database, shop)  # spend 100 save 20
    member_id, buyer = _member_with_points(database, shop, 1_000_000)
    order_id = order_builders.place(database, shop, buyer)
    total, line_totals, points_off = _order_amounts(database, order_id)
    left = 18_890 - 2_000
    assert sum(points_off) == left * 50 // 100
    assert total == left - left * 50 // 100 == sum(line_totals)
    assert _points(database, member_id) == 1_000_000 - left * 50 // 100


def test_a_member_may_use_fewer_points_or_none(database: Database) -> None:
    shop = _shop(database)
    member_id, buyer = _member_with_points(database, shop, 5_000)
    fewer = order_builders.place(database, shop, buyer, points=1_200)
    none = order_builders.place(database, shop, buyer, points=0)
    assert _order_amounts(database, fewer)[0] == 18_890 - 1_200
    assert _order_amounts(database, none)[0] == 18_890
    assert _points(database, member_id) == 5_000 - 1_200


def test_a_cancelled_order_gives_every_point_back_once(database: Database) -> None:
    shop = _shop(database)
    member_id, buyer = _member_with_points(database, shop, 3_000)
    order_id = order_builders.place(database, shop, buyer)
    assert _points(database, member_id) == 0
    with database.transaction() as session:
        orders_service.cancel(session=session, scope=consumer_scope(buyer), order_id=order_id)
    presale_builders.dispatch(database)
    presale_builders.dispatch(database)
    assert _points(database, member_id) == 3_000
    assert _returns(database, member_id) == [3_000]


def test_refunds_give_points_back_in_proportion_and_a_replay_gives_nothing_more(
    database: Database,
) -> None:
    shop = _shop(database)
    member_id, buyer = _member_with_points(database, shop, 4_000)
    order_id = order_builders.place(database, shop, buyer)
    order_builders.pay(database, buyer, order_id)
    total, _, _ = _order_amounts(database, order_id)
    presale_builders.dispatch(database)
    earned = _points(database, member_id)  # what the paid order earned, taken back in full
    for amount in (total // 4, total - total // 4):
        body = RefundCreate.model_validate({"amount": amount})
        with database.transaction() as session:
            payments_service.refund(session=session, scope=SYSTEM, order_id=order_id, data=body)
        presale_builders.dispatch(database)
        presale_builders.dispatch(database)
    returned = _returns(database, member_id)
    assert returned[0] == 4_000 - 4_000 * (total - total // 4) // total
    assert sum(returned) == 4_000
    assert (earned > 0, _points(database, member_id)) == (True, 4_000)


def test_checkouts_at_once_never_spend_more_points_than_the_member_has(
    database: Database,
) -> None:
    shop = _shop(database)
    member_id, buyer = _member_with_points(database, shop, 3_000)
    barrier = threading.Barrier(4)

    def attempt(_: int) -> str:
        barrier.wait(timeout=60)
        try:
            order_builders.place(database, shop, buyer, points=3_000)
        except DomainError as refused:
            return refused.code
        return "placed"

    with ThreadPoolExecutor(4) as pool:
        outcomes = Counter(pool.map(attempt, range(4)))
    with database.transaction(read_only=True) as session:
        spent = session.scalars(
            select(PointsEntry.points).where(
                PointsEntry.membership_id == member_id,
                PointsEntry.kind == PointsKind.SPEND.value,
            )
        ).all()
    assert outcomes["placed"] >= 1
    assert sum(spent) >= -3_000
    assert _points(database, member_id) == 3_000 + sum(spent) >= 0
    assert set(outcomes) <= {"placed", "insufficient_points"}


def test_a_staff_discount_takes_room_from_points_nobody_named(database: Database) -> None:
    """At the counter, a discount the member's points would leave no room for spends fewer
    points (as many as the rest of the order may take); points named outright are the
    member's word, and a discount that does not fit them is refused."""
    shop = _shop(database)
    member_id, _ = _member_with_points(database, shop, 1_000_000)
    lines = [{"sku_id": shop.skus[1], "quantity": 1}]  # 5,990; points pay at most half

    def place(discount: int, **fields: object) -> int:
        return order_builders.place_by_staff(
            database, shop, lines=lines, discount=discount, member_id=member_id, **fields
        )

    with pytest.raises(errors.InvalidDiscount) as named:
        place(3_000, points=2_995)
    with pytest.raises(errors.InvalidDiscount) as above_subtotal:
        place(5_991)
    assert named.value.code == "invalid_discount"
    assert named.value.detail.split(": ")[1].startswith("2995.")
    assert above_subtotal.value.detail.split(": ")[1].startswith("5990.")
    assert _points(database, member_id) == 1_000_000

    fits = place(2_000)  # points still pay their half: 2,995, leaving 2,995 for it
    assert _order_amounts(database, fits)[:2] == (5_990 - 2_995 - 2_000, [995])
    assert _points(database, member_id) == 1_000_000 - 2_995

    order_id = place(5_000)  # room for 990 fen of points
    total, line_totals, points_paid = _order_amounts(database, order_id)
    assert (total, line_totals, points_paid) == (0, [0], [990])
    assert _points(database, member_id) == 1_000_000 - 2_995 - 990

    whole = place(5_990)  # the discount takes it all: no points
    assert _order_amounts(database, whole) == (0, [0], [])
    assert _points(database, member_id) == 1_000_000 - 2_995 - 990
