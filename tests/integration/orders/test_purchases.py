"""Purchases: check out and pay in one transaction, the units taken straight from the shelf."""

from typing import Any

from sqlalchemy import func, select
from tests import order_builders
from tests.integration.orders.flash import consumer_scope, together

from newretail.db import Database
from newretail.inventory.errors import InsufficientStock
from newretail.inventory.models import Reservation, StockMovement
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import Scope
from newretail.orders.models import Fulfilment, FulfilmentLine, Order, OrderLine
from newretail.orders.rows import OrderView
from newretail.orders.schemas import OrderCreate
from newretail.outbox.models import OutboxEvent
from newretail.payments import service as payments_service
from newretail.payments.models import Payment
from newretail.payments.schemas import PaymentCreate

BUYERS = 30
UNITS = 5


def _one_unit(shop: order_builders.Shop, **fields: object) -> OrderCreate:
    body = order_builders.order_body(shop, **fields)
    return OrderCreate.model_validate({**body, "lines": body["lines"][:1]})


def _bought(database: Database, scope: Scope, body: dict[str, Any]) -> OrderView:
    """The order of a purchase of ``body`` through the sandbox, in a transaction of its own."""
    with database.transaction() as session:
        _, order = payments_service.purchase(
            session=session,
            scope=scope,
            data=OrderCreate.model_validate(body),
            payment=PaymentCreate(),
        )
    return order


def test_a_purchase_is_paid_and_allocated_with_its_unit_sold_and_nothing_held(
    database: Database,
) -> None:
    shop = order_builders.shop(database, stock=3)
    scope = consumer_scope(order_builders.consumer(database))
    with database.transaction() as session:
        payment, order = payments_service.purchase(
            session=session,
            scope=scope,
            data=_one_unit(shop, note="gift wrap"),
            payment=PaymentCreate(),
        )
    with database.transaction(read_only=True) as session:
        stored = session.get(Order, order.id)
        assert stored is not None
        saved = (stored.status, stored.paid_amount, stored.reservation_id, stored.note)
        sold = session.execute(
            select(StockMovement.kind, StockMovement.quantity, StockMovement.reference_id)
        ).all()[-1]
        holds = session.scalar(select(func.count()).select_from(Reservation))
        fulfilments = session.scalars(
            select(Fulfilment.kind).where(Fulfilment.order_id == order.id)
        ).all()
        events = session.scalars(
            select(OutboxEvent.type)
            .where(OutboxEvent.resource_type == "order")
            .order_by(OutboxEvent.seq)
        ).all()
    assert (payment.status, payment.amount) == ("succeeded", shop.prices[0])
    assert saved == ("allocated", shop.prices[0], None, "gift wrap")
    assert tuple(sold) == ("sale", -1, order.number)
    assert holds == 0
    assert fulfilments == ["pickup"]
    assert events == ["order.created", "order.paid", "order.allocated"]
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (2, 0)


def test_a_declined_purchase_leaves_the_order_open_with_its_unit_held(database: Database) -> None:
    shop = order_builders.shop(database, stock=3)
    scope = consumer_scope(order_builders.consumer(database))
    with database.transaction() as session:
        declined, order = payments_service.purchase(
            session=session,
            scope=scope,
            data=_one_unit(shop),
            payment=PaymentCreate(instruction="decline"),
        )
    held = order_builders.level(database, shop.store_id, shop.skus[0])
    with database.transaction() as session:
        paid, _ = payments_service.pay(
            session=session, scope=scope, order_id=order.id, data=PaymentCreate()
        )
    assert (declined.status, order.status) == ("declined", "created")
    assert held == (3, 1)
    assert paid.status == "succeeded"
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (2, 0)


def test_a_purchase_of_what_is_not_there_charges_nothing(database: Database) -> None:
    provider = order_builders.counting_provider("countingshort")
    shop = order_builders.shop(database, stock=0)
    scope = consumer_scope(order_builders.consumer(database))
    refused = None
    try:
        with database.transaction() as session:
            payments_service.purchase(
                session=session,
                scope=scope,
                data=_one_unit(shop),
                payment=PaymentCreate(provider=provider.name),
            )
    except InsufficientStock as exc:
        refused = exc.code
    assert refused == "insufficient_stock"
    assert (provider.charges, provider.refunds) == ([], [])


