"""Checkout honours promotions and coupons: the best combination (or the buyer's choice)
off the lines to the fen, coupons reserved at checkout, redeemed when paid, back in the
wallet when the order is cancelled or expires, and refunds that give back the net."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from tests import member_builders, order_builders, presale_builders
from tests import promotion_builders as pb
from tests.integration.orders.flash import consumer_scope
from tests.order_builders import Shop

from newretail.db import Database, utcnow
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import SYSTEM
from newretail.orders import service as orders_service
from newretail.orders.models import Order, OrderLine, OrderLineDiscount
from newretail.orders.schemas import OrderCreate
from newretail.outbox.models import OutboxEvent
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate, RefundCreate
from newretail.promotions.models import Coupon


def _shop(database: Database) -> Shop:
    return order_builders.shop(database, prices=[12_900, 5_990], stock=10)


def _coupon(database: Database, coupon_id: int) -> tuple[str, int | None, str | None]:
    with database.transaction(read_only=True) as session:
        coupon = session.get(Coupon, coupon_id)
        assert coupon is not None
        return coupon.status, coupon.discount, coupon.reference


def _amounts(database: Database, order_id: int) -> tuple[int, int, list[int], list[int]]:
    with database.transaction(read_only=True) as session:
        order = session.get(Order, order_id)
        assert order is not None
        lines = session.scalars(
            select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
        ).all()
        return order.discount, order.total, [x.discount for x in lines], [x.total for x in lines]


def _discounts(database: Database, order_id: int) -> list[tuple[str, str, int]]:
    with database.transaction(read_only=True) as session:
        rows = session.scalars(
            select(OrderLineDiscount)
            .where(OrderLineDiscount.order_id == order_id)
            .order_by(OrderLineDiscount.id)
        ).all()
        return [(r.offer_key, r.funder, r.amount) for r in rows]


def _redeemed_events(database: Database) -> int:
    with database.transaction(read_only=True) as session:
        events = session.scalars(
            select(OutboxEvent).where(OutboxEvent.type == "coupon.redeemed")
        ).all()
        return len(events)


def test_an_order_takes_the_best_combination_off_its_lines_and_reserves_its_coupon(
    database: Database,
) -> None:
    shop = _shop(database)
    promotion = pb.promotion(database, shop)  # spend 100 save 20
    member_id = pb.member(database, shop)
    coupon = pb.claim(database, member_id, pb.template(database, shop))  # 10 off
    buyer = member_builders.consumer_of(database, member_id)
    order_id = order_builders.place(database, shop, buyer)
    discount, total, line_discounts, line_totals = _amounts(database, order_id)
    assert (discount, total) == (3_000, 18_890 - 3_000)
    assert sum(line_discounts) == 3_000
    assert sum(line_totals) == total
    keys = {key for key, _, _ in _discounts(database, order_id)}
    assert keys == {f"promotion:{promotion}", f"coupon:{coupon}"}
    assert sum(amount for _, _, amount in _discounts(database, order_id)) == 3_000
    status, held, _ = _coupon(database, coupon)
    assert (status, held) == ("reserved", 1_000)


def test_paying_redeems_the_coupon_once_and_announces_it(database: Database) -> None:
    shop = _shop(database)
    member_id = pb.member(database, shop)
    coupon = pb.claim(database, member_id, pb.template(database, shop))
    buyer = member_builders.consumer_of(database, member_id)
    order_id = order_builders.place(database, shop, buyer)
    order_builders.pay(database, buyer, order_id)
    presale_builders.dispatch(database)
    presale_builders.dispatch(database)
    assert _coupon(database, coupon)[0] == "redeemed"
    assert _redeemed_events(database) == 1


def test_a_purchase_redeems_its_coupon(database: Database) -> None:
    shop = _shop(database)
    member_id = pb.member(database, shop)
    coupon = pb.claim(database, member_id, pb.template(database, shop))
    buyer = member_builders.consumer_of(database, member_id)
    data = OrderCreate.model_validate(order_builders.order_body(shop))
    with database.transaction() as session:
        _, order = payments_service.purchase(
            session=session, scope=consumer_scope(buyer), data=data, payment=PaymentCreate()
        )
    presale_builders.dispatch(database)
    assert order.total == 18_890 - 1_000
    assert _coupon(database, coupon)[0] == "redeemed"


def test_cancelling_puts_the_coupon_back_in_the_wallet(database: Database) -> None:
    shop = _shop(database)
    member_id = pb.member(database, shop)
    coupon = pb.claim(database, member_id, pb.template(database, shop))
    buyer = member_builders.consumer_of(database, member_id)
    order_id = order_builders.place(database, shop, buyer)
    with database.transaction() as session:
        orders_service.cancel(session=session, scope=consumer_scope(buyer), order_id=order_id)
    presale_builders.dispatch(database)
    assert _coupon(database, coupon) == ("released", None, None)
    again = order_builders.place(database, shop, buyer)
    assert _amounts(database, again)[0] == 1_000


def test_an_expired_order_gives_its_coupon_back(database: Database) -> None:
    shop = _shop(database)
    member_id = pb.member(database, shop)
    coupon = pb.claim(database, member_id, pb.template(database, shop))
    order_id = order_builders.place(
        database, shop, member_builders.consumer_of(database, member_id)
    )
    with database.transaction() as session:
        orders_service.expire_unpaid(session=session, now=utcnow() + timedelta(days=1))
    presale_builders.dispatch(database)
    with database.transaction(read_only=True) as session:
        order = session.get(Order, order_id)
        assert order is not None and order.status == "cancelled"
    assert _coupon(database, coupon)[0] == "released"


def test_the_buyer_may_choose_an_alternative_and_it_is_checked_again(database: Database) -> None:
    shop = _shop(database)
    promotion = pb.promotion(database, shop)
    member_id = pb.member(database, shop)
    coupon = pb.claim(database, member_id, pb.template(database, shop))
    buyer = member_builders.consumer_of(database, member_id)
    order_id = order_builders.place(database, shop, buyer, offer_keys=[f"promotion:{promotion}"])
    assert _amounts(database, order_id)[0] == 2_000
    assert _coupon(database, coupon)[0] == "claimed"
    with pytest.raises(DomainError) as refused:
        order_builders.place(database, shop, buyer, offer_keys=["coupon:999999"])
    assert refused.value.code == "coupon_unavailable"


def test_a_refunded_line_gives_back_its_net_amount(database: Database) -> None:
    shop = _shop(database)
    pb.promotion(database, shop)
    buyer = order_builders.consumer(database)
    order_id = order_builders.place(database, shop, buyer)
    order_builders.pay(database, buyer, order_id)
    _, total, _, line_totals = _amounts(database, order_id)
    with database.transaction(read_only=True) as session:
        line_ids = session.scalars(
            select(OrderLine.id).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
        ).all()
    body = RefundCreate.model_validate({"lines": [{"order_line_id": line_ids[0], "quantity": 1}]})
    with database.transaction() as session:
        refund = payments_service.refund(
            session=session, scope=SYSTEM, order_id=order_id, data=body
        )
    assert refund.amount == line_totals[0] < 12_900
    assert total == 18_890 - 2_000


def test_a_new_promotion_reaches_the_next_sale_of_a_warm_process(database: Database) -> None:
    shop = _shop(database)
    buyer = order_builders.consumer(database)
    before = order_builders.place(database, shop, buyer)
    pb.promotion(database, shop)
    after = order_builders.place(database, shop, buyer)
    assert (_amounts(database, before)[0], _amounts(database, after)[0]) == (0, 2_000)


def _refund_in_full(database: Database, order_id: int, amount: int) -> None:
    body = RefundCreate.model_validate({"amount": amount})
    with database.transaction() as session:
        payments_service.refund(session=session, scope=SYSTEM, order_id=order_id, data=body)


def test_a_full_refund_gives_back_the_coupons_whose_template_says_so(database: Database) -> None:
    shop = _shop(database)
    member_id = pb.member(database, shop)
    restored = pb.claim(database, member_id, pb.template(database, shop, return_rule="restore"))
    forfeited = pb.claim(
        database, member_id, pb.template(database, shop, terms={"amount": 500}, per_order=1)
    )
    buyer = member_builders.consumer_of(database, member_id)
    order_id = order_builders.place(database, shop, buyer)
    order_builders.pay(database, buyer, order_id)
    presale_builders.dispatch(database)
    _refund_in_full(database, order_id, _amounts(database, order_id)[1])
    presale_builders.dispatch(database)
    presale_builders.dispatch(database)
    assert _coupon(database, restored) == ("released", None, None)
    assert _coupon(database, forfeited)[0] == "redeemed"


def test_a_partial_refund_keeps_the_coupons_used(database: Database) -> None:
    shop = _shop(database)
    member_id = pb.member(database, shop)
    coupon = pb.claim(database, member_id, pb.template(database, shop, return_rule="restore"))
    buyer = member_builders.consumer_of(database, member_id)
    order_id = order_builders.place(database, shop, buyer)
    order_builders.pay(database, buyer, order_id)
    presale_builders.dispatch(database)
    _refund_in_full(database, order_id, 100)
    presale_builders.dispatch(database)
    assert _coupon(database, coupon)[0] == "redeemed"
