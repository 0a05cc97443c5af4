"""The till at /pos in a browser: a cashier opens a shift, scans, sells for cash and gets the
receipt; the till sells through a network outage and syncs each sale exactly once; the shift
closes with a balanced report, but not while sales wait on the device; an item the store
lacks is sold and shipped from the warehouse."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select
from tests import builders, member_builders, order_builders, return_builders
from tests.browser.live import App

from newretail.auth import service as auth_service
from newretail.catalog.models import Sku
from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.members import service as members_service
from newretail.members.models import Membership, PointsEntry
from newretail.members.schemas import PointsEntryCreate
from newretail.orders.models import Fulfilment, Order
from newretail.payments.models import Payment
from newretail.pos import service as pos_service
from newretail.pos.models import PosSale
from newretail.pos.schemas import RegisterCreate

pytestmark = pytest.mark.browser
PRICES = [12_900, 5_990]


@dataclass
class Counter:
    """A store selling two barcoded SKUs, with a register, and its cashier."""

    shop: order_builders.Shop
    register_id: int
    barcodes: list[str]

    @property
    def cashier(self) -> Any:
        return self.shop.world.east_cashier


def _counter(
    database: Database, *, open_shift_float: int | None = None, stock: int = 10
) -> Counter:
    shop = order_builders.shop(database, prices=PRICES, stock=stock)
    with database.transaction() as session:
        barcodes = []
        for i, sku_id in enumerate(shop.skus):
            sku = session.scalars(select(Sku).where(Sku.id == sku_id)).one()
            sku.barcode = f"69{shop.world.brand.id:06d}{i:05d}"
            barcodes.append(sku.barcode)
        register = pos_service.create_register(
            session=session,
            scope=SYSTEM,
            data=RegisterCreate(store_id=shop.store_id, code="R1", name="前台"),
        )
        if open_shift_float is not None:
            cashier = auth_service.scope_for_staff(
                session=session, staff=session.merge(shop.world.east_cashier)
            )
            pos_service.open_shift(
                session=session,
                scope=cashier,
                register_id=register.id,
                opening_float=open_shift_float,
            )
        register_id = register.id
    return Counter(shop, register_id, barcodes)


def _sign_in(page: Any, app: App, counter: Counter) -> None:
    page.goto(app.url + "/login")
    page.get_by_label("用户名").fill(counter.cashier.username)
    page.get_by_label("密码").fill(builders.PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(app.url + "/pos")
    expect(page.locator("body")).to_have_attribute("data-ready", "1")


def _scan(page: Any, barcode: str) -> None:
    page.keyboard.type(barcode)
    page.keyboard.press("Enter")


def _pay_cash(page: Any, received: str) -> None:
    expect(page.get_by_test_id("pay")).to_be_enabled()
    page.keyboard.press("F8")
    received_field = page.get_by_label("实收现金")
    expect(received_field).to_be_focused()
    received_field.fill(received)
    expect(page.get_by_test_id("complete-sale")).to_be_enabled()
    page.keyboard.press("Enter")


def _orders(database: Database, store_id: int) -> list[tuple[str, str, int]]:
    with database.transaction(read_only=True) as session:
        rows = session.execute(
            select(Order.channel, Order.status, Order.total)
            .where(Order.store_id == store_id)
            .order_by(Order.id)
        )
        return [tuple(row) for row in rows]


def test_a_cashier_opens_a_shift_scans_and_sells_for_cash_with_change(page: Any, app: App) -> None:
    counter = _counter(app.server.database)
    _sign_in(page, app, counter)

    page.get_by_label("备用金").fill("500")
    page.get_by_test_id("open-shift").click()
    expect(page.get_by_test_id("scan")).to_be_focused()
    expect(page.get_by_test_id("total")).to_have_text("¥0.00")  # an empty sale owes nothing
    _scan(page, counter.barcodes[0])
    _scan(page, counter.barcodes[0])
    expect(page.get_by_test_id("cart-lines").locator("[data-qty]")).to_have_text(["2"])
    page.keyboard.press("F4")
    expect(page.get_by_role("spinbutton", name="数量")).to_be_focused()
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("cart-lines").locator("[data-qty]")).to_have_text(["3"])
    page.get_by_role("button", name="减一件").click()
    expect(page.get_by_test_id("cart-lines").locator("[data-qty]")).to_have_text(["2"])
    expect(page.get_by_test_id("total")).to_have_text("¥258.00")
    page.keyboard.press("F8")
    page.get_by_label("实收现金").fill("200")
    expect(page.get_by_test_id("complete-sale")).to_be_disabled()
    expect(page.get_by_test_id("pay-due")).to_have_text("¥58.00")
    page.get_by_label("实收现金").fill("300")
    expect(page.get_by_test_id("pay-change")).to_have_text("¥42.00")
    page.keyboard.press("Enter")

    receipt = page.get_by_test_id("receipt")
    expect(page.get_by_text("请找零 ¥42.00")).to_be_visible()
    expect(receipt).to_contain_text("¥258.00")
    expect(receipt).to_contain_text("¥300.00")
    expect(receipt).to_contain_text("¥42.00")
    expect(receipt.locator(".receipt__qr")).to_be_visible()
    expect(page.locator("[data-receipt-status]")).to_have_text("已上传")
    page.emulate_media(media="print")
    expect(page.locator("[data-print] .receipt")).to_contain_text("¥42.00")
    expect(page.get_by_test_id("scan")).to_be_hidden()
    page.emulate_media(media="screen")
    assert _orders(app.server.database, counter.shop.store_id) == [("pos", "completed", 25_800)]
    with app.server.database.transaction(read_only=True) as session:
        cash = session.scalars(select(Payment.amount).where(Payment.method == "cash")).all()
    assert 25_800 in cash


def test_an_unknown_barcode_is_refused_with_a_message(page: Any, app: App) -> None:
    counter = _counter(app.server.database, open_shift_float=0)
    _sign_in(page, app, counter)

    _scan(page, "6999999999999")

    expect(page.get_by_text("没有条码为 6999999999999 的商品。")).to_be_visible()
    expect(page.get_by_test_id("cart-lines").locator("li")).to_have_count(0)
    expect(page.get_by_test_id("pay")).to_be_disabled()


def _catalog_mark(page: Any, counter: Counter) -> Any:
    """What the device recorded of its last full load of the store's catalog (None: none)."""
    return page.evaluate(
        "(key) => new Promise((done) => { const r = indexedDB.open('newretail-pos');"
        " r.onsuccess = () => { const q = r.result.transaction('kv').objectStore('kv').get(key);"
        " q.onsuccess = () => done(q.result === undefined ? null : q.result); }; })",
        f"catalog:{counter.shop.store_id}",
    )


