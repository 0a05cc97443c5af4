"""Checking out of the cloud store in a browser: a saved address picked for the courier, pay
later chosen, and the order page's pay-later state, on a phone and on a desktop, without
layout faults."""

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from tests import member_builders, order_builders
from tests.browser.live import App
from tests.browser.test_browser_layouts import faults

from newretail.catalog.models import Sku
from newretail.config import Settings
from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.members.schemas import AddressFields
from newretail.orders import service as orders_service
from newretail.paylater import service as paylater_service
from newretail.paylater.schemas import PolicyUpdate
from newretail.web import security
from newretail.web.shop_shell import SHOPPER_COOKIE

pytestmark = pytest.mark.browser
SIZES = [{"width": 390, "height": 844}, {"width": 1440, "height": 900}]


def _address(recipient: str, line: str, default: bool) -> AddressFields:
    return AddressFields(
        recipient=recipient,
        phone="13912340001",
        region="上海市",
        city="上海市",
        district="静安区",
        line=line,
        is_default=default,
    )


def _member_with_addresses(app: App, shop: order_builders.Shop) -> tuple[int, list[int]]:
    """A member of the shop's brand whom pay later lets in, with two saved addresses."""
    database = app.server.database
    member_id = member_builders.member(database, shop.world)
    consumer_id = member_builders.consumer_of(database, member_id)
    me = Scope(actor_type="consumer", actor_id=consumer_id, roles=frozenset())
    brand_id = shop.world.brand.id
    with database.transaction() as session:
        paylater_service.set_policy(
            session=session,
            scope=orders_service.system_for(brand_id),
            data=PolicyUpdate(threshold=0),
        )
        ids = [
            members_service.add_address(session=session, scope=me, brand_id=brand_id, data=data).id
            for data in (
                _address("李雷", "南京西路 1 号", True),
                _address("韩梅梅", "延安中路 88 号 3 号楼 1201 室", False),
            )
        ]
    return consumer_id, ids


def _product_of(app: App, sku_id: int) -> int:
    with app.server.database.transaction(read_only=True) as session:
        return int(session.scalar(select(Sku.product_id).where(Sku.id == sku_id)) or 0)


@pytest.mark.parametrize("viewport", SIZES, ids=["phone", "desktop"])
def test_a_member_picks_a_saved_address_and_pays_later_at_checkout(
    browser: Any, app: App, viewport: dict[str, int]
) -> None:
    shop = order_builders.shop(app.server.database)
    consumer_id, (home, work) = _member_with_addresses(app, shop)
    base = f"{app.url}/s/{shop.world.brand.code}.{shop.world.east_store.code}"
    secret = Settings(database_url=app.server.database.url).secret_key
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    context.set_default_timeout(10_000)
    context.add_cookies(
        [
            {
                "name": SHOPPER_COOKIE,
                "value": security.sign(secret, "shopper", {"consumer_id": consumer_id}),
                "url": app.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"{base}/p/{_product_of(app, shop.skus[0])}?sku={shop.skus[0]}")
    with page.expect_navigation():
        page.get_by_test_id("add-to-cart").click()
    page.goto(f"{base}/checkout")

    expect(page.get_by_test_id("delivery-address")).to_be_hidden()
    page.get_by_test_id("method-same-city").check()
    expect(page.get_by_test_id("saved-addresses")).to_be_visible()
    expect(page.locator(f'[data-address="{home}"]')).to_be_checked()
    page.locator(f'[data-address="{work}"]').check()
    expect(page.locator("#f-name")).to_be_hidden()
    expect(page.get_by_test_id("pay-later-terms")).to_contain_text("¥1.00")
    page.get_by_test_id("pay-later").check()
    assert faults(page) == []

    with page.expect_navigation():
        page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("order")).to_be_visible()
    expect(page.get_by_test_id("pay-later-status")).to_have_text("待扣款")
    expect(page.get_by_test_id("pay-later-collected")).to_have_text("¥1.00")
    expect(page.get_by_test_id("pay-later-due-at")).to_be_visible()
    assert faults(page) == []

    page.goto(f"{base}/orders")
    expect(page.get_by_test_id("order-pay-later")).to_contain_text("先享后付")
    assert faults(page) == []
    context.close()
