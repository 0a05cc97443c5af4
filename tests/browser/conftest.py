"""One app per module and one Chromium for a run of browser tests: pages tested in a real
headless browser."""

from collections.abc import Iterator
from pathlib import Path
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


class _Chromium:
    """Playwright and Chromium, started for the first browser test of a run of them and stopped
    after its last: a live Playwright keeps its event loop in the main thread, which breaks
    later tests that call asyncio.run(). Starting them costs more than most browser tests."""

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None

    def browser(self) -> Any:
        if self._browser is None:
            executable = chromium_path()
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_FLAGS
            )
        return self._browser

    def stop(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._playwright.stop()
            self._browser = self._playwright = None


CHROMIUM = _Chromium()
BROWSER_TESTS = Path(__file__).parent


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Once the test's fixtures are down, stop Chromium unless a browser test comes next."""
    yield
    if nextitem is None or BROWSER_TESTS not in nextitem.path.parents:
        CHROMIUM.stop()


@pytest.fixture(scope="module")
def browser() -> Any:
    return CHROMIUM.browser()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (no cookies) whose language is Chinese."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
