"""The workbench in a real browser: a manager sends a task to a region and follows it to
done as the guide finishes it on their phone; a guide shares content and its view counts;
a DING shows who has read it; a target shows on the guide's day."""

import io
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect
from tests.browser.live import App
from tests.browser.test_browser_console import log_in, submit

from newretail.db import utcnow
from newretail.kernel.scope import SYSTEM, Role, Scope
from newretail.workbench import service as workbench_service
from newretail.workbench.schemas import ContentCreate, DingCreate, TaskCreate

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1440, "height": 900}


def _context(browser: Any, viewport: dict[str, int]) -> Any:
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    context.set_default_timeout(10_000)
    return context


def _admin_scope(app: App) -> Scope:
    return Scope(
        actor_type="staff",
        actor_id=app.world.admin.id,
        roles=frozenset({Role.BRAND_ADMIN}),
        brand_id=app.world.brand.id,
    )


def _photo(path: Any) -> str:
    image = Image.new("RGB", (64, 48), (15, 118, 110))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    target = path / "display.png"
    target.write_bytes(buffer.getvalue())
    return str(target)


def test_a_task_to_a_region_is_followed_to_done(browser: Any, app: App, tmp_path: Any) -> None:
    desk = _context(browser, DESK)
    manager = desk.new_page()
    log_in(manager, app, app.world.admin)
    manager.goto(app.url + "/console/tasks/new")
    manager.get_by_label("标题").fill("布置冬季橱窗")
    manager.get_by_label("截止时间").fill((utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    manager.get_by_test_id("pick-regions").get_by_label(app.world.east.name).check()
    submit(manager, manager.get_by_role("button", name="发送任务"))
    expect(manager.get_by_test_id("task-title")).to_have_text("布置冬季橱窗")
    expect(manager.locator("tr[data-state]")).to_have_count(1)
    task_url = manager.url

    phone = _context(browser, PHONE)
    guide = phone.new_page()
    log_in(guide, app, app.world.east_guide)
    guide.goto(app.url + "/g/work")
    with guide.expect_response(lambda r: r.url.endswith("/read") and r.status == 204):
        guide.get_by_test_id("my-tasks").get_by_text("布置冬季橱窗").click()
    expect(guide.get_by_test_id("task-title")).to_have_text("布置冬季橱窗")
    manager.goto(task_url)
    expect(manager.locator('tr[data-state="read"]')).to_have_count(1)

    guide.get_by_label("完成后的陈列照片").set_input_files(_photo(tmp_path))
    submit(guide, guide.get_by_role("button", name="标记完成"))
    expect(guide.get_by_test_id("task-done")).to_be_visible()
    manager.goto(task_url)
    expect(manager.get_by_test_id("done-count")).to_have_text("1")
    expect(
        manager.locator('tr[data-state="done"]').get_by_role("link", name="照片")
    ).to_be_visible()
    desk.close()
    phone.close()


def test_a_guides_content_link_counts_its_view(browser: Any, app: App) -> None:
    with app.server.database.transaction() as session:
        item = workbench_service.publish(
            session=session,
            scope=_admin_scope(app),
            data=ContentCreate(kind="article", title="冬季叠穿指南", body="先薄后厚。"),
            now=utcnow(),
        )
        content_id = item.id
    phone = _context(browser, PHONE)
    guide = phone.new_page()
    log_in(guide, app, app.world.east_guide)
    guide.goto(app.url + f"/g/work/content/{content_id}")
    submit(guide, guide.get_by_test_id("get-link"))
    link = guide.get_by_test_id("share-url").input_value()

    visitor = _context(browser, PHONE)
    reader = visitor.new_page()
    with reader.expect_response(lambda r: r.url.endswith(f"/content/{content_id}/views")):
        reader.goto(link)
    expect(reader.get_by_test_id("shared-title")).to_have_text("冬季叠穿指南")
    visitor.close()

    guide.reload()
    expect(guide.get_by_test_id("share-stats").locator(".wb-kpi__value").first).to_have_text("1")
    phone.close()


def test_a_ding_board_shows_who_has_read(browser: Any, app: App) -> None:
    world = app.world
    with app.server.database.transaction() as session:
        manager_scope = Scope(
            actor_type="staff",
            actor_id=world.east_store_manager.id,
            roles=frozenset({Role.STORE_MANAGER}),
            brand_id=world.brand.id,
            region_ids=frozenset({world.east.id}),
            store_ids=frozenset({world.east_store.id}),
        )
        workbench_service.send(
            session=session,
            scope=manager_scope,
            data=DingCreate(body="三点消防演练", recipients=[world.east_guide.id]),
            now=utcnow(),
        )
    phone = _context(browser, PHONE)
    guide = phone.new_page()
    log_in(guide, app, world.east_guide)
    guide.goto(app.url + "/g/work")
    guide.get_by_test_id("unread-dings").click()
    submit(guide, guide.get_by_role("button", name="收到"))
    phone.close()

    desk = _context(browser, DESK)
    board = desk.new_page()
    log_in(board, app, world.east_store_manager)
    board.goto(app.url + "/console/dings")
    reader = board.locator(f'[data-reader="{world.east_guide.display_name}"]').first
    expect(reader).to_have_attribute("data-read", "yes")
    desk.close()


def test_a_target_set_in_the_console_shows_on_the_guides_day(browser: Any, app: App) -> None:
    desk = _context(browser, DESK)
    manager = desk.new_page()
    log_in(manager, app, app.world.east_store_manager)
    manager.goto(app.url + "/console/targets")
    manager.get_by_label("门店").select_option(str(app.world.east_store.id))
    manager.get_by_label("导购", exact=True).select_option(str(app.world.east_guide.id))
    manager.get_by_role("textbox", name="目标").fill("5000")
    submit(manager, manager.get_by_role("button", name="保存目标"))
    expect(manager.get_by_test_id("targets").locator("[data-target]")).to_have_count(1)
    desk.close()

    phone = _context(browser, PHONE)
    guide = phone.new_page()
    log_in(guide, app, app.world.east_guide)
    guide.goto(app.url + "/g/work")
    expect(guide.get_by_test_id("target-actual").first).to_contain_text("5,000")
    phone.close()


def test_guide_pages_fit_a_phone(browser: Any, app: App) -> None:
    with app.server.database.transaction() as session:
        workbench_service.create_task(
            session=session,
            scope=SYSTEM,
            data=TaskCreate(
                brand_id=app.world.brand.id,
                kind="promotion",
                title="春季陈列",
                targets={"stores": [app.world.east_store.id]},
                due_at=utcnow() + timedelta(days=1),
            ),
            now=utcnow(),
        )
    phone = _context(browser, PHONE)
    page = phone.new_page()
    log_in(page, app, app.world.east_guide)
    for path in ("/g/work", "/g/work/dings"):
        page.goto(app.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
    phone.close()
