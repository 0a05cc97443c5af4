"""Logging in and out of the pages: the session cookie, CSRF, throttling, languages."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests import builders
from tests.e2e.pages_support import csrf_of, login, post_form
from tests.passwords import cheap_hashing

from newretail.app import create_app
from newretail.auth import service as auth_service
from newretail.auth.schemas import ApiKeyCreate
from newretail.config import Settings
from newretail.db import Database
from newretail.kernel.scope import SYSTEM

pytestmark = pytest.mark.sqlite_only


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


def test_root_goes_to_the_console(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console"


def test_console_without_a_session_asks_to_log_in_and_remembers_where(
    client: TestClient,
) -> None:
    response = client.get("/console?region=3", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/console%3Fregion%3D3"


def test_login_sets_an_http_only_lax_session_cookie_and_goes_to_next(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    response = login(client, world.admin, next_path="/console?q=S")
    assert response.status_code == 303
    assert response.headers["location"] == "/console?q=S"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("nr_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie
    assert f"Max-Age={8 * 3600}" in cookie
    assert client.get("/console").status_code == 200


def test_the_login_form_sends_a_logged_in_user_on(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    login(client, world.admin)
    response = client.get("/login?next=/console/stores/new", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/stores/new"


def test_the_session_cookie_is_secure_when_configured(database: Database) -> None:
    settings = Settings(
        database_url=database.url, log_json=False, log_level="WARNING", secure_cookies=True
    )
    world = builders.brand_world(database)
    with TestClient(create_app(settings, database), base_url="https://testserver") as client:
        response = login(client, world.admin)
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


def test_login_refuses_a_foreign_next_address(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    response = login(client, world.admin, next_path="//evil.example/console")
    assert response.headers["location"] == "/console"


def test_login_without_a_csrf_token_is_refused(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    response = client.post(
        "/login",
        data={"username": world.admin.username, "password": builders.PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "nr_session" not in response.headers.get("set-cookie", "")


def test_login_with_the_token_of_another_browser_is_refused(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    token = csrf_of(client)
    client.cookies.clear()
    csrf_of(client)
    response = client.post(
        "/login",
        data={"username": world.admin.username, "password": builders.PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("accept_language", "message"),
    [("en-US,en;q=0.9", "Wrong username or password."), ("zh-CN", "用户名或密码错误。")],
)
def test_a_wrong_password_is_told_in_the_browser_language(
    client: TestClient, database: Database, accept_language: str, message: str
) -> None:
    world = builders.brand_world(database)
    client.headers["Accept-Language"] = accept_language
    response = client.post(
        "/login",
        data={
            "username": world.admin.username,
            "password": "not-the-password",
            "csrf_token": csrf_of(client),
        },
    )
    assert response.status_code == 401
    assert message in response.text
    assert f'value="{world.admin.username}"' in response.text


def test_failed_page_logins_are_counted_until_the_account_is_locked(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    fields = {"username": world.admin.username, "password": "not-the-password"}
    statuses = [
        client.post("/login", data={**fields, "csrf_token": csrf_of(client)}).status_code
        for _ in range(5)
    ]
    response = login(client, world.admin)
    assert statuses == [401, 401, 401, 401, 401]
    assert response.status_code == 429
    assert "登录失败次数过多" in response.text


def test_logout_drops_the_session(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    login(client, world.admin)
    response = post_form(client, "/logout", {})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert 'nr_session=""' in response.headers["set-cookie"]
    assert client.get("/console", follow_redirects=False).status_code == 303
    assert "您已退出登录。" in client.get("/login").text


def test_logout_needs_the_csrf_token(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    login(client, world.admin)
    response = client.post("/logout", data={}, follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/console", follow_redirects=False).status_code == 200


@pytest.mark.parametrize("cookie", ["garbage", "eyJhbGciOiJIUzI1NiJ9.e30.x"])
def test_a_bad_session_cookie_leads_to_the_login_form(client: TestClient, cookie: str) -> None:
    client.cookies.set("nr_session", cookie)
    response = client.get("/console", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert 'nr_session=""' in response.headers["set-cookie"]


def test_an_api_key_is_no_page_session(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    with database.transaction() as session:
        _, key = auth_service.create_api_key(
            session=session, scope=SYSTEM, data=ApiKeyCreate(brand_id=world.brand.id, name="erp")
        )
    client.cookies.set("nr_session", key)
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_the_api_does_not_accept_the_session_cookie(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    login(client, world.admin)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_the_saved_locale_beats_the_browser_and_the_switch_beats_both(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    with database.transaction() as session:
        english = builders.staff(session, world.brand.id, [{"role": "brand_admin"}], locale="en")
        session.refresh(english)
        session.expunge_all()
    client.headers["Accept-Language"] = "zh-CN"
    login(client, english)
    assert ">New store<" in client.get("/console/stores").text
    response = post_form(client, "/locale", {"locale": "zh_Hans_CN", "next": "/console?q=x"})
    assert response.status_code == 303
    assert response.headers["location"] == "/console?q=x"
    assert "nr_locale=zh_Hans_CN" in response.headers["set-cookie"]
    assert ">新建门店<" in client.get("/console/stores").text
    with database.transaction(read_only=True) as session:
        saved = auth_service.get_staff(session=session, scope=SYSTEM, staff_id=english.id)
        assert saved.locale == "zh_Hans_CN"


def test_the_language_switch_works_before_logging_in(client: TestClient) -> None:
    client.headers["Accept-Language"] = "zh-CN"
    response = client.post(
        "/locale", data={"locale": "en", "next": "/login", "csrf_token": csrf_of(client)}
    )
    assert response.status_code == 200
    assert "Log in to the console" in response.text
    assert '<html lang="en">' in response.text


def test_an_unknown_language_is_refused(client: TestClient) -> None:
    response = client.post("/locale", data={"locale": "fr", "csrf_token": csrf_of(client)})
    assert response.status_code == 422
    assert "text/html" in response.headers["content-type"]


def test_pages_forbid_foreign_scripts_and_framing(client: TestClient) -> None:
    response = client.get("/login")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["cache-control"] == "no-store"


def test_an_unknown_page_path_gets_the_html_not_found_page(client: TestClient) -> None:
    page = client.get("/nowhere/at/all", headers={"Accept": "text/html", "Accept-Language": "zh"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "未找到" in page.text
    api = client.get("/api/v1/nowhere", headers={"Accept": "text/html"})
    assert api.status_code == 404
    assert api.json()["code"] == "not_found"
    machine = client.get("/nowhere/at/all")
    assert machine.status_code == 404
    assert machine.json()["code"] == "not_found"