def _wait_until_ready_offline(page: Any, counter: Counter) -> None:
    """The service worker controls the till and the store's whole catalog is on the device
    (polled from here: a page function that answers with a promise is truthy at once)."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    assert _until(page, lambda: _catalog_mark(page, counter)), (
        "the store's catalog never reached the device"
    )


def _until(page: Any, ready: Callable[[], Any]) -> bool:
    """Whether ``ready()`` came true within ten seconds, asked every tenth of a second (the
    waits between let Playwright hand over the page's events)."""
    for _ in range(100):
        if ready():
            return True
        page.wait_for_timeout(100)
    return False


def test_a_catalog_load_cut_short_is_not_taken_for_the_whole_catalog(page: Any, app: App) -> None:
    counter = _counter(app.server.database, open_shift_float=0)
    cut: list[str] = []

    def refuse(route: Any) -> None:
        cut.append(route.request.url)
        route.abort()

    page.route("**/api/v1/stores/*/catalog?*", refuse)
    _sign_in(page, app, counter)
    assert _until(page, lambda: cut)  # the till asks for the catalog once it is ready
    # The load gave up; a record of it would follow within milliseconds.
    page.wait_for_timeout(1_000)
    assert _catalog_mark(page, counter) is None

    page.unroute("**/api/v1/stores/*/catalog?*")
    page.reload()
    _wait_until_ready_offline(page, counter)
    assert _catalog_mark(page, counter)["count"] == len(counter.barcodes)


def _sell_offline(page: Any, barcode: str, received: str) -> None:
    _scan(page, barcode)
    expect(page.get_by_test_id("cart-lines").locator("li")).to_have_count(1)
    _pay_cash(page, received)
    expect(page.locator("[data-receipt-status]")).to_have_text("待上传")
    expect(page.get_by_test_id("receipt")).to_contain_text("尚未上传")
    page.get_by_role("button", name="下一单").click()


def test_the_till_sells_through_an_outage_and_syncs_each_sale_once(page: Any, app: App) -> None:
    database = app.server.database
    counter = _counter(database, open_shift_float=10_000)
    _sign_in(page, app, counter)
    _wait_until_ready_offline(page, counter)

    page.context.set_offline(True)
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("network")).to_have_text("离线：销售暂存在本机")
    _sell_offline(page, counter.barcodes[0], "200")
    _sell_offline(page, counter.barcodes[1], "60")
    expect(page.get_by_test_id("pending-count")).to_have_text("2 笔待上传")
    page.get_by_role("button", name="班次").click()
    page.get_by_test_id("close-shift").click()
    expect(page.get_by_text("还有 2 笔销售未上传")).to_be_visible()
    assert _orders(database, counter.shop.store_id) == []
    page.get_by_role("button", name="本机销售").click()
    sales = page.get_by_test_id("device-sales").locator("li")
    expect(sales).to_have_count(2)
    client_ids = sorted(sales.evaluate_all("els => els.map(e => e.dataset.clientId)"))

    page.context.set_offline(False)

    expect(page.get_by_test_id("pending-count")).to_be_hidden()
    expect(sales.locator(".badge")).to_have_text(["已上传", "已上传"])
    page.get_by_test_id("sync-now").click()
    expect(page.locator("[data-sync-state]")).to_have_text("没有待上传的销售。")
    with database.transaction(read_only=True) as session:
        taken = session.execute(
            select(PosSale.client_id, func.count())
            .where(PosSale.store_id == counter.shop.store_id)
            .group_by(PosSale.client_id)
        ).all()
    assert sorted(taken) == [(client_id, 1) for client_id in client_ids]
    assert sorted(_orders(database, counter.shop.store_id)) == [
        ("pos", "completed", 5_990),
        ("pos", "completed", 12_900),
    ]


