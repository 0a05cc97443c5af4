"""Setting up a pre-sale from the console, and the dunning list's follow-up details."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import member_builders, order_builders, shop_builders
from tests.e2e.manage.manage_support import audit_actions, field_error
from tests.e2e.pages_support import login, post_form
from tests.presale_builders import consumer_scope, today_in

from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.orders import service as orders_service
from newretail.orders.schemas import OrderCreate
from newretail.paylater import service as paylater_service
from newretail.paylater.schemas import DeferredCreate, PolicyUpdate
from newretail.presales.models import PresaleCampaign, PresaleItem

pytestmark = pytest.mark.sqlite_only


def _campaigns(database: Database) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(PresaleCampaign)) or 0)


def _form(shop: shop_builders.Shop, **fields: str) -> dict[str, str]:
    start = today_in(shop.world.brand.timezone)
    return {
        "name": "双十一预售",
        "deposit_starts_at": f"{start}T10:00",
        "deposit_ends_at": f"{start + timedelta(days=5)}T23:59",
        "event_day": str(start + timedelta(days=6)),
        "balance_opens": "00:00",
        "balance_closes": "00:00",
        "unpaid_rule": "refund",
        "delivery_pickup": "1",
        f"store_{shop.world.east_store.id}": "1",
        "sku_1": shop.black.code,
        "price_1": "799",
        "deposit_1": "50",
        "value_1": "100",
        **fields,
    }


def test_a_brand_admin_sets_up_a_pre_sale_that_the_board_shows(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.admin)

    created = post_form(client, "/console/presales/new", _form(shop))
    board = client.get(created.headers["location"]).text

    assert created.status_code == 303
    assert "预售“双十一预售”已创建。" in board
    with database.transaction(read_only=True) as session:
        item = session.scalar(select(PresaleItem))
        assert item is not None
        assert (item.sku_id, item.price, item.deposit, item.deposit_value) == (
            shop.black.id,
            79900,
            5000,
            10000,
        )
    assert audit_actions(database, "presale") == ["presale.created"]


def test_a_pre_sale_is_set_up_to_ship_and_send_by_courier_and_the_board_says_so(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.admin)
    form = client.get("/console/presales/new").text
    fields = _form(shop, delivery_ship="1", delivery_same_city="1")
    del fields["delivery_pickup"]

    created = post_form(client, "/console/presales/new", fields)
    board = client.get(created.headers["location"]).text

    assert 'name="delivery_pickup" value="1" checked' in form
    assert created.status_code == 303
    with database.transaction(read_only=True) as session:
        assert session.scalar(select(PresaleCampaign.delivery_methods)) == "ship,same_city"
    assert "快递 · 同城配送" in board


def test_a_pre_sale_with_no_way_to_get_the_items_is_refused(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.admin)
    fields = _form(shop)
    del fields["delivery_pickup"]

    refused = post_form(client, "/console/presales/new", fields)

    assert refused.status_code == 422
    assert field_error(refused.text, "delivery") == "请至少选择一项。"
    assert _campaigns(database) == 0


def test_a_deposit_above_its_value_and_a_missing_store_are_refused_and_nothing_is_saved(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.admin)
    fields = _form(shop, deposit_1="150", value_1="100")
    del fields[f"store_{shop.world.east_store.id}"]

    refused = post_form(client, "/console/presales/new", fields)

    assert refused.status_code == 422
    assert field_error(refused.text, "deposit_1") == "需要：0 < 定金 ≤ 抵扣金额 ≤ 售价。"
    assert field_error(refused.text, "stores") == "请至少选择一项。"
    assert _campaigns(database) == 0


def test_windows_out_of_order_and_bad_amounts_are_shown_on_their_fields(
    client: TestClient, database: Database
) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.admin)
    start = today_in(shop.world.brand.timezone)

    refused = post_form(
        client,
        "/console/presales/new",
        _form(
            shop,
            deposit_ends_at=f"{start}T09:00",
            event_day=str(start - timedelta(days=1)),
            price_1="799.001",
            sku_1="NO-SUCH",
        ),
    )

    assert refused.status_code == 422
    assert field_error(refused.text, "deposit_ends_at") == "定金截止时间必须晚于开始时间。"
    assert field_error(refused.text, "event_day") == "活动日须在定金开始之后。"
    assert field_error(refused.text, "price_1") == "最多两位小数（精确到分）。"
    assert field_error(refused.text, "sku_1") == "本品牌没有这个编码的 SKU。"
    assert _campaigns(database) == 0


def test_store_managers_do_not_set_up_pre_sales(client: TestClient, database: Database) -> None:
    shop = shop_builders.shop(database)
    login(client, shop.world.east_store_manager)

    posted = post_form(client, "/console/presales/new", _form(shop))

    assert posted.status_code == 403
    assert _campaigns(database) == 0


def _overdue(database: Database, shop: order_builders.Shop, member_id: int) -> str:
    """The number of an order the member took on credit and whose charges all failed."""
    with database.transaction() as session:
        data = PolicyUpdate(brand_id=shop.world.brand.id, threshold=0)
        paylater_service.set_policy(session=session, scope=SYSTEM, data=data)
    scope = consumer_scope(member_builders.consumer_of(database, member_id))
    with database.transaction() as session:
        order = orders_service.create_order(
            session=session,
            scope=scope,
            data=OrderCreate.model_validate(order_builders.order_body(shop)),
        )
        number = order.number
        paylater_service.take_on_credit(
            session=session,
            scope=scope,
            data=DeferredCreate(order_id=order.id, charge_instruction="decline"),
        )
    for day in (30.01, 30.1, 31, 33):
        with database.transaction() as session:
            paylater_service.charge_due(session=session, now=utcnow() + timedelta(days=day))
    return number


def test_the_dunning_list_names_the_order_the_members_masked_phone_and_the_store(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    number = _overdue(database, shop, member_builders.member(database, shop.world))
    login(client, shop.world.admin)

    page = client.get("/console/dunning").text

    row = page.split('data-testid="dunning"')[1].split("</tr>")[1]
    assert f'data-testid="order-number">{number}<' in row
    assert shop.world.east_store.name in row
    assert "银行卡被拒（沙箱）" in row
    phone = row.split('data-testid="member-phone">')[1].split("<")[0]
    assert phone[:3].isdigit() and "****" in phone and len(phone) == 11


def test_a_store_manager_follows_up_a_debtor_bound_to_another_store_through_the_order(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    world = shop.world
    consumer_id = member_builders.consumer(database)
    elsewhere = member_builders.scan(
        database, world.brand.id, consumer_id, world.west_store.id, None
    ).member_id
    number = _overdue(database, shop, elsewhere)
    login(client, world.east_store_manager)

    response = client.get("/console/dunning")

    assert response.status_code == 200
    row = response.text.split('data-testid="dunning"')[1].split("</tr>")[1]
    assert f'data-testid="order-number">{number}<' in row
    assert 'data-testid="member-phone">—<' in row
