"""Free gifts, service vouchers and paid vouchers in a browser: HQ makes a free-gift coupon
through the form; a member buys a paid voucher on the cloud store home and finds it in the
wallet with what it cost; a service voucher's page says to show it at the counter; the
redemption report breaks down by claim channel. Every page lays out at phone and desktop."""

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from tests import member_builders, order_builders
from tests.browser.live import App
from tests.browser.test_browser_console import log_in
from tests.browser.test_browser_console_promotions import laid_out, submit
from tests.browser.test_browser_shop_promotions import _signed_in

from newretail.catalog.models import Sku
from newretail.db import utcnow
from newretail.kernel.scope import SYSTEM
from newretail.members.models import Membership
from newretail.promotions import service as promotions_service
from newretail.promotions.schemas import ClaimCreate, TemplateCreate

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _template(app: App, shop: order_builders.Shop, name: str, kind: str, terms: Any) -> int:
    data = TemplateCreate.model_validate(
        {
            "brand_id": shop.world.brand.id,
            "name": name,
            "kind": kind,
            "terms": terms,
            "starts_at": (utcnow() - timedelta(days=1)).isoformat(),
            "valid_days": 30,
        }
    )
    with app.server.database.transaction() as session:
        return promotions_service.create_template(session=session, scope=SYSTEM, data=data).id


def _at_checkout(
    browser: Any, app: App, shop: order_builders.Shop, member_id: int, viewport: Any
) -> tuple[Any, Any]:
    """The member signed in, the shop's first SKU in their cart, on the checkout page."""
    database = app.server.database
    with database.transaction(read_only=True) as session:
        product = session.scalar(select(Sku.product_id).where(Sku.id == shop.skus[0]))
    base = f"{app.url}/s/{shop.world.brand.code}.{shop.world.east_store.code}"
    context = _signed_in(browser, app, member_builders.consumer_of(database, member_id), viewport)
    page = context.new_page()
    page.goto(f"{base}/p/{product}?sku={shop.skus[0]}")
    with page.expect_navigation():
        page.get_by_test_id("add-to-cart").click()
    page.goto(f"{base}/checkout")
    return context, page


def test_a_member_buys_a_paid_voucher_and_holds_a_service_voucher(browser: Any, app: App) -> None:
    database = app.server.database
    shop = order_builders.shop(database, prices=[89_900])
    _template(app, shop, "百元代金券", "paid", {"amount": 10_000, "price": 8_000})
    trial = _template(app, shop, "免费试穿体验", "service", {"amount": 5_000})
    member_id = member_builders.member(database, shop.world)
    with database.transaction() as session:
        data = ClaimCreate(template_id=trial, member_id=member_id)
        trial_coupon = promotions_service.claim(session=session, scope=SYSTEM, data=data).id
    base = f"{app.url}/s/{shop.world.brand.code}.{shop.world.east_store.code}"
    context = _signed_in(browser, app, member_builders.consumer_of(database, member_id), PHONE)
    page = context.new_page()
    page.goto(base)
    voucher = page.get_by_test_id("coupon-template").filter(has_text="百元代金券")
    expect(voucher.get_by_test_id("voucher-price")).to_have_text("仅需 ¥80.00")
    assert laid_out(page) == []
    with page.expect_navigation():
        voucher.get_by_test_id("buy-voucher").click()
    bought = page.get_by_test_id("wallet-coupon").filter(has_text="百元代金券")
    expect(bought.get_by_test_id("wallet-coupon-kind")).to_have_text("付费代金券 · 购入价 ¥80.00")
    assert laid_out(page) == []
    page.goto(f"{base}/me/coupons/{trial_coupon}")
    expect(page.get_by_test_id("how-in-store")).to_contain_text("由店员为您核销一次")
    expect(page.get_by_test_id("how-online")).to_have_count(0)
    assert laid_out(page) == []
    context.close()