def test_the_shift_closes_with_a_balanced_report(page: Any, app: App) -> None:
    counter = _counter(app.server.database, open_shift_float=50_000)
    _sign_in(page, app, counter)
    _scan(page, counter.barcodes[1])
    _pay_cash(page, "100")
    expect(page.get_by_text("请找零 ¥40.10")).to_be_visible()
    page.get_by_role("button", name="下一单").click()

    page.get_by_role("button", name="班次").click()
    page.get_by_label("现金实点").fill("559.90")
    page.get_by_test_id("close-shift").click()

    report = page.get_by_test_id("shift-report")
    expect(report.locator("[data-report-balance]")).to_have_text("账实相符")
    cash = report.locator("tr[data-method=cash]")
    expect(cash).to_contain_text("¥559.90")
    expect(cash.locator("td").last).to_have_text("¥0.00")
    expect(page.get_by_role("button", name="开新班")).to_be_visible()
    expect(page.locator("[data-shift-label]")).to_have_text("未开班")
    expect(page.get_by_role("button", name="收银", exact=True)).to_be_disabled()


def test_a_sale_that_cannot_be_placed_after_an_outage_is_shown_as_a_conflict(
    page: Any, app: App
) -> None:
    counter = _counter(app.server.database, open_shift_float=0, stock=1)
    _sign_in(page, app, counter)
    _wait_until_ready_offline(page, counter)

    page.context.set_offline(True)
    _sell_offline(page, counter.barcodes[0], "129")
    _sell_offline(page, counter.barcodes[0], "129")
    page.context.set_offline(False)

    expect(page.get_by_test_id("pending-count")).to_have_text("1 笔冲突")
    page.get_by_test_id("pending-count").click()
    conflict = page.locator("[data-status=conflict]")
    expect(conflict).to_have_count(1)
    expect(conflict).to_contain_text("冲突")
    expect(conflict.locator(".pos-sale__conflict")).not_to_be_empty()
    expect(page.locator("[data-status=synced]")).to_have_count(1)
    expect(page.locator("[data-store-conflicts] li")).to_have_count(1)
    assert _orders(app.server.database, counter.shop.store_id) == [("pos", "completed", 12_900)]

    _void_conflicts(app.server.database, counter)
    page.get_by_role("button", name="班次").click()
    page.get_by_role("button", name="本机销售").click()

    expect(conflict.locator(".badge")).to_have_text("店长已处理")
    expect(page.get_by_test_id("pending-count")).to_be_hidden()


