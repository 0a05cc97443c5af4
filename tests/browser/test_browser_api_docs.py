"""The API's reference pages render with every request to another origin blocked."""

from typing import Any

import pytest
from playwright.sync_api import expect
from tests.browser.live import App

pytestmark = pytest.mark.browser


def offline(page: Any, origin: str) -> list[str]:
    """Abort every request that leaves ``origin``; the list of those that tried."""
    blocked: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(origin + "/") or url.startswith("data:"):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()

    page.route("**/*", route)
    return blocked


def test_swagger_ui_renders_the_api_offline(page: Any, app: App) -> None:
    blocked = offline(page, app.url)

    page.goto(app.url + "/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("newretail", timeout=30_000)
    expect(page.locator(".opblock-tag").first).to_be_visible()
    assert blocked == []


def test_redoc_renders_the_api_offline(page: Any, app: App) -> None:
    blocked = offline(page, app.url)

    page.goto(app.url + "/redoc")

    expect(page.locator("h1").first).to_contain_text("newretail", timeout=60_000)
    assert blocked == []