def test_many_buyers_purchasing_few_units_never_oversell_nor_keep_money(
    database: Database,
) -> None:
    provider = order_builders.counting_provider("countingflash")
    shop = order_builders.shop(database, stock=UNITS)
    buyers = [order_builders.consumer(database) for _ in range(BUYERS)]
    data = _one_unit(shop)

    def purchase(n: int) -> str:
        try:
            with database.transaction() as session:
                payments_service.purchase(
                    session=session,
                    scope=consumer_scope(buyers[n]),
                    data=data,
                    payment=PaymentCreate(provider=provider.name),
                )
        except DomainError as exc:
            return exc.code
        return "bought"

    results = together(10, BUYERS, purchase)
    with database.transaction(read_only=True) as session:
        succeeded = session.scalar(
            select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.status == "succeeded")
        )
        sold = session.scalar(
            select(func.coalesce(func.sum(-StockMovement.quantity), 0)).where(
                StockMovement.kind == "sale"
            )
        )
    price = shop.prices[0]
    assert results.count("bought") == UNITS == sold
    assert set(results) == {"bought", "insufficient_stock"}
    assert sum(provider.charges) - sum(provider.refunds) == succeeded == UNITS * price
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (0, 0)


def test_each_line_written_is_the_line_returned_and_its_fulfilment_line_points_at_it(
    database: Database,
) -> None:
    shop = order_builders.shop(database, prices=[300, 100, 200, 400], stock=10)
    scope = consumer_scope(order_builders.consumer(database))
    body = order_builders.order_body(shop)
    body["lines"] = [
        {"sku_id": sku, "quantity": quantity}
        for sku, quantity in zip(shop.skus, (2, 1, 3, 1), strict=True)
    ]
    order = _bought(database, scope, body)
    with database.transaction(read_only=True) as session:
        stored = session.execute(
            select(OrderLine.id, OrderLine.order_id, OrderLine.sku_id, OrderLine.quantity)
            .add_columns(OrderLine.unit_price)
            .where(OrderLine.order_id == order.id)
        ).all()
        shipped = session.execute(
            select(FulfilmentLine.order_line_id, FulfilmentLine.sku_id, FulfilmentLine.quantity)
            .join(Fulfilment, Fulfilment.id == FulfilmentLine.fulfilment_id)
            .where(Fulfilment.order_id == order.id)
        ).all()
    returned = {
        (line.id, line.order_id, line.sku_id, line.quantity, line.unit_price)
        for line in order.lines
    }
    assert returned == {tuple(row) for row in stored}
    assert {(line.sku_id, line.unit_price) for line in order.lines} == set(
        zip(shop.skus, shop.prices, strict=True)
    )
    assert {tuple(row) for row in shipped} == {
        (line.id, line.sku_id, line.quantity) for line in order.lines
    }


def test_a_purchase_leaving_from_two_places_writes_a_fulfilment_for_each_with_its_lines(
    database: Database,
) -> None:
    """One place: the fulfilment rides with the order's statement on PostgreSQL; two: one
    fulfilment per place, each line under the one its units leave from."""
    shop = order_builders.shop(database, prices=[300, 100], stock=0)
    in_store, in_warehouse = shop.skus
    order_builders.receive(database, shop.store_id, in_store, 5)
    order_builders.receive(database, shop.warehouse_id, in_warehouse, 5)
    scope = consumer_scope(order_builders.consumer(database))
    address = {"name": "Li", "phone": "13900000000", "line1": "1 Road", "lat": 31.2, "lng": 121.4}
    body = order_builders.order_body(shop, delivery={"method": "ship", "address": address})
    order = _bought(database, scope, body)
    with database.transaction(read_only=True) as session:
        shipped = session.execute(
            select(Fulfilment.location_id, Fulfilment.kind, FulfilmentLine.order_line_id)
            .join(FulfilmentLine, FulfilmentLine.fulfilment_id == Fulfilment.id)
            .where(Fulfilment.order_id == order.id)
        ).all()
    line_of = {line.sku_id: line.id for line in order.lines}
    assert sorted(shipped) == sorted(
        [
            (shop.store_id, "ship_from_store", line_of[in_store]),
            (shop.warehouse_id, "ship_from_warehouse", line_of[in_warehouse]),
        ]
    )
    assert {line.location_id for line in order.lines} == {shop.store_id, shop.warehouse_id}
