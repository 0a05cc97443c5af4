"""Sign-in codes go through the notifier: texted after commit, recorded masked, never logged."""

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from newretail import observability
from newretail.app import create_app
from newretail.config import Settings
from newretail.db import Database
from newretail.notify.channels import sms
from newretail.notify.models import NotifyMessage
from newretail.notify.service import NotifierOtpSender

PHONE = "+8613912340077"
LEVELS = ("debug", "info", "warning", "error", "critical", "exception")


def _logged_lines(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call to the app's one structured logger, at any level, as the text of its
    event and fields (whatever level or stream the logging was configured with)."""
    logged: list[str] = []

    def keeper(level: str) -> object:
        def keep(event: object = None, *args: object, **fields: object) -> None:
            logged.append(f"{level} {event} {args} {fields}")

        return keep

    for level in LEVELS:
        monkeypatch.setattr(observability.log, level, keeper(level))
    return logged


def test_no_one_time_code_appears_in_any_log_line(
    database: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    logged = _logged_lines(monkeypatch)
    settings = Settings(database_url=database.url, log_json=True, log_level="DEBUG")
    with TestClient(create_app(settings, database)) as client:
        asked = client.post("/api/v1/consumers/otp", json={"phone": PHONE})
        code = sms.SANDBOX.code_for(PHONE)
        assert code is not None
        signed_in = client.post("/api/v1/consumers/token", json={"phone": PHONE, "code": code})
        observability.log.info("probe", note="the capture sees the app's own lines")
    lines = logged + [record.getMessage() for record in caplog.records]
    with database.transaction(read_only=True) as session:
        body, channel, status = session.execute(
            select(NotifyMessage.body, NotifyMessage.channel, NotifyMessage.status)
        ).one()
    assert (asked.status_code, signed_in.status_code) == (202, 200)
    assert any("probe" in line for line in lines)
    assert [line for line in lines if code in line] == []
    assert code not in body
    assert (channel, status) == ("sms", "delivered")


def test_a_code_whose_transaction_rolled_back_is_never_texted(database: Database) -> None:
    settings = Settings(database_url=database.url, log_json=False, log_level="WARNING")
    sandbox = sms.SandboxTexts()
    sender = NotifierOtpSender(database=database, settings=settings, sandbox=sandbox)
    phone = "+8613912340088"
    session = database.session()
    try:
        sender.send(phone=phone, code="123456", session=session, brand_id=None)
        session.rollback()
        session.commit()  # a later commit of the same session
    finally:
        session.close()
    with database.transaction() as session:
        sender.send(phone="+8613912340089", code="654321", session=session, brand_id=None)
    assert sandbox.codes.code_for(phone) is None
    assert sandbox.codes.code_for("+8613912340089") == "654321"
