"""Random orders, then random partial refunds, returns and exchanges at random locations, on
each database: the money splits add up to the fen, nothing is given back beyond what was
paid, and every unit is accounted for (on the shelves or with a buyer) in levels and journal."""

import weakref
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests import order_builders, return_builders

from newretail.db import Database
from newretail.inventory import service as inventory_service
from newretail.inventory.models import StockLevel
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import Scope
from newretail.orders import service as orders_service
from newretail.orders.models import Order, OrderLine
from newretail.payments import service as payments_service
from newretail.payments.models import Refund
from newretail.payments.schemas import RefundCreate
from newretail.returns import service as returns
from newretail.returns.models import OrderReturn, ReturnLine
from newretail.returns.schemas import ReturnCreate

# The first two SKUs sell at one price, so a unit of either may be exchanged for the other.
PRICES = [999, 999, 33_333]
STOCK = 100_000
REFUSALS = {
    "refund_exceeds_paid",
    "order_not_refundable",
    "invalid_refund",
    "return_quantity_exceeded",
    "invalid_exchange_sku",
    "exchange_price_differs",
}

line_units = st.tuples(st.integers(0, 2), st.integers(1, 3))
step = st.one_of(
    st.tuples(st.just("amount"), st.integers(1, 60_000), st.just(0)),
    st.tuples(st.just("units"), line_units, st.just(0)),
    st.tuples(st.just("return"), line_units, st.integers(0, 3)),
    st.tuples(st.just("exchange"), line_units, st.integers(0, 3)),
    st.tuples(st.just("cancelled"), line_units, st.integers(0, 3)),
)


@dataclass
class Ledger:
    """One well-stocked shop per database, and the units it has received so far."""

    shop: order_builders.Shop
    received: dict[int, int] = field(default_factory=dict)

    @property
    def locations(self) -> list[int]:
        s = self.shop
        return [s.store_id, s.world.west_store.id, s.warehouse_id, s.far_store_id]


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    quantities=st.lists(st.integers(0, 3), min_size=3, max_size=3).filter(any),
    discount_share=st.integers(0, 100),
    steps=st.lists(step, max_size=6),
)
def test_refunds_returns_and_exchanges_keep_money_and_units_whole(
    database: Database,
    quantities: list[int],
    discount_share: int,
    steps: list[tuple[str, object, int]],
) -> None:
    ledger = _ledger(database)
    shop = ledger.shop
    scope = orders_service.system_for(shop.world.brand.id)
    subtotal = sum(p * q for p, q in zip(PRICES, quantities, strict=True))
    order_id = return_builders.received_order(
        database,
        shop,
        quantities=quantities,
        discount=subtotal * discount_share // 100,
        channel="pos",
    )
    line_ids = return_builders.line_ids(database, order_id)
    skus = _line_skus(database, order_id)
    for kind, what, where in steps:
        try:
            with database.transaction() as session:
                _apply(session, scope, ledger, order_id, line_ids, skus, kind, what, where)
        except DomainError as exc:
            assert exc.code in REFUSALS

    with database.transaction(read_only=True) as session:
        order = session.scalar(select(Order).where(Order.id == order_id))
        refunds = list(session.scalars(select(Refund).where(Refund.order_id == order_id)))
        received = list(
            session.scalars(
                select(OrderReturn).where(
                    OrderReturn.order_id == order_id, OrderReturn.status == "received"
                )
            )
        )
        assert order is not None
        assert sum(line.discount for line in order.lines) == order.discount
        assert sum(line.total for line in order.lines) == order.total == order.paid_amount
        assert all(0 <= line.refunded_amount <= line.total for line in order.lines)
        assert all(0 <= line.refunded_quantity <= line.quantity for line in order.lines)
        assert sum(r.amount for r in refunds) == order.refunded_amount <= order.paid_amount
        assert sum(line.refunded_amount for line in order.lines) == order.refunded_amount
        assert all(sum(x.amount for x in r.lines) == r.amount for r in refunds)
        assert all(sum(x.amount for x in r.lines) == r.refund_amount for r in received)
        brand_id = shop.world.brand.id
        assert inventory_service.journal_mismatches(session=session, brand_id=brand_id) == []
        on_shelves = _on_shelves(session, brand_id)
        with_buyers = _with_buyers(session, brand_id)
        reserved = session.scalar(
            select(func.coalesce(func.sum(StockLevel.reserved), 0)).where(
                StockLevel.brand_id == brand_id
            )
        )
    assert {
        sku: on_shelves.get(sku, 0) + with_buyers.get(sku, 0) for sku in shop.skus
    } == ledger.received
    assert reserved == 0


