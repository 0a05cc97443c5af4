"""The console in headless Chromium: logging in, the tree and stores, the forms, languages."""

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from tests import builders
from tests.browser.live import App

from newretail.auth.models import Staff

pytestmark = pytest.mark.browser


def submit(page: Any, button: Any) -> None:
    """Click a submit button and wait for the answer to load."""
    with page.expect_navigation():
        button.click()


def log_in(page: Any, app: App, staff: Staff, password: str = builders.PASSWORD) -> None:
    page.goto(app.url + "/login")
    page.get_by_label("用户名").fill(staff.username)
    page.get_by_label("密码").fill(password)
    submit(page, page.get_by_role("button", name="登录"))


def store_row(page: Any, code: str) -> Any:
    return page.locator(f'tr[data-store="{code}"]')


def test_a_brand_admin_logs_in_and_sees_the_regions_and_stores(page: Any, app: App) -> None:
    log_in(page, app, app.world.admin)
    expect(page).to_have_url(app.url + "/console")
    submit(
        page,
        page.get_by_role("navigation", name="管理后台").get_by_role(
            "link", name="门店", exact=True
        ),
    )
    expect(page.get_by_role("heading", name=app.world.brand.name)).to_be_visible()
    expect(page.locator(".tree")).to_contain_text(app.world.east.name)
    expect(store_row(page, app.world.east_store.code)).to_contain_text("直营")
    expect(store_row(page, app.world.west_store.code)).to_be_visible()


def test_a_brand_admin_creates_a_region_and_a_store_in_it(page: Any, app: App) -> None:
    log_in(page, app, app.world.admin)
    page.goto(app.url + "/console/stores")
    page.get_by_role("link", name="新建区域").click()
    page.get_by_label("编码").fill("NORTH")
    page.get_by_label("名称").fill("华北大区")
    page.get_by_label("上级区域").select_option(label=f"{app.world.hq.name} ({app.world.hq.code})")
    submit(page, page.get_by_role("button", name="创建区域"))
    expect(page.locator("[data-flash]")).to_contain_text("已创建区域“华北大区”。")
    expect(page.locator(".tree")).to_contain_text("华北大区")

    page.get_by_role("link", name="新建门店").click()
    page.get_by_label("编码").fill("BJ-001")
    page.get_by_label("名称").fill("三里屯太古里店")
    page.get_by_label("类型").select_option("popup")
    page.get_by_label("所属区域").select_option(label="\u3000华北大区 (NORTH)")
    page.get_by_label("所在商圈").select_option(label="静安寺商圈 · 上海")
    page.get_by_label("城市").fill("北京")
    page.get_by_label("纬度").fill("39.9368")
    page.get_by_label("经度").fill("116.4551")
    page.get_by_label("星期日").fill("")
    submit(page, page.get_by_role("button", name="创建门店"))
    expect(page.locator("[data-flash]")).to_contain_text("已创建门店“三里屯太古里店”。")
    row = store_row(page, "BJ-001")
    expect(row).to_contain_text("快闪店")
    expect(row).to_contain_text("北京")
    expect(row).to_contain_text("华北大区")


def test_a_brand_admin_edits_a_store(page: Any, app: App) -> None:
    with app.server.database.transaction() as session:
        store = builders.store(session, app.world.brand.id, app.world.west.id, code="EDIT-1")
        store_id = store.id
    log_in(page, app, app.world.admin)
    page.goto(app.url + "/console/stores")
    store_row(page, "EDIT-1").get_by_role("link", name="编辑").click()
    expect(page).to_have_url(app.url + f"/console/stores/{store_id}/edit")
    page.get_by_label("名称").fill("徐家汇港汇店")
    page.get_by_label("状态").select_option("closed")
    page.get_by_label("星期二").fill("09:30-21:00")
    submit(page, page.get_by_role("button", name="保存"))
    expect(page.locator("[data-flash]")).to_contain_text("已保存门店“徐家汇港汇店”。")
    expect(store_row(page, "EDIT-1")).to_contain_text("已关闭")
    page.goto(app.url + f"/console/stores/{store_id}/edit")
    expect(page.get_by_label("星期二")).to_have_value("09:30-21:00")