def _void_conflicts(database: Database, counter: Counter) -> None:
    """The store manager settles the store's open conflicts: no order, money handled aside."""
    with database.transaction() as session:
        manager = auth_service.scope_for_staff(
            session=session, staff=session.merge(counter.shop.world.east_store_manager)
        )
        found, _ = pos_service.list_conflicts(
            session=session,
            scope=manager,
            store_id=counter.shop.store_id,
            status="open",
            cursor=None,
            limit=10,
        )
        for conflict in found:
            pos_service.settle(
                session=session,
                scope=manager,
                conflict_id=conflict.id,
                resolution="void",
                note="given back in cash",
            )


def _member_with_points(database: Database, counter: Counter, points: int) -> str:
    member_id = member_builders.member(database, counter.shop.world)
    with database.transaction() as session:
        members_service.post(
            session=session,
            scope=SYSTEM,
            member_id=member_id,
            data=PointsEntryCreate.model_validate({"kind": "earn", "points": points}),
        )
        member = session.get(Membership, member_id)
        assert member is not None
        return member.member_no


def test_a_member_pays_with_points_card_and_cash(page: Any, app: App) -> None:
    """The best combination spends the member's points (100 a yuan, at most half of what
    is left): the pay dialog says so, and card and cash pay the rest."""
    database = app.server.database
    counter = _counter(database, open_shift_float=0)
    member_no = _member_with_points(database, counter, 2_000)
    _sign_in(page, app, counter)
    _scan(page, counter.barcodes[0])
    expect(page.get_by_test_id("pay")).to_be_enabled()

    page.keyboard.press("F2")
    page.get_by_test_id("member-q").fill(member_no)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("member-name")).to_be_visible()
    expect(page.get_by_test_id("points-used")).to_contain_text("2000 积分抵扣 ¥20.00")
    page.keyboard.press("F8")
    expect(page.get_by_test_id("pay-points")).to_have_text("2000 积分抵扣 ¥20.00")
    expect(page.get_by_test_id("pay-total")).to_have_text("¥109.00")
    expect(page.get_by_role("button", name="积分", exact=True)).to_be_disabled()
    page.get_by_role("button", name="银行卡", exact=True).click()
    page.locator("[data-method=card] input[name=amount]").fill("100")
    expect(page.get_by_test_id("pay-due")).to_have_text("¥0.00")
    page.get_by_label("实收现金").fill("5")
    expect(page.get_by_test_id("complete-sale")).to_be_disabled()
    expect(page.get_by_test_id("pay-due")).to_have_text("¥4.00")
    page.get_by_label("实收现金").fill("10")
    expect(page.get_by_test_id("pay-change")).to_have_text("¥1.00")
    page.get_by_test_id("complete-sale").click()

    receipt = page.get_by_test_id("receipt")
    expect(receipt).to_contain_text(member_no)
    expect(receipt).to_contain_text("2000 积分抵扣 ¥20.00")
    with database.transaction(read_only=True) as session:
        paid = sorted(session.execute(select(Payment.method, Payment.amount)).all())
        spent = session.scalars(
            select(PointsEntry.points)
            .join(Membership, Membership.id == PointsEntry.membership_id)
            .where(PointsEntry.kind == "spend", Membership.member_no == member_no)
        ).all()
    assert ("card", 10_000) in paid
    assert ("cash", 900) in paid
    assert not [method for method, _ in paid if method == "points"]
    assert list(spent) == [-2_000]


