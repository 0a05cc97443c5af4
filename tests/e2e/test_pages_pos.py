"""The till's page at /pos: who opens it, what it hands its script, its service worker, the
bearer token it gives the script, and the QR code a receipt prints."""

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests import builders
from tests.e2e.pages_support import csrf_of, login
from tests.passwords import cheap_hashing

from newretail.db import Database

pytestmark = pytest.mark.sqlite_only

EN = {"accept-language": "en"}
CONFIG = re.compile(r'<script type="application/json" id="pos-config">(.*?)</script>', re.S)


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


@pytest.fixture
def world(database: Database) -> builders.BrandWorld:
    return builders.brand_world(database)


def _config(client: TestClient, headers: dict[str, str] = EN) -> dict[str, object]:
    page = client.get("/pos", headers=headers)
    found = CONFIG.search(page.text)
    assert found is not None, page.text[:300]
    config: dict[str, object] = json.loads(found.group(1))
    return config


def test_a_cashier_lands_on_the_till(client: TestClient, world: builders.BrandWorld) -> None:
    landed = login(client, world.east_cashier)

    page = client.get("/pos", headers=EN)

    assert landed.headers["location"] == "/pos"
    assert page.status_code == 200
    assert world.east_store.name in page.text
    assert 'data-testid="scan"' in page.text
    assert "Content-Security-Policy" in page.headers


def test_the_till_hands_its_script_the_store_the_words_and_the_csrf_token(
    client: TestClient, world: builders.BrandWorld
) -> None:
    login(client, world.east_cashier)

    config = _config(client)

    assert config["store"] == {
        "id": world.east_store.id,
        "code": world.east_store.code,
        "name": world.east_store.name,
        "tz": world.east_store.timezone,
    }
    assert config["manager"] is False
    texts = config["texts"]
    errors = config["errors"]
    assert isinstance(texts, dict) and isinstance(errors, dict)
    assert texts["added"] == "Added %(title)s"
    assert errors["payment_short"] == "The tenders do not cover the total."


def test_the_till_speaks_chinese_to_a_chinese_browser(
    client: TestClient, world: builders.BrandWorld
) -> None:
    login(client, world.east_cashier)

    chinese = {"accept-language": "zh-CN"}
    page = client.get("/pos", headers=chinese)
    config = _config(client, chinese)

    assert "开班" in page.text
    texts = config["texts"]
    assert isinstance(texts, dict)
    assert texts["method_cash"] == "现金"


def test_a_store_manager_finds_the_till_in_the_console_and_may_add_registers(
    client: TestClient, world: builders.BrandWorld
) -> None:
    landed = login(client, world.east_store_manager)

    console = client.get("/console/stores", headers=EN)
    config = _config(client)

    assert landed.headers["location"] == "/console"
    assert 'href="/pos"' in console.text
    assert config["manager"] is True


def test_a_guide_may_not_open_the_till(client: TestClient, world: builders.BrandWorld) -> None:
    login(client, world.east_guide)

    page = client.get("/pos", headers=EN)

    assert page.status_code == 403


def test_the_till_asks_an_anonymous_visitor_to_log_in(client: TestClient) -> None:
    page = client.get("/pos", follow_redirects=False)

    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/pos"


def test_the_service_worker_may_control_the_till_and_keeps_its_files(
    client: TestClient,
) -> None:
    worker = client.get("/pos/sw.js")

    assert worker.status_code == 200
    assert worker.headers["service-worker-allowed"] == "/pos"
    assert worker.headers["content-type"].startswith("text/javascript")
    assets = json.loads(re.search(r"const ASSETS = (.*);", worker.text).group(1))  # type: ignore[union-attr]
    assert {"/static/css/pos.css", "/static/js/pos/till.js", "/static/js/pos/queue.js"} <= set(
        assets
    )
    assert all(client.get(path).status_code == 200 for path in assets)


def test_the_till_gets_a_bearer_token_for_the_api_with_its_csrf_token(
    client: TestClient, world: builders.BrandWorld
) -> None:
    login(client, world.east_cashier)
    token = csrf_of(client, "/pos")

    refused = client.post("/pos/token")
    given = client.post("/pos/token", headers={"X-CSRF-Token": token})
    me = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {given.json()['access_token']}"}
    )

    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert given.status_code == 200
    assert given.headers["cache-control"] == "no-store"
    assert me.status_code == 200
    assert me.json()["actor_id"] == world.east_cashier.id
    assert me.json()["roles"] == ["cashier"]


def test_a_signed_out_till_is_told_to_log_in_again(
    client: TestClient, world: builders.BrandWorld
) -> None:
    login(client, world.east_cashier)
    token = csrf_of(client, "/pos")
    client.cookies.delete("nr_session")

    answer = client.post("/pos/token", headers={"X-CSRF-Token": token})

    assert answer.status_code == 401
    assert answer.json()["code"] == "login_required"


def test_a_receipt_prints_a_qr_code_of_a_web_link_only(
    client: TestClient, world: builders.BrandWorld
) -> None:
    login(client, world.east_cashier)

    image = client.get("/pos/qr.svg", params={"data": "http://testserver/s/B.S?join=1"})
    refused = client.get("/pos/qr.svg", params={"data": "javascript:alert(1)"})

    assert image.status_code == 200
    assert image.headers["content-type"] == "image/svg+xml"
    assert image.text.startswith("<svg")
    assert refused.status_code == 422
