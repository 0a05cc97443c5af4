"""Builders for order tests: a brand world with priced SKUs in stock, buyers and payments."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from newretail.auth import service as auth_service
from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import OfferCreate
from newretail.db import Database
from newretail.inventory import service as inventory_service
from newretail.inventory.models import StockLevel
from newretail.inventory.schemas import ReceiptCreate
from newretail.kernel.scope import SYSTEM, Scope
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.orders.schemas import OrderCreate
from newretail.payments import providers
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate, RefundCreate
from tests import builders, member_builders
from tests.builders import BrandWorld


@dataclass
class Shop:
    """A brand world whose east store sells ``skus`` at ``prices`` with ``stock`` units each."""

    world: BrandWorld
    skus: list[int]
    prices: list[int]
    warehouse_id: int
    far_store_id: int
    tokens: dict[int, str] = field(default_factory=dict)

    @property
    def store_id(self) -> int:
        return self.world.east_store.id

    def consumer_headers(self, consumer_id: int) -> dict[str, str]:
        token, _ = auth_service.issue_consumer_token(consumer_id=consumer_id)
        return {"Authorization": f"Bearer {token}"}


def shop(database: Database, *, prices: list[int] | None = None, stock: int = 10) -> Shop:
    prices = prices or [12_900, 5_990]
    world = builders.brand_world(database)
    with database.transaction() as session:
        brand_id = world.brand.id
        product = builders.product(session, brand_id)
        skus = [builders.sku(session, brand_id, product.id).id for _ in prices]
        for sku_id, price in zip(skus, prices, strict=True):
            catalog_service.create_offer(
                session=session, scope=SYSTEM, data=OfferCreate(sku_id=sku_id, price=price)
            )
        warehouse = builders.store(
            session, brand_id, world.hq.id, type="warehouse", lat=31.0, lng=121.2
        )
        far = builders.store(session, brand_id, world.west.id, lat=31.30, lng=121.50)
        warehouse_id, far_id = warehouse.id, far.id
    if stock:
        for sku_id in skus:
            receive(database, world.east_store.id, sku_id, stock)
    return Shop(world, skus, prices, warehouse_id, far_id)


def receive(database: Database, location_id: int, sku_id: int, quantity: int) -> None:
    data = ReceiptCreate.model_validate(
        {
            "kind": "receipt",
            "location_id": location_id,
            "lines": [{"sku_id": sku_id, "quantity": quantity}],
        }
    )
    with database.transaction() as session:
        inventory_service.record_movements(session=session, scope=SYSTEM, data=data)


def level(database: Database, location_id: int, sku_id: int) -> tuple[int, int]:
    """(on_hand, reserved) of one stock level."""
    with database.transaction(read_only=True) as session:
        row = session.execute(
            select(StockLevel.on_hand, StockLevel.reserved).where(
                StockLevel.location_id == location_id, StockLevel.sku_id == sku_id
            )
        ).one()
        return int(row[0]), int(row[1])


def consumer(database: Database) -> int:
    return member_builders.consumer(database)


def consumer_scope(consumer_id: int) -> Scope:
    return Scope(actor_type="consumer", actor_id=consumer_id, roles=frozenset())


def place(database: Database, s: Shop, consumer_id: int, **fields: Any) -> int:
    """The consumer's order of ``order_body(s, **fields)``, placed through the service."""
    data = OrderCreate.model_validate(order_body(s, **fields))
    with database.transaction() as session:
        return orders_service.create_order(
            session=session, scope=consumer_scope(consumer_id), data=data
        ).id


def place_by_staff(database: Database, s: Shop, **fields: Any) -> int:
    """The order of ``order_body(s, **fields)`` placed by the brand's system, which may name
    the member and give a discount (a consumer may not)."""
    data = OrderCreate.model_validate(order_body(s, **fields))
    scope = orders_service.system_for(s.world.brand.id)
    with database.transaction() as session:
        return orders_service.create_order(session=session, scope=scope, data=data).id


def hand_over(database: Database, brand_id: int, order_id: int) -> int:
    """A paid pickup order of the brand made ready and handed over at its store: completed.
    Answers its first line's id."""
    scope = orders_service.system_for(brand_id)
    with database.transaction() as session:
        fulfilment = orders_service.list_fulfilments(
            session=session, scope=scope, order_id=order_id
        )[0]
        ready = orders_service.mark_ready(
            session=session, scope=scope, order_id=order_id, fulfilment_id=fulfilment.id
        )
        assert ready.pickup_code is not None
        orders_service.hand_over(
            session=session, scope=scope, store_id=ready.location_id, pickup_code=ready.pickup_code
        )
        return fulfilment.lines[0].order_line_id


def pay(database: Database, consumer_id: int, order_id: int) -> None:
    """The consumer pays the order in full through the payments sandbox."""
    with database.transaction() as session:
        payments_service.pay(
            session=session,
            scope=consumer_scope(consumer_id),
            order_id=order_id,
            data=PaymentCreate(),
        )


def refund_amount(database: Database, order_id: int, amount: int, reason: str = "") -> None:
    """``amount`` of a paid order given back by the system, spread over its lines."""
    with database.transaction() as session:
        payments_service.refund(
            session=session,
            scope=SYSTEM,
            order_id=order_id,
            data=RefundCreate(amount=amount, reason=reason),
        )


def order_body(s: Shop, **fields: Any) -> dict[str, Any]:
    """A pickup order at the east store of one unit of each SKU, through the cloud store."""
    return {
        "store_id": s.store_id,
        "channel": "cloud_store",
        "lines": [{"sku_id": sku, "quantity": 1} for sku in s.skus],
        "delivery": {"method": "pickup"},
        **fields,
    }


def sandbox() -> providers.SandboxProvider:
    provider = providers.get_provider("sandbox")
    assert isinstance(provider, providers.SandboxProvider)
    return provider


class CountingProvider(providers.SandboxProvider):
    """The sandbox under another name, counting what it charges and gives back."""

    def __init__(self, name: str) -> None:
        super().__init__("counting-secret")
        self.name = name
        self.charges: list[int] = []
        self.refunds: list[int] = []

    def charge(
        self, *, amount: int, currency: str, instruction: str | None
    ) -> providers.ChargeResult:
        result = super().charge(amount=amount, currency=currency, instruction=instruction)
        if result.outcome is providers.ChargeOutcome.SUCCEEDED:
            self.charges.append(amount)
        return result

    def refund(self, *, provider_ref: str, amount: int) -> str:
        self.refunds.append(amount)
        return super().refund(provider_ref=provider_ref, amount=amount)


def counting_provider(name: str) -> CountingProvider:
    """A fresh counting provider registered under ``name`` (lower-case letters)."""
    providers.get_provider("sandbox")  # the registry is filled on first use
    provider = CountingProvider(name)
    providers.register(provider)
    return provider


def attribution(database: Database, order_id: int) -> tuple[object, ...]:
    """What an order was credited to when placed: (channel, member, bound store, bound
    guide, referring guide, touchpoint code, campaign)."""
    with database.transaction(read_only=True) as session:
        order = session.get(Order, order_id)
        assert order is not None
        return (
            order.channel,
            order.member_id,
            order.bound_store_id,
            order.bound_guide_id,
            order.referring_guide_id,
            order.touchpoint_code,
            order.campaign,
        )