def _ready_pickup(app: App, shop: order_builders.Shop) -> str:
    """A consumer's paid pickup order, waiting at the shop's store with its code."""
    buyer = shop.consumer_headers(order_builders.consumer(app.server.database))
    admin = shop.world.headers("admin")
    body = order_builders.order_body(
        shop, delivery={"method": "pickup", "pickup_store_id": shop.store_id}
    )
    with httpx.Client(base_url=app.url + "/api/v1") as api:
        order = api.post("/orders", json=body, headers=buyer).json()
        api.post(f"/orders/{order['id']}/pay", json={}, headers=buyer)
        fulfilment = api.get(f"/orders/{order['id']}/fulfilments", headers=admin).json()[0]
        ready = api.post(
            f"/orders/{order['id']}/fulfilments/{fulfilment['id']}/ready", headers=admin
        ).json()
    return str(ready["pickup_code"])


def test_a_pickup_is_handed_over_and_an_online_order_taken_back(page: Any, app: App) -> None:
    database = app.server.database
    counter = _counter(database, open_shift_float=0)
    code = _ready_pickup(app, counter.shop)
    online = return_builders.received_order(database, counter.shop, channel="cloud_store")
    with database.transaction(read_only=True) as session:
        number = session.scalars(select(Order.number).where(Order.id == online)).one()
    _sign_in(page, app, counter)

    page.get_by_role("button", name="自提", exact=True).click()
    page.get_by_placeholder("取货码").fill("12")
    page.get_by_role("button", name="交付", exact=True).click()
    expect(page.get_by_text("取货码为 6 位数字。")).to_be_visible()
    page.get_by_placeholder("取货码").fill(code)
    page.get_by_role("button", name="交付", exact=True).click()
    expect(page.get_by_text(f"取货码 {code} 已交付。")).to_be_visible()

    page.get_by_role("button", name="退货", exact=True).click()
    page.get_by_placeholder("订单号").fill(number)
    page.keyboard.press("Enter")
    units = page.locator("[data-order-line]")
    expect(units).to_have_count(2)
    units.first.fill("1")
    page.get_by_role("button", name="退货并退款").click()

    expect(page.get_by_text(f"订单 {number} 已退货")).to_be_visible()
    with database.transaction(read_only=True) as session:
        refunded = session.scalars(select(Order.refunded_amount).where(Order.id == online)).one()
    assert refunded == PRICES[0]


def test_an_item_this_store_lacks_is_sold_and_shipped_from_the_warehouse(
    page: Any, app: App
) -> None:
    counter = _counter(app.server.database, open_shift_float=0, stock=0)
    order_builders.receive(app.server.database, counter.shop.warehouse_id, counter.shop.skus[1], 5)
    _sign_in(page, app, counter)
    _scan(page, counter.barcodes[1])
    expect(page.get_by_test_id("cart-lines").locator("[data-qty]")).to_have_text(["1"])
    _pay_cash(page, "59.90")
    page.get_by_role("radio", name="寄给顾客").check()
    expect(page.get_by_test_id("complete-sale")).to_be_disabled()
    address = page.locator("[data-ship-address]")
    address.get_by_label("收货人").fill("李雷")
    address.get_by_label("手机号").fill("13800138000")
    address.get_by_label("城市").fill("上海")
    address.get_by_label("地址").fill("南京西路 1 号")
    page.get_by_test_id("complete-sale").click()
    expect(page.get_by_test_id("receipt")).to_be_visible()
    with app.server.database.transaction(read_only=True) as session:
        order = session.execute(
            select(Order.id, Order.channel, Order.total, Order.paid_amount).where(
                Order.store_id == counter.shop.store_id
            )
        ).one()
        sent_from = session.scalars(
            select(Fulfilment.location_id).where(Fulfilment.order_id == order.id)
        ).all()
    assert tuple(order)[1:] == ("pos", PRICES[1], PRICES[1])
    assert sent_from == [counter.shop.warehouse_id]