def _apply(
    session: Session,
    scope: Scope,
    ledger: Ledger,
    order_id: int,
    line_ids: list[int],
    skus: dict[int, int],
    kind: str,
    what: object,
    where: int,
) -> None:
    if kind == "amount":
        body = RefundCreate(amount=int(what))  # type: ignore[call-overload]
        payments_service.refund(session=session, scope=scope, order_id=order_id, data=body)
        return
    index, units = what  # type: ignore[misc]
    line_id = line_ids[index % len(line_ids)]
    if kind == "units":
        body = RefundCreate.model_validate(
            {"lines": [{"order_line_id": line_id, "quantity": units}]}
        )
        payments_service.refund(session=session, scope=scope, order_id=order_id, data=body)
        return
    line: dict[str, object] = {"order_line_id": line_id, "quantity": units}
    exchange = kind == "exchange" or (kind == "cancelled" and where % 2 == 1)
    if exchange:
        sku = skus[line_id]
        shop = ledger.shop
        line["exchange_sku_id"] = shop.skus[1] if sku == shop.skus[0] else shop.skus[0]
    data = ReturnCreate.model_validate(
        {
            "order_id": order_id,
            "kind": "exchange" if exchange else "return",
            "receiving_location_id": ledger.locations[where],
            "lines": [line],
            "received": kind != "cancelled",
        }
    )
    record = returns.create_return(session=session, scope=scope, data=data)
    if kind == "cancelled":
        returns.cancel(session=session, scope=scope, return_id=record.id)


def _line_skus(database: Database, order_id: int) -> dict[int, int]:
    with database.transaction(read_only=True) as session:
        rows = session.execute(
            select(OrderLine.id, OrderLine.sku_id).where(OrderLine.order_id == order_id)
        )
        return {int(line_id): int(sku) for line_id, sku in rows}


def _on_shelves(session: Session, brand_id: int) -> dict[int, int]:
    rows = session.execute(
        select(StockLevel.sku_id, func.sum(StockLevel.on_hand))
        .where(StockLevel.brand_id == brand_id)
        .group_by(StockLevel.sku_id)
    )
    return {int(sku): int(n) for sku, n in rows}


def _with_buyers(session: Session, brand_id: int) -> dict[int, int]:
    """Units sold by the brand's orders, plus units handed over in exchanges, less returns."""
    out: dict[int, int] = {}
    sold = session.execute(
        select(OrderLine.sku_id, func.sum(OrderLine.quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.brand_id == brand_id, Order.paid_at.is_not(None))
        .group_by(OrderLine.sku_id)
    )
    for sku, n in sold:
        out[int(sku)] = out.get(int(sku), 0) + int(n)
    back = (
        select(ReturnLine.sku_id, ReturnLine.exchange_sku_id, ReturnLine.quantity)
        .join(OrderReturn, OrderReturn.id == ReturnLine.return_id)
        .where(OrderReturn.brand_id == brand_id, OrderReturn.status == "received")
    )
    for sku, new_sku, n in session.execute(back):
        out[int(sku)] = out.get(int(sku), 0) - int(n)
        if new_sku is not None:
            out[int(new_sku)] = out.get(int(new_sku), 0) + int(n)
    return out


_ledgers: "weakref.WeakKeyDictionary[Database, Ledger]" = weakref.WeakKeyDictionary()


def _ledger(database: Database) -> Ledger:
    """Every SKU in stock at every location, so any return or exchange can be received."""
    if database not in _ledgers:
        shop = order_builders.shop(database, prices=PRICES, stock=STOCK)
        ledger = Ledger(shop, {sku: STOCK for sku in shop.skus})
        for location in ledger.locations[1:]:
            for sku in shop.skus:
                order_builders.receive(database, location, sku, STOCK)
                ledger.received[sku] += STOCK
        _ledgers[database] = ledger
    return _ledgers[database]
