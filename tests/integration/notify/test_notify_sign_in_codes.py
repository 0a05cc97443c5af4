"""Sign-in codes go through the notifier: texted after commit, recorded masked, never logged."""

import logging

import pytest
import structlog
from fastapi.testclient import TestClient
from sqlalchemy import select

from newretail.app import create_app
from newretail.config import Settings
from newretail.db import Database
from newretail.notify.channels import sms
from newretail.notify.models import NotifyMessage

PHONE = "+8613912340077"
PRINTING = ("msg", "info", "debug", "warning", "error", "critical", "exception", "log", "err")


def _printed_lines(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every line our structured logger prints, whichever stream it was configured with."""
    printed: list[str] = []

    def keep(self: object, message: object = None, **_: object) -> None:
        printed.append(str(message))

    for name in PRINTING:
        if hasattr(structlog.PrintLogger, name):
            monkeypatch.setattr(structlog.PrintLogger, name, keep)
    return printed


def test_no_one_time_code_appears_in_any_log_line(
    database: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    printed = _printed_lines(monkeypatch)
    settings = Settings(database_url=database.url, log_json=True, log_level="DEBUG")
    with TestClient(create_app(settings, database)) as client:
        asked = client.post("/api/v1/consumers/otp", json={"phone": PHONE})
        code = sms.SANDBOX.code_for(PHONE)
        assert code is not None
        signed_in = client.post("/api/v1/consumers/token", json={"phone": PHONE, "code": code})
        structlog.get_logger().info("probe", note="the capture sees our own lines")
    lines = printed + [record.getMessage() for record in caplog.records]
    with database.transaction(read_only=True) as session:
        body, channel, status = session.execute(
            select(NotifyMessage.body, NotifyMessage.channel, NotifyMessage.status)
        ).one()
    assert (asked.status_code, signed_in.status_code) == (202, 200)
    assert any("probe" in line for line in lines)
    assert [line for line in lines if code in line] == []
    assert code not in body
    assert (channel, status) == ("sms", "delivered")