def test_moving_a_region_under_its_own_child_shows_the_error(page: Any, app: App) -> None:
    world = app.world
    log_in(page, app, world.admin)
    page.goto(app.url + f"/console/regions/{world.hq.id}/edit")
    page.get_by_label("上级区域").select_option(str(world.east.id))
    submit(page, page.get_by_role("button", name="保存"))
    expect(page.locator(".field--invalid")).to_contain_text(
        "不能把区域移动到它自己或它的下级区域之下。"
    )
    expect(page.get_by_role("alert")).to_contain_text("请修改标出的字段。")
    expect(page.get_by_label("上级区域")).to_have_value(str(world.east.id))


def test_the_language_switches_to_english_and_back(page: Any, app: App) -> None:
    log_in(page, app, app.world.east_manager)
    page.goto(app.url + "/console/stores")
    submit(page, page.get_by_role("button", name="English"))
    expect(page.get_by_role("link", name="New store")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.reload()
    expect(page.get_by_role("heading", name="Stores")).to_be_visible()
    submit(page, page.get_by_role("button", name="中文"))
    expect(page.get_by_role("link", name="新建门店")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_logging_out_ends_the_session(page: Any, app: App) -> None:
    log_in(page, app, app.world.admin)
    submit(page, page.get_by_role("button", name="退出"))
    expect(page.locator("[data-flash]")).to_contain_text("您已退出登录。")
    page.goto(app.url + "/console")
    expect(page).to_have_url(app.url + "/login?next=/console")


def test_a_wrong_password_shows_an_error(page: Any, app: App) -> None:
    log_in(page, app, app.world.east_store_manager, password="not-the-password")
    expect(page.get_by_role("alert")).to_have_text("用户名或密码错误。")
    expect(page.get_by_label("用户名")).to_have_value(app.world.east_store_manager.username)


@pytest.mark.parametrize("who", ["east_guide", "east_cashier"])
def test_a_guide_or_cashier_sees_only_their_store(page: Any, app: App, who: str) -> None:
    log_in(page, app, getattr(app.world, who))
    page.goto(app.url + "/console")  # a guide lands on their workbench at /g
    expect(store_row(page, app.world.east_store.code)).to_be_visible()
    expect(page.locator("tr[data-store]")).to_have_count(1)
    expect(page.get_by_role("link", name="新建门店")).to_have_count(0)


def test_a_platform_admin_picks_a_brand(page: Any, app: App) -> None:
    log_in(page, app, app.platform_admin)
    submit(
        page, page.locator("tr", has_text=app.world.brand.name).get_by_role("button", name="管理")
    )
    expect(page).to_have_url(app.url + f"/console?brand={app.world.brand.id}")
    submit(
        page,
        page.get_by_role("navigation", name="管理后台").get_by_role(
            "link", name="门店", exact=True
        ),
    )
    expect(store_row(page, app.world.west_store.code)).to_be_visible()


def test_pages_ask_nothing_of_any_other_host(page: Any, app: App) -> None:
    hosts: set[str] = set()
    failed: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    # A navigation cancels what the previous page still loads (often its favicon): that is
    # not a failure of the page, anything else is.
    def on_failed(request: Any) -> None:
        if request.failure != "net::ERR_ABORTED":
            failed.append(request.url)

    page.on("requestfailed", on_failed)
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    log_in(page, app, app.world.admin)
    for path in (
        "/console",
        "/console/stores",
        f"/console/regions/{app.world.east.id}/edit",
        "/console/stores/new",
        f"/console/stores/{app.world.east_store.id}/edit",
    ):
        page.goto(app.url + path)
        page.wait_for_load_state("networkidle")
    assert hosts == {urlsplit(app.url).netloc}
    assert failed == []
    assert errors == []  # a blocked inline style or script would be reported here


@pytest.mark.parametrize("path", ["/console", "/console/stores/new", "/console/regions/new"])
def test_pages_fit_a_phone_screen(browser: Any, app: App, path: str) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    phone = context.new_page()
    log_in(phone, app, app.world.admin)
    phone.goto(app.url + path)
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow == 0
