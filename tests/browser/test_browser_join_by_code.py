"""A consumer follows a guide's code link on a phone and joins with the one-time code."""

from typing import Any

import pytest
from playwright.sync_api import expect
from tests import code_builders as cb
from tests.browser.live import App

from newretail.auth import service as auth_service
from newretail.members import otp
from newretail.notify.channels import sms

pytestmark = pytest.mark.browser
PHONE = "13987654321"


def test_a_consumer_joins_through_a_guide_s_code_and_becomes_their_member(
    browser: Any, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged: list[dict[str, str]] = []  # what the demo sender writes to the log
    monkeypatch.setattr(
        otp.log, "info", lambda event, **fields: logged.append({"event": event, **fields})
    )
    guide = app.world.east_guide
    code = cb.badge(app.server.database, guide.id)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{app.url}/c/{code}")
    expect(page).to_have_url(f"{app.url}/c/{code}/join")
    expect(page.locator("[data-guide]")).to_contain_text(guide.display_name)

    page.get_by_label("手机号码").fill(PHONE)
    with page.expect_navigation():
        page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("[data-sent]")).to_contain_text(PHONE)
    sent = [line for line in logged if line["event"] == "otp_sent"]
    page.get_by_label("短信验证码").fill(sms.SANDBOX.code_for(PHONE) or "")
    page.get_by_label("我同意会员条款", exact=False).check()
    with page.expect_navigation():
        page.get_by_role("button", name="立即加入").click()

    expect(page.locator("[data-join-result]")).to_contain_text(
        f"您已成为{app.world.brand.name}的会员"
    )
    expect(page.locator("[data-join-detail]")).to_contain_text(f"您的导购是{guide.display_name}")
    context.close()
    token, _ = auth_service.issue_staff_token(staff=guide)
    members = page_json(app, f"/api/v1/guides/{guide.id}/members", token)
    assert [m["phone"] for m in members["items"]] == ["139****4321"]
    assert sent == []  # the notifier texts the code; no log line carries it


def page_json(app: App, path: str, token: str) -> Any:
    import httpx

    response = httpx.get(app.url + path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()