def test_hq_makes_a_free_gift_coupon_and_reads_claims_by_channel(browser: Any, app: App) -> None:
    database = app.server.database
    shop = order_builders.shop(database, prices=[89_900])
    with database.transaction(read_only=True) as session:
        gift_code = session.scalar(select(Sku.code).where(Sku.id == shop.skus[0]))
    fixed = _template(app, shop, "立减 10 元", "fixed", {"amount": 1_000})
    with database.transaction() as session:
        data = ClaimCreate(
            template_id=fixed, member_id=member_builders.member(database, shop.world)
        )
        promotions_service.claim(session=session, scope=SYSTEM, data=data)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, app, shop.world.admin)
    page.goto(app.url + "/console/coupons/new")
    form = page.get_by_test_id("coupon-form")
    form.locator("[name=kind]").select_option("free_gift")
    expect(form.locator("[name=gift_sku]")).to_be_visible()
    expect(form.locator("[name=price]")).to_be_hidden()
    form.locator("[name=name]").fill("满 500 送袜子")
    form.locator("[name=gift_sku]").fill(str(gift_code))
    form.locator("[name=amount]").fill("39")
    form.locator("[name=threshold]").fill("500")
    form.locator("[name=starts_at]").fill("2026-01-01T10:00")
    assert laid_out(page) == []
    submit(page, form.get_by_role("button", name="创建优惠券"))
    expect(page.get_by_test_id("coupon-templates")).to_contain_text("赠送价值 ¥39.00 的礼品")
    page.goto(app.url + "/console/coupons/report")
    expect(page.get_by_test_id("report-templates")).to_contain_text("满 500 送袜子")
    expect(page.get_by_test_id("report-channels")).to_contain_text("导购推送")
    assert laid_out(page) == []
    context.close()


@pytest.mark.parametrize(
    "viewport", [PHONE, {"width": 1440, "height": 900}], ids=["phone", "desktop"]
)
def test_a_free_gift_is_offered_at_checkout_and_recorded_on_the_order(
    browser: Any, app: App, viewport: dict[str, int]
) -> None:
    database = app.server.database
    shop = order_builders.shop(database, prices=[89_900, 3_900])
    terms = {"threshold": 50_000, "amount": 3_900, "gift_sku_id": shop.skus[1]}
    gift = _template(app, shop, "满 500 送袜子", "free_gift", terms)
    member_id = member_builders.member(database, shop.world)
    with database.transaction() as session:
        data = ClaimCreate(template_id=gift, member_id=member_id)
        promotions_service.claim(session=session, scope=SYSTEM, data=data)
    context, page = _at_checkout(browser, app, shop, member_id, viewport)
    option = page.get_by_test_id("discount-option").first
    expect(option.get_by_test_id("discount-option-gift")).to_have_text("另赠价值 ¥39.00 的礼品")
    expect(page.get_by_test_id("checkout-total")).to_have_text("¥899.00")
    assert laid_out(page) == []
    with page.expect_navigation():
        page.get_by_test_id("place-order").click()
    with page.expect_navigation():
        page.get_by_test_id("pay-succeed").click()
    expect(page.get_by_test_id("order-total")).to_have_text("¥899.00")
    expect(page.get_by_test_id("order-discount")).to_contain_text("满 500 送袜子")
    expect(page.get_by_test_id("order-discount")).to_contain_text("¥39.00")
    assert laid_out(page) == []
    context.close()


def test_a_member_pays_part_of_an_order_with_points(browser: Any, app: App) -> None:
    database = app.server.database
    shop = order_builders.shop(database, prices=[89_900])
    member_id = member_builders.member(database, shop.world)
    member_builders.give_points(database, member_id, 10_000)
    context, page = _at_checkout(browser, app, shop, member_id, PHONE)
    option = page.get_by_test_id("discount-option").first
    expect(option.get_by_test_id("discount-option-points")).to_have_text("10000 积分抵扣 ¥100.00")
    # Points are not a saving: no option claims to save ¥0.00.
    expect(option).to_contain_text("最优：实付 ¥799.00")
    keep = page.get_by_test_id("discount-option").last
    expect(keep).to_contain_text("不用积分：实付 ¥899.00")
    expect(page.get_by_test_id("discount-choice")).not_to_contain_text("省 ¥0.00")
    expect(page.get_by_test_id("checkout-total")).to_have_text("¥799.00")
    assert laid_out(page) == []
    with page.expect_navigation():
        page.get_by_test_id("place-order").click()
    with page.expect_navigation():
        page.get_by_test_id("pay-succeed").click()
    expect(page.get_by_test_id("order-total")).to_have_text("¥799.00")
    with database.transaction(read_only=True) as session:
        member = session.get(Membership, member_id)
        assert member is not None and member.points == 0
    context.close()
