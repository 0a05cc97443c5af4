"""One app and one Chromium per module: pages tested in a real headless browser."""

from collections.abc import Iterator
from typing import Any

import pytest
from tests import builders
from tests.browser.live import CHROMIUM_FLAGS, App, LiveServer
from tests.passwords import cheap_hashing
from tests.services import chromium_path

from newretail.kernel.scope import SYSTEM
from newretail.org import service as org_service
from newretail.org.schemas import DistrictCreate


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    with cheap_hashing():
        server = LiveServer(tmp_path_factory.mktemp("browser")).start()
        try:
            world = builders.brand_world(server.database)
            with server.database.transaction() as session:
                district = DistrictCreate(
                    code="JAS", name="静安寺商圈", city="上海", lat=31.22, lng=121.44
                )
                org_service.create_district(session=session, scope=SYSTEM, data=district)
            yield App(server, world, builders.platform_admin(server.database))
        finally:
            server.stop()


# Per module: a session-long Playwright keeps its event loop running in the main thread,
# which breaks later tests that call asyncio.run().
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (no cookies) whose language is Chinese."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
