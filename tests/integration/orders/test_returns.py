"""Returns and exchanges across channels, windows and bad input, on each database."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from tests import builders, order_builders, return_builders
from tests.order_builders import level

from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import OfferCreate
from newretail.db import Database
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import SYSTEM
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.orders.schemas import OrderCreate
from newretail.outbox.models import OutboxEvent
from newretail.payments import service as payments_service
from newretail.payments.models import Refund
from newretail.payments.schemas import PaymentCreate
from newretail.returns import service as returns
from newretail.returns.schemas import ReturnCreate, ReturnPolicyUpdate


def _events(database: Database, resource_type: str) -> list[str]:
    with database.transaction(read_only=True) as session:
        rows = session.scalars(
            select(OutboxEvent.type)
            .where(OutboxEvent.resource_type == resource_type)
            .order_by(OutboxEvent.seq)
        )
        return list(rows)


def test_an_order_bought_in_the_cloud_store_comes_back_in_another_store_with_its_money(
    database: Database,
) -> None:
    shop = order_builders.shop(database, prices=[10_000, 5_000])
    order_id = return_builders.received_order(database, shop, quantities=[2, 1], discount=1_000)
    first, _ = return_builders.line_ids(database, order_id)
    west = shop.world.west_store.id
    record = return_builders.take_back(
        database, shop, order_id, west, lines=[{"order_line_id": first, "quantity": 1}]
    )
    with database.transaction(read_only=True) as session:
        order = session.get(Order, order_id)
        refund = session.get(Refund, record.refund_id)
        assert order is not None and refund is not None
        line_total, refunded = order.lines[0].total, refund.amount
        money = (order.refunded_amount, order.refund_state)
    assert line_total == 20_000 - 800  # its share of the order discount
    assert (record.status, record.refund_amount, refunded) == ("received", 9_600, 9_600)
    assert money == (9_600, "partial")
    assert level(database, west, shop.skus[0]) == (1, 0)
    assert level(database, shop.store_id, shop.skus[0]) == (8, 0)
    assert _events(database, "return") == ["return.created", "return.received"]
    assert _events(database, "order")[-1] == "order.refunded"


def test_a_store_sale_comes_back_by_parcel_to_the_warehouse_and_is_refunded_on_arrival(
    database: Database,
) -> None:
    shop = order_builders.shop(database)
    order_id = return_builders.received_order(database, shop, channel="pos")
    lines = [
        {"order_line_id": i, "quantity": 1} for i in return_builders.line_ids(database, order_id)
    ]
    scope = orders_service.system_for(shop.world.brand.id)
    body = {"order_id": order_id, "receiving_location_id": shop.warehouse_id, "lines": lines}
    with database.transaction() as session:
        requested = returns.create_return(
            session=session, scope=scope, data=ReturnCreate.model_validate(body)
        )
        requested_id, waiting = requested.id, (requested.status, requested.refund_amount)
    with database.transaction() as session:
        received = returns.receive(session=session, scope=scope, return_id=requested_id)
        amounts = [line.amount for line in received.lines]
    with database.transaction(read_only=True) as session:
        order = session.get(Order, order_id)
        assert order is not None
        money = (order.refunded_amount, order.refund_state, order.paid_amount)
    assert waiting == ("requested", 0)
    assert amounts == shop.prices
    assert money == (sum(shop.prices), "full", sum(shop.prices))
    assert level(database, shop.warehouse_id, shop.skus[0]) == (1, 0)


def test_every_unit_returned_in_steps_gives_back_exactly_what_was_paid(database: Database) -> None:
    shop = order_builders.shop(database, prices=[999, 1_001])
    order_id = return_builders.received_order(database, shop, quantities=[3, 2], discount=777)
    first, second = return_builders.line_ids(database, order_id)
    west = shop.world.west_store.id
    for line, units in [(first, 1), (second, 1), (first, 2), (second, 1)]:
        return_builders.take_back(
            database, shop, order_id, west, lines=[{"order_line_id": line, "quantity": units}]
        )
    with database.transaction(read_only=True) as session:
        order = session.get(Order, order_id)
        refunds = list(session.scalars(select(Refund.amount).where(Refund.order_id == order_id)))
        assert order is not None
        money = (sum(refunds), order.refunded_amount, order.paid_amount)
        refunded_units = [line.refunded_quantity for line in order.lines]
    assert money == (999 * 3 + 1_001 * 2 - 777,) * 3
    assert refunded_units == [3, 2]


def test_an_exchange_swaps_a_unit_for_another_size_at_the_receiving_store_and_moves_no_money(
    database: Database,
) -> None:
    shop = order_builders.shop(database, prices=[5_000, 5_000])
    order_id = return_builders.received_order(database, shop, quantities=[1, 0])
    (line,) = return_builders.line_ids(database, order_id)
    west = shop.world.west_store.id
    order_builders.receive(database, west, shop.skus[1], 3)
    record = return_builders.take_back(
        database,
        shop,
        order_id,
        west,
        kind="exchange",
        lines=[{"order_line_id": line, "quantity": 1, "exchange_sku_id": shop.skus[1]}],
    )
    with database.transaction(read_only=True) as session:
        refunded = session.scalar(select(Order.refunded_amount).where(Order.id == order_id))
    assert (record.status, record.refund_id, record.refund_amount) == ("received", None, 0)
    assert refunded == 0
    assert level(database, west, shop.skus[0]) == (1, 0)
    assert level(database, west, shop.skus[1]) == (2, 0)
    assert _events(database, "return") == ["exchange.created", "return.received"]


def test_an_exchange_for_another_price_or_product_is_refused_and_holds_nothing(
    database: Database,
) -> None:
    shop = order_builders.shop(database, prices=[5_000, 7_000])
    order_id = return_builders.received_order(database, shop, quantities=[1, 0])
    (line,) = return_builders.line_ids(database, order_id)
    with database.transaction() as session:
        other = builders.sku(
            session, shop.world.brand.id, builders.product(session, shop.world.brand.id).id
        )
        catalog_service.create_offer(
            session=session, scope=SYSTEM, data=OfferCreate(sku_id=other.id, price=5_000)
        )
        other_id = other.id
    codes = []
    for sku in (shop.skus[1], other_id, shop.skus[0]):
        with pytest.raises(DomainError) as caught:
            return_builders.take_back(
                database,
                shop,
                order_id,
                shop.store_id,
                kind="exchange",
                lines=[{"order_line_id": line, "quantity": 1, "exchange_sku_id": sku}],
            )
        codes.append(caught.value.code)
    assert codes == ["exchange_price_differs", "invalid_exchange_sku", "invalid_exchange_sku"]
    assert return_builders.return_count(database) == 0
    assert level(database, shop.store_id, shop.skus[1]) == (10, 0)


def test_outside_the_brands_window_a_return_is_refused(database: Database) -> None:
    shop = order_builders.shop(database)
    order_id = return_builders.received_order(database, shop)
    (line, _) = return_builders.line_ids(database, order_id)
    scope = orders_service.system_for(shop.world.brand.id)
    with database.transaction() as session:
        returns.put_policy(session=session, scope=scope, data=ReturnPolicyUpdate(window_days=7))
        closed_at = session.scalar(select(Order.closed_at).where(Order.id == order_id))
        assert closed_at is not None
        session.execute(
            update(Order)
            .where(Order.id == order_id)
            .values(closed_at=closed_at - timedelta(days=8))
        )
    with pytest.raises(DomainError) as caught:
        return_builders.take_back(
            database, shop, order_id, shop.store_id, lines=[{"order_line_id": line, "quantity": 1}]
        )
    assert (caught.value.code, caught.value.status) == ("return_window_closed", 409)
    assert return_builders.return_count(database) == 0


def test_a_unit_comes_back_once_and_a_refused_return_writes_nothing(database: Database) -> None:
    shop = order_builders.shop(database)
    order_id = return_builders.received_order(database, shop)
    first, second = return_builders.line_ids(database, order_id)
    one = [{"order_line_id": first, "quantity": 1}]
    return_builders.take_back(database, shop, order_id, shop.store_id, lines=one)
    codes = []
    for lines in (
        one,
        [{"order_line_id": second, "quantity": 1}, *one],
        [{"order_line_id": second, "quantity": 2}],
    ):
        with pytest.raises(DomainError) as caught:
            return_builders.take_back(database, shop, order_id, shop.store_id, lines=lines)
        codes.append(caught.value.code)
    assert codes == ["return_quantity_exceeded"] * 3
    assert return_builders.return_count(database) == 1
    assert level(database, shop.store_id, shop.skus[1]) == (9, 0)


def test_a_pending_return_holds_its_units_until_it_is_cancelled(database: Database) -> None:
    shop = order_builders.shop(database)
    order_id = return_builders.received_order(database, shop, quantities=[1, 0])
    (line,) = return_builders.line_ids(database, order_id)
    scope = orders_service.system_for(shop.world.brand.id)
    body = {
        "order_id": order_id,
        "receiving_location_id": shop.store_id,
        "lines": [{"order_line_id": line, "quantity": 1}],
    }
    with database.transaction() as session:
        first = returns.create_return(
            session=session, scope=scope, data=ReturnCreate.model_validate(body)
        ).id
    with pytest.raises(DomainError) as caught:
        return_builders.take_back(database, shop, order_id, shop.store_id, lines=body["lines"])
    with database.transaction() as session:
        returns.cancel(session=session, scope=scope, return_id=first)
    again = return_builders.take_back(database, shop, order_id, shop.store_id, lines=body["lines"])
    assert caught.value.code == "return_quantity_exceeded"
    assert again.status == "received"


def test_an_order_still_waiting_at_the_counter_is_refunded_not_returned(
    database: Database,
) -> None:
    shop = order_builders.shop(database)
    scope = orders_service.system_for(shop.world.brand.id)
    with database.transaction() as session:
        order = orders_service.create_order(
            session=session,
            scope=scope,
            data=OrderCreate.model_validate(order_builders.order_body(shop)),
        )
        payments_service.pay(session=session, scope=scope, order_id=order.id, data=PaymentCreate())
        order_id, line = order.id, order.lines[0].id
    with pytest.raises(DomainError) as caught:
        return_builders.take_back(
            database, shop, order_id, shop.store_id, lines=[{"order_line_id": line, "quantity": 1}]
        )
    assert caught.value.code == "order_not_returnable"


def test_units_whose_money_went_back_already_are_received_with_nothing_more_refunded(
    database: Database,
) -> None:
    """The whole order refunded by amount, then a unit comes back: the store takes it onto
    its shelf and the return closes at 0 (it used to fail at the receipt, leaving the goods
    unrecorded)."""
    shop = order_builders.shop(database, prices=[10_000, 5_000])
    order_id = return_builders.received_order(database, shop, quantities=[2, 1])
    first, _ = return_builders.line_ids(database, order_id)
    order_builders.refund_amount(database, order_id, 25_000, reason="goodwill")
    west = shop.world.west_store.id
    record = return_builders.take_back(
        database, shop, order_id, west, lines=[{"order_line_id": first, "quantity": 1}]
    )
    with database.transaction(read_only=True) as session:
        order = session.get(Order, order_id)
        refunds = list(session.scalars(select(Refund.amount).where(Refund.order_id == order_id)))
        assert order is not None
        money = (order.refunded_amount, order.paid_amount)
    assert (record.status, record.refund_amount, record.refund_id) == ("received", 0, None)
    assert [line.amount for line in record.lines] == [0]
    assert refunds == [25_000]
    assert money == (25_000, 25_000)
    assert level(database, west, shop.skus[0]) == (1, 0)
