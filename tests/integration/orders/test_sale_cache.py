"""A process's copies of stores and prices follow every change, made in any process.

Each ``Database`` below has its own connection pool and so its own copies, as a second
process serving the same database would: the sales run through ``seller``, the changes
through ``database``.
"""

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from tests import order_builders
from tests.integration.orders.flash import consumer_scope

from newretail.catalog import service as catalog_service
from newretail.catalog.models import Offer
from newretail.catalog.schemas import OfferUpdate
from newretail.db import Database
from newretail.kernel import stamps
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import SYSTEM
from newretail.orders import service as orders_service
from newretail.orders.schemas import OrderCreate
from newretail.org import service as org_service
from newretail.org.schemas import StoreUpdate
from newretail.outbox import service as outbox_service


@pytest.fixture
def seller(database: Database) -> Iterator[Database]:
    other = Database(database.url)
    yield other
    other.dispose()


def _checkout(seller: Database, shop: order_builders.Shop) -> tuple[int, int] | str:
    """(unit price, order id) of one unit of the first SKU, or the refusal's code."""
    scope = consumer_scope(order_builders.consumer(seller))
    body = order_builders.order_body(shop)
    data = OrderCreate.model_validate({**body, "lines": body["lines"][:1]})
    try:
        with seller.transaction() as session:
            order = orders_service.create_order(session=session, scope=scope, data=data)
    except DomainError as exc:
        return exc.code
    return order.lines[0].unit_price, order.id


def test_an_offer_price_change_is_seen_by_the_next_checkout(
    database: Database, seller: Database
) -> None:
    shop = order_builders.shop(database, prices=[1_000])
    before = _checkout(seller, shop)
    with database.transaction() as session:
        offer_id = session.scalar(select(Offer.id).where(Offer.sku_id == shop.skus[0]))
        catalog_service.update_offer(
            session=session, scope=SYSTEM, offer_id=offer_id or 0, data=OfferUpdate(price=1_250)
        )
    after = _checkout(seller, shop)
    assert isinstance(before, tuple) and isinstance(after, tuple)
    assert (before[0], after[0]) == (1_000, 1_250)


def test_a_store_closed_elsewhere_stops_selling_at_once(
    database: Database, seller: Database
) -> None:
    shop = order_builders.shop(database)
    before = _checkout(seller, shop)
    with database.transaction() as session:
        org_service.update_store(
            session=session, scope=SYSTEM, store_id=shop.store_id, data=StoreUpdate(status="closed")
        )
    assert isinstance(before, tuple)
    assert _checkout(seller, shop) == "store_not_found"


def test_a_catalog_event_moves_the_brand_stamp_and_an_order_event_does_not(
    database: Database,
) -> None:
    shop = order_builders.shop(database)
    brand_id = shop.world.brand.id

    def stamp_after(event_type: str) -> stamps.Version:
        with database.transaction() as session:
            outbox_service.record(
                session=session,
                brand_id=brand_id,
                type=event_type,
                resource_type="test",
                resource_id=1,
                payload={},
            )
        with database.transaction(read_only=True) as session:
            return stamps.read(session.connection(), brand_id)

    start = stamp_after("order.created")
    imported = stamp_after("catalog.imported")
    ordered = stamp_after("order.paid")
    assert start != imported == ordered
