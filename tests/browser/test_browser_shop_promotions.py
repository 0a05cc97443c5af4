"""The cloud store's promises are rules checkout applies, in a browser: the running shoe's
"满 599 减 100" that the demo advertises is on the home and product pages, checkout takes it
off, and the buyer pays the advertised price; a member claims a coupon, finds it in the
wallet, and may pick a combination without it. On a phone and on a desktop, no layout faults."""

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from tests import member_builders, order_builders
from tests.browser.live import App
from tests.browser.test_browser_layouts import faults

from newretail.catalog.models import Sku
from newretail.config import Settings
from newretail.db import utcnow
from newretail.kernel.scope import SYSTEM
from newretail.promotions import service as promotions_service
from newretail.promotions.schemas import PromotionCreate, TemplateCreate
from newretail.simulate.campaigns import COUPONS, PROMOTIONS
from newretail.web import security
from newretail.web.shop_shell import SHOPPER_COOKIE

pytestmark = pytest.mark.browser
SIZES = [{"width": 390, "height": 844}, {"width": 1440, "height": 900}]
SHOE = PROMOTIONS["YUEDONG"][0]  # 夏日跑步节 · 跑鞋满 599 减 100
COUPON = COUPONS["YUEDONG"][0]  # 满 300 减 30


def _shoe_shop(app: App) -> order_builders.Shop:
    """A store selling one running shoe at ¥899.00 under the demo's advertised promotion."""
    database = app.server.database
    shop = order_builders.shop(database, prices=[89_900])
    start = utcnow() - timedelta(days=1)
    with database.transaction() as session:
        promotions_service.create_promotion(
            session=session,
            scope=SYSTEM,
            data=PromotionCreate.model_validate(
                {
                    "brand_id": shop.world.brand.id,
                    "name": SHOE.name,
                    "kind": SHOE.kind,
                    "terms": SHOE.terms,
                    "reach": {"skus": shop.skus},
                    "starts_at": start,
                }
            ),
        )
        promotions_service.create_template(
            session=session,
            scope=SYSTEM,
            data=TemplateCreate.model_validate(
                {
                    "brand_id": shop.world.brand.id,
                    "name": COUPON.name,
                    "kind": COUPON.kind,
                    "terms": COUPON.terms,
                    "starts_at": start,
                    "valid_days": 30,
                    "per_member_limit": 1,
                }
            ),
        )
    return shop


def _signed_in(browser: Any, app: App, consumer_id: int, viewport: dict[str, int]) -> Any:
    secret = Settings(database_url=app.server.database.url).secret_key
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    context.set_default_timeout(10_000)
    cookie = security.sign(secret, "shopper", {"consumer_id": consumer_id})
    context.add_cookies([{"name": SHOPPER_COOKIE, "value": cookie, "url": app.url}])
    return context


def _product_of(app: App, sku_id: int) -> int:
    with app.server.database.transaction(read_only=True) as session:
        return int(session.scalar(select(Sku.product_id).where(Sku.id == sku_id)) or 0)


def _to_checkout(page: Any, app: App, shop: order_builders.Shop, base: str) -> None:
    page.goto(f"{base}/p/{_product_of(app, shop.skus[0])}?sku={shop.skus[0]}")
    expect(page.get_by_test_id("product-promotion")).to_contain_text("满 599 减 100")
    assert faults(page) == []
    with page.expect_navigation():
        page.get_by_test_id("add-to-cart").click()
    page.goto(f"{base}/checkout")


@pytest.mark.parametrize("viewport", SIZES, ids=["phone", "desktop"])
def test_the_advertised_shoe_is_paid_at_the_advertised_price(
    browser: Any, app: App, viewport: dict[str, int]
) -> None:
    shop = _shoe_shop(app)
    base = f"{app.url}/s/{shop.world.brand.code}.{shop.world.east_store.code}"
    context = _signed_in(browser, app, order_builders.consumer(app.server.database), viewport)
    page = context.new_page()
    page.goto(base)
    expect(page.get_by_test_id("promotion")).to_contain_text(SHOE.name)
    assert faults(page) == []

    _to_checkout(page, app, shop, base)
    expect(page.get_by_test_id("discount-option").first).to_contain_text("省 ¥100.00")
    expect(page.get_by_test_id("checkout-total")).to_have_text("¥799.00")
    assert faults(page) == []
    with page.expect_navigation():
        page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("pay")).to_be_visible()
    with page.expect_navigation():
        page.get_by_test_id("pay-succeed").click()
    expect(page.get_by_test_id("order-total")).to_have_text("¥799.00")
    expect(page.get_by_test_id("order-discount")).to_contain_text(SHOE.name)
    expect(page.get_by_test_id("order-discount")).to_contain_text("¥100.00")
    assert faults(page) == []
    context.close()


@pytest.mark.parametrize("viewport", SIZES, ids=["phone", "desktop"])
def test_a_member_claims_a_coupon_and_may_check_out_without_it(
    browser: Any, app: App, viewport: dict[str, int]
) -> None:
    shop = _shoe_shop(app)
    database = app.server.database
    consumer_id = member_builders.consumer_of(
        database, member_builders.member(database, shop.world)
    )
    base = f"{app.url}/s/{shop.world.brand.code}.{shop.world.east_store.code}"
    context = _signed_in(browser, app, consumer_id, viewport)
    page = context.new_page()
    page.goto(base)
    expect(page.get_by_test_id("coupon-template")).to_contain_text(COUPON.name)
    assert faults(page) == []
    with page.expect_navigation():
        page.get_by_test_id("claim-coupon").click()
    expect(page.get_by_test_id("wallet-coupon")).to_contain_text(COUPON.name)
    expect(page.get_by_test_id("wallet-coupon-status")).to_have_text("可使用")
    assert faults(page) == []

    _to_checkout(page, app, shop, base)
    options = page.get_by_test_id("discount-option")
    expect(options.first).to_contain_text("省 ¥130.00")
    expect(page.get_by_test_id("checkout-total")).to_have_text("¥769.00")
    without = options.filter(has_not_text=COUPON.name).first
    expect(without).to_contain_text("省 ¥100.00")
    without.locator("input").check()
    expect(page.get_by_test_id("checkout-total")).to_have_text("¥799.00")
    assert faults(page) == []
    with page.expect_navigation():
        page.get_by_test_id("place-order").click()
    with page.expect_navigation():
        page.get_by_test_id("pay-succeed").click()
    expect(page.get_by_test_id("order-total")).to_have_text("¥799.00")

    page.goto(f"{base}/me")
    with page.expect_navigation():
        page.get_by_test_id("me-coupons").click()
    expect(page.get_by_test_id("wallet-coupon-status")).to_have_text("可使用")
    context.close()
