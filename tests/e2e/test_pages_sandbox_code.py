"""In the demo (the sandbox sender), the sign-in pages show the one-time code in a marked box:
the code just sent, also with the notifier's sender that the demo wires, which keeps the code
only once the request that issued it commits."""

import re

import pytest
from fastapi.testclient import TestClient
from tests import builders, code_builders, order_builders
from tests.e2e.pages_support import csrf_of

from newretail.db import Database
from newretail.members import otp
from newretail.members import service as members_service
from newretail.notify import service as notify_service
from newretail.notify.channels import sms

pytestmark = pytest.mark.sqlite_only

PHONE = "13912345678"
OTHER_PHONE = "13812345678"
SHOWN = re.compile(r'data-testid="sandbox-code-value">(\d{6})<')


Sandbox = members_service.SandboxOtpSender | notify_service.NotifierOtpSender


@pytest.fixture(params=["sandbox", "notifier"])
def sandbox(client: TestClient, request: pytest.FixtureRequest) -> Sandbox:
    """The sandbox sender alone, or the notifier's as ``newretail demo`` wires it."""
    state = client.app.state  # type: ignore[attr-defined]
    sender: Sandbox = (
        members_service.SandboxOtpSender()
        if request.param == "sandbox"
        else notify_service.NotifierOtpSender(
            database=state.database,
            settings=state.settings,
            sandbox=sms.SandboxTexts(),
            shows_sandbox_codes=True,
        )
    )
    state.otp_sender = sender
    return sender


def signin_path(database: Database) -> str:
    shop = order_builders.shop(database)
    return f"/s/{shop.world.brand.code}.{shop.world.east_store.code}/signin"


def test_the_code_sent_is_shown_in_the_sandbox_box_and_signs_in(
    client: TestClient, database: Database, sandbox: Sandbox
) -> None:
    path = signin_path(database)
    token = csrf_of(client, path)

    sent = client.post(path, data={"phone": PHONE, "action": "send", "csrf_token": token})
    shown = SHOWN.findall(sent.text)
    kept = sandbox.code_for(PHONE)
    signed = client.post(
        path,
        data={"phone": PHONE, "otp": shown[0], "action": "signin", "csrf_token": token},
        follow_redirects=False,
    )

    assert shown == [kept]
    assert signed.status_code == 303


def test_a_phone_that_was_sent_no_code_sees_no_box(
    client: TestClient, database: Database, sandbox: Sandbox
) -> None:
    path = signin_path(database)
    token = csrf_of(client, path)
    client.post(path, data={"phone": PHONE, "action": "send", "csrf_token": token})

    wrong = client.post(
        path, data={"phone": OTHER_PHONE, "otp": "000000", "action": "signin", "csrf_token": token}
    )

    assert wrong.status_code >= 400
    assert 'data-testid="sandbox-code"' not in wrong.text


def test_no_box_without_the_sandbox_sender(client: TestClient, database: Database) -> None:
    client.app.state.otp_sender = members_service.MemoryOtpSender()  # type: ignore[attr-defined]
    path = signin_path(database)
    token = csrf_of(client, path)

    sent = client.post(path, data={"phone": PHONE, "action": "send", "csrf_token": token})

    assert sent.status_code == 200
    assert 'data-testid="sandbox-code"' not in sent.text


def test_the_join_page_shows_the_code_too_and_nothing_is_logged(
    client: TestClient,
    database: Database,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    logged: list[str] = []
    monkeypatch.setattr(otp.log, "info", lambda event, **_: logged.append(event))
    world = builders.brand_world(database)
    path = f"/c/{code_builders.code(database, world.east_store.id)}/join"
    token = csrf_of(client, path)

    sent = client.post(path, data={"phone": PHONE, "action": "send", "csrf_token": token})

    assert SHOWN.findall(sent.text) == [sandbox.code_for(PHONE)]
    assert "otp_sent" not in logged


def test_a_code_that_signed_in_is_not_shown_again(
    client: TestClient, database: Database, sandbox: Sandbox
) -> None:
    path = signin_path(database)
    token = csrf_of(client, path)
    sent = client.post(path, data={"phone": PHONE, "action": "send", "csrf_token": token})
    (code,) = SHOWN.findall(sent.text)
    client.post(
        path,
        data={"phone": PHONE, "otp": code, "action": "signin", "csrf_token": token},
        follow_redirects=False,
    )

    # Asked again within the minute, the resend is refused: the spent code is not offered.
    again = client.post(path, data={"phone": PHONE, "action": "send", "csrf_token": token})

    assert again.status_code == 429, again.text[:300]
    assert 'data-testid="sandbox-code"' not in again.text
    assert sandbox.code_for(PHONE) is None
