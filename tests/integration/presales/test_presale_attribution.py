"""Pre-sale deposits and balances are attributed like any order: binding snapshot, referring
guide, code, checked by the same function; the pre-sale is their campaign."""

import pytest
from sqlalchemy import func, select
from tests import builders, code_builders, member_builders, order_builders, presale_builders

from newretail.db import Database
from newretail.orders import errors
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate
from newretail.presales import service as presales_service
from newretail.presales.models import PresaleDeposit
from newretail.presales.rules import campaign_tag
from newretail.presales.schemas import DepositCreate


def test_a_deposit_and_its_balance_carry_the_members_binding_and_the_code(
    database: Database,
) -> None:
    shop = order_builders.shop(database)
    world = shop.world
    presale_id = presale_builders.presale(database, shop)
    member_id = member_builders.member(database, world)
    scope = presale_builders.consumer_scope(member_builders.consumer_of(database, member_id))
    badge = code_builders.badge(database, world.east_guide.id)
    data = DepositCreate(store_id=shop.store_id, sku_id=shop.skus[0], touchpoint_code=badge)
    with database.transaction() as session:
        deposit, order = presales_service.place_deposit(
            session=session, scope=scope, presale_id=presale_id, data=data
        )
        payments_service.pay(session=session, scope=scope, order_id=order.id, data=PaymentCreate())
        deposit_id, deposit_order_id = deposit.id, order.id
    with database.transaction() as session:
        _, balance = presales_service.order_balance(
            session=session, scope=scope, deposit_id=deposit_id
        )
        balance_order_id = balance.id
    expected = (
        member_id,
        shop.store_id,
        world.east_guide.id,
        world.east_guide.id,
        badge,
        campaign_tag(presale_id),
    )
    assert order_builders.attribution(database, deposit_order_id)[1:] == expected
    assert order_builders.attribution(database, balance_order_id)[1:] == expected


def test_a_deposit_naming_another_brands_code_is_refused_whole(database: Database) -> None:
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(database, shop)
    foreign = code_builders.code(database, builders.brand_world(database).east_store.id)
    scope = presale_builders.consumer_scope(order_builders.consumer(database))
    data = DepositCreate(store_id=shop.store_id, sku_id=shop.skus[0], touchpoint_code=foreign)
    with pytest.raises(errors.TouchpointCodeNotFound), database.transaction() as session:
        presales_service.place_deposit(
            session=session, scope=scope, presale_id=presale_id, data=data
        )
    with database.transaction(read_only=True) as session:
        written = session.scalar(select(func.count()).select_from(PresaleDeposit))
    assert written == 0
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (10, 0)
