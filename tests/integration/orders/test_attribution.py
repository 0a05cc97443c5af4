"""Every order carries its attribution, checked: the code is the brand's, the referring guide
the code's, the campaign the code's; and the binding snapshot never follows a re-binding."""

from typing import Any

import pytest
from sqlalchemy import func, select
from tests import builders, code_builders, member_builders, order_builders
from tests.integration.orders.flash import consumer_scope

from newretail.db import Database
from newretail.members.binding_rules import BindingMode
from newretail.orders import errors
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.orders.schemas import OrderCreate


def _order(database: Database, consumer_id: int, shop: order_builders.Shop, **fields: Any) -> Order:
    data = OrderCreate.model_validate(order_builders.order_body(shop, **fields))
    with database.transaction() as session:
        view = orders_service.create_order(
            session=session, scope=consumer_scope(consumer_id), data=data
        )
        order = session.get(Order, view.id)
        assert order is not None
        session.expunge(order)
        return order


def _orders(database: Database) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(Order)) or 0)


def test_a_badge_code_credits_its_guide_and_its_campaign(database: Database) -> None:
    shop = order_builders.shop(database)
    guide = shop.world.east_guide
    code = code_builders.code(
        database, shop.store_id, "guide_badge", guide_id=guide.id, campaign="spring"
    )
    order = _order(database, order_builders.consumer(database), shop, touchpoint_code=code)
    assert (order.touchpoint_code, order.referring_guide_id, order.campaign) == (
        code,
        guide.id,
        "spring",
    )


def test_another_brands_code_is_refused_and_nothing_is_written(database: Database) -> None:
    shop = order_builders.shop(database)
    other = builders.brand_world(database)
    foreign = code_builders.code(database, other.east_store.id)
    consumer = order_builders.consumer(database)
    with pytest.raises(errors.TouchpointCodeNotFound):
        _order(database, consumer, shop, touchpoint_code=foreign)
    assert _orders(database) == 0
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (10, 0)


def test_a_made_up_code_is_refused(database: Database) -> None:
    shop = order_builders.shop(database)
    with pytest.raises(errors.TouchpointCodeNotFound):
        _order(database, order_builders.consumer(database), shop, touchpoint_code="NOSUCH1")


def test_a_referring_guide_other_than_the_codes_guide_is_refused(database: Database) -> None:
    shop = order_builders.shop(database)
    badge = code_builders.badge(database, shop.world.east_guide.id)
    other = member_builders.guide(database, shop.world.brand.id, shop.store_id)
    with pytest.raises(errors.ReferringGuideNotCodeGuide):
        _order(
            database,
            order_builders.consumer(database),
            shop,
            touchpoint_code=badge,
            referring_guide_id=other.id,
        )
    assert _orders(database) == 0


def test_a_campaign_other_than_the_codes_is_refused(database: Database) -> None:
    shop = order_builders.shop(database)
    code = code_builders.code(database, shop.store_id, campaign="spring")
    with pytest.raises(errors.CampaignNotCodeCampaign):
        _order(
            database,
            order_builders.consumer(database),
            shop,
            touchpoint_code=code,
            campaign="autumn",
        )


def test_a_member_rebound_after_an_order_leaves_its_snapshot_unchanged(
    database: Database,
) -> None:
    shop = order_builders.shop(database)
    world = shop.world
    member_builders.policy(database, world.brand.id, BindingMode.OVERRIDE)
    member_id = member_builders.member(database, world)
    consumer = member_builders.consumer_of(database, member_id)
    order = _order(database, consumer, shop)
    newcomer = member_builders.guide(database, world.brand.id, world.west_store.id)
    member_builders.scan(database, world.brand.id, consumer, world.west_store.id, newcomer.id)
    with database.transaction(read_only=True) as session:
        again = session.get(Order, order.id)
        assert again is not None
        snapshot = (again.member_id, again.bound_store_id, again.bound_guide_id)
    assert snapshot == (member_id, world.east_store.id, world.east_guide.id)
