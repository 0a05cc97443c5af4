"""A process's copies of stores and prices follow every change, made in any process.

Each ``Database`` below has its own connection pool and so its own copies, as a second
process serving the same database would: the sales run through ``seller``, the changes
through ``database``.
"""

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests import order_builders
from tests.integration.orders.flash import consumer_scope
from tests.statements import count_statements

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


def _price(database: Database, shop: order_builders.Shop) -> int | None:
    """The first SKU's price as this process's copies give it, in a transaction of its own."""
    with database.transaction(read_only=True) as session:
        return _read_price(session, shop)


def _read_price(session: Session, shop: order_builders.Shop) -> int | None:
    found = catalog_service.sale_catalog.store(session=session, store_id=shop.store_id)
    assert found is not None
    offer = catalog_service.sale_catalog.offers(
        session=session, store=found[1], channel="cloud_store", sku_ids=[shop.skus[0]]
    )[shop.skus[0]]
    return offer.unit_price if offer is not None else None


def _set_price(session: Session, shop: order_builders.Shop, price: int) -> None:
    offer_id = session.scalar(select(Offer.id).where(Offer.sku_id == shop.skus[0]))
    catalog_service.update_offer(
        session=session, scope=SYSTEM, offer_id=offer_id or 0, data=OfferUpdate(price=price)
    )
    session.flush()


def test_a_transaction_moves_the_stamp_once_however_many_changes_it_flushes(
    database: Database,
) -> None:
    shop = order_builders.shop(database, prices=[1_000])
    with count_statements(database) as statements, database.transaction() as session:
        before = stamps.read(session.connection(), shop.world.brand.id)
        for price in (1_100, 1_200, 1_300):
            _set_price(session, shop, price)
        after = stamps.read(session.connection(), shop.world.brand.id)
    moves = [s for s in statements if s.lstrip().startswith("INSERT INTO cache_stamp")]
    assert len(moves) == 1
    assert before != after


def test_what_a_changing_transaction_reads_is_not_kept_under_the_stamp_it_moved(
    database: Database,
) -> None:
    shop = order_builders.shop(database, prices=[1_000])
    assert _price(database, shop) == 1_000
    with database.transaction() as session:
        _set_price(session, shop, 1_100)
        assert _read_price(session, shop) == 1_100  # its own change, read and not filed
        _set_price(session, shop, 1_200)  # no second move: the first covers it
    assert _price(database, shop) == 1_200


def test_a_move_rolled_back_with_its_savepoint_is_made_again(database: Database) -> None:
    shop = order_builders.shop(database, prices=[1_000])
    assert _price(database, shop) == 1_000  # filed under the committed stamp
    with database.transaction() as session:
        savepoint = session.begin_nested()
        _set_price(session, shop, 1_100)
        savepoint.rollback()
        _set_price(session, shop, 1_200)
    assert _price(database, shop) == 1_200
