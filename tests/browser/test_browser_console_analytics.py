"""The analytics dashboard in Chromium: every chart drawn from a planted warehouse, its
numbers those of the API it names, and its CSV download the same rows."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests import builders
from tests.browser.live import App
from tests.warehouse_builders import PlantedWarehouse, plant_dashboard_world

pytestmark = pytest.mark.browser
CHARTS = ["seed", "seed_store", "seed_district", "layers", "attribution"]


def _log_in(page: Any, app: App) -> None:
    page.goto(app.url + "/login")
    page.get_by_label("Username").fill(app.world.admin.username)
    page.get_by_label("Password").fill(builders.PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def test_every_chart_is_drawn_from_the_warehouse_and_exported(
    browser: Any, app: App, tmp_path: Path
) -> None:
    world = app.world
    warehouse = PlantedWarehouse()
    stores = [world.east_store.id, world.west_store.id]
    plant_dashboard_world(warehouse, world.brand.id, stores, 1, datetime.now(UTC))
    app.server.app.state.analytics_warehouse = warehouse
    context = browser.new_context(
        locale="en-US", viewport={"width": 390, "height": 844}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _log_in(page, app)
    with page.expect_navigation():
        page.get_by_role("link", name="Analytics").click()

    expect(page.locator("[data-chart][data-drawn='1']")).to_have_count(len(CHARTS))
    api = page.get_by_test_id("chart-seed").get_attribute("data-api")
    answer = page.request.get(app.url + str(api), headers=world.headers("admin")).json()
    page.get_by_test_id("chart-seed").locator("summary").click()
    reached = page.get_by_test_id("numbers-seed").locator("tbody tr td:nth-child(2)")
    shown = [int(cell) for cell in reached.all_inner_texts()]
    with page.expect_download() as download:
        page.get_by_test_id("csv-seed_store").click()
    saved = tmp_path / "stores.csv"
    download.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8").splitlines()
    empty_audiences = page.get_by_test_id("chart-audiences").inner_text()
    context.close()
    warehouse.close()

    assert errors == []
    assert shown == [s["reached"] for s in answer["total"]] == [31, 21, 12, 7, 4]
    assert lines[0].split(",")[0] == "Store"
    assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(
        [world.east_store.name, world.west_store.name]
    )
    assert "No audience has members yet." in empty_audiences
