"""``/docs`` and ``/redoc`` load every script and style from this origin: they work offline."""

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.sqlite_only


class AssetLinks(HTMLParser):
    """Every URL a page loads: script sources, stylesheets and icons."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.urls.append(found["src"] or "")
        if tag == "link" and found.get("href"):
            self.urls.append(found["href"] or "")


def asset_urls(html: str) -> list[str]:
    parser = AssetLinks()
    parser.feed(html)
    return parser.urls


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("/docs", {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.svg"}),
        ("/redoc", {"redoc.standalone.js", "favicon.svg"}),
    ],
)
def test_the_api_pages_load_only_same_origin_assets_that_exist(
    client: TestClient, page: str, expected: set[str]
) -> None:
    response = client.get(page)
    urls = asset_urls(response.text)
    loaded = {url: client.get(url) for url in urls}

    assert response.status_code == 200
    assert {url.split("?")[0].rsplit("/", 1)[-1] for url in urls} == expected
    assert all(url.startswith("/") and not url.startswith("//") for url in urls)
    assert "http://" not in response.text.replace("http://testserver", "")
    assert "https://" not in response.text
    assert {url: r.status_code for url, r in loaded.items()} == dict.fromkeys(urls, 200)
    assert all(len(r.content) > 100 for r in loaded.values())


def test_the_swagger_page_points_at_this_app_s_schema(client: TestClient) -> None:
    response = client.get("/docs")
    scripts = [url for url in asset_urls(response.text) if ".js?" in url]
    bundle = client.get(scripts[0])

    assert "/openapi.json" in response.text
    assert "SwaggerUIBundle" in bundle.text
