"""Pay later on the database: credit check, charge at the due date, retries, dunning."""

import pytest
from tests import member_builders, order_builders, paylater_builders
from tests import presale_builders as psb
from tests.order_builders import Shop
from tests.presale_builders import consumer_scope

from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.orders import service as orders_service
from newretail.orders.schemas import OrderCreate
from newretail.paylater import errors
from newretail.paylater import service as paylater_service
from newretail.paylater.schemas import DeferredCreate
from newretail.payments import service as payments_service
from newretail.payments.schemas import RefundCreate


def _on_credit(database: Database, shop: Shop, charge_instruction: str = "succeed") -> int:
    member_id = member_builders.member(database, shop.world)
    scope = consumer_scope(member_builders.consumer_of(database, member_id))
    body = order_builders.order_body(shop)
    with database.transaction() as session:
        order = orders_service.create_order(
            session=session, scope=scope, data=OrderCreate.model_validate(body)
        )
        data = DeferredCreate(order_id=order.id, charge_instruction=charge_instruction)
        charge, _ = paylater_service.take_on_credit(session=session, scope=scope, data=data)
        return charge.id


def _charge(database: Database, charge_id: int) -> tuple[str, int]:
    with database.transaction() as session:
        c = paylater_service.get_charge(session=session, scope=SYSTEM, charge_id=charge_id)
        return c.status, c.attempts


def test_a_trusted_member_takes_the_goods_for_one_yuan(database: Database) -> None:
    shop = order_builders.shop(database)
    paylater_builders.terms(database, shop.world.brand.id, 0)
    charge_id = _on_credit(database, shop)
    with database.transaction() as session:
        charge = paylater_service.get_charge(session=session, scope=SYSTEM, charge_id=charge_id)
        order = orders_service.get_order(session=session, scope=SYSTEM, order_id=charge.order_id)
        amounts = (charge.down_payment, charge.amount, order.status)
    assert amounts == (100, sum(shop.prices) - 100, "allocated")


def test_the_balance_is_charged_at_the_due_date_and_not_before(database: Database) -> None:
    shop = order_builders.shop(database)
    paylater_builders.terms(database, shop.world.brand.id, 0)
    charge_id = _on_credit(database, shop)
    early = paylater_builders.run(database, 29)
    due = paylater_builders.run(database, 31)
    assert (early, due) == (0, 1)
    assert _charge(database, charge_id) == ("paid", 1)


def test_the_order_counts_as_paid_only_what_was_collected(database: Database) -> None:
    shop = order_builders.shop(database)
    paylater_builders.terms(database, shop.world.brand.id, 0)
    charge_id = _on_credit(database, shop)

    def paid() -> tuple[int, list[tuple[str, int]]]:
        with database.transaction(read_only=True) as session:
            charge = paylater_service.get_charge(session=session, scope=SYSTEM, charge_id=charge_id)
            order = orders_service.get_order(
                session=session, scope=SYSTEM, order_id=charge.order_id
            )
            payments = payments_service.list_payments(
                session=session, scope=SYSTEM, order_id=order.id
            )
            return order.paid_amount, sorted((p.method, p.amount) for p in payments)

    before = paid()
    paylater_builders.run(database, 31)
    after = paid()

    total = sum(shop.prices)
    assert before == (100, [("deferred_down_payment", 100)])
    assert after == (total, [("deferred_balance", total - 100), ("deferred_down_payment", 100)])


def test_declined_charges_retry_on_the_schedule_then_go_to_dunning(database: Database) -> None:
    shop = order_builders.shop(database)
    paylater_builders.terms(database, shop.world.brand.id, 0)
    charge_id = _on_credit(database, shop, charge_instruction="decline")
    seen = [
        (paylater_builders.run(database, 30 + day), _charge(database, charge_id))
        for day in (0.01, 0.1, 1, 3)
    ]
    with database.transaction() as session:
        listed = [c.id for c in paylater_service.dunning(session=session, scope=SYSTEM)]
    assert seen == [
        (1, ("retrying", 1)),
        (1, ("retrying", 2)),
        (1, ("retrying", 3)),
        (1, ("dunning", 4)),
    ]
    assert listed == [charge_id]


def test_a_member_pays_early_from_the_dunning_list(database: Database) -> None:
    shop = order_builders.shop(database)
    paylater_builders.terms(database, shop.world.brand.id, 0)
    charge_id = _on_credit(database, shop, charge_instruction="decline")
    for day in (0.01, 0.1, 1, 3):
        paylater_builders.run(database, 30 + day)
    with database.transaction() as session:
        paylater_service.pay_early(
            session=session, scope=SYSTEM, charge_id=charge_id, instruction="succeed"
        )
    assert _charge(database, charge_id) == ("paid", 5)


def test_a_member_below_the_threshold_is_refused(database: Database) -> None:
    shop = order_builders.shop(database)
    paylater_builders.terms(database, shop.world.brand.id, 1000)
    with pytest.raises(errors.CreditInsufficient):
        _on_credit(database, shop)
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (10, 0)


def _refund_the_down_payment(database: Database, charge_id: int) -> str:
    with database.transaction() as session:
        charge = paylater_service.get_charge(session=session, scope=SYSTEM, charge_id=charge_id)
        payments_service.refund(
            session=session,
            scope=SYSTEM,
            order_id=charge.order_id,
            data=RefundCreate(amount=charge.down_payment, reason="changed their mind"),
        )
        order = orders_service.get_order(session=session, scope=SYSTEM, order_id=charge.order_id)
        return order.status


def _collected(database: Database, charge_id: int) -> int:
    with database.transaction(read_only=True) as session:
        charge = paylater_service.get_charge(session=session, scope=SYSTEM, charge_id=charge_id)
        payments = payments_service.list_payments(
            session=session, scope=SYSTEM, order_id=charge.order_id
        )
        return sum(p.amount for p in payments if p.method == "deferred_balance")


@pytest.mark.parametrize("events_first", [True, False], ids=["consumer", "worker"])
def test_an_order_given_back_in_full_owes_no_balance(
    database: Database, events_first: bool
) -> None:
    """Its open charge is cancelled by the consumer of the order's refund or, if the charge
    falls due first, by the worker, which checks the order before it charges."""
    shop = order_builders.shop(database)
    paylater_builders.terms(database, shop.world.brand.id, 0)
    charge_id = _on_credit(database, shop)
    order_status = _refund_the_down_payment(database, charge_id)
    if events_first:
        psb.dispatch(database)
    tried = paylater_builders.run(database, 31)
    with pytest.raises(errors.DeferredChargeClosed), database.transaction() as session:
        paylater_service.pay_early(
            session=session, scope=SYSTEM, charge_id=charge_id, instruction="succeed"
        )

    assert order_status == "refunded"
    assert tried == (0 if events_first else 1)
    assert _charge(database, charge_id) == ("cancelled", 0)
    assert _collected(database, charge_id) == 0
