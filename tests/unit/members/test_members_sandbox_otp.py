"""The demo's sandbox sender: it keeps each phone's live code for the sign-in page, and no more."""

import pytest

from newretail.members import otp


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_code_is_read_back_for_the_same_phone_in_any_format() -> None:
    sender = otp.SandboxOtpSender()

    sender.send(phone="+8613812341234", code="123456")

    assert sender.code_for("138 1234 1234") == "123456"
    assert sender.code_for("+86 138-1234-1234") == "123456"


def test_another_phone_reads_nothing() -> None:
    sender = otp.SandboxOtpSender()

    sender.send(phone="+8613812341234", code="123456")

    assert sender.code_for("13912341234") is None


def test_an_invalid_phone_reads_nothing() -> None:
    sender = otp.SandboxOtpSender()

    assert sender.code_for("not a phone") is None


def test_the_latest_code_replaces_the_earlier_one() -> None:
    sender = otp.SandboxOtpSender()

    sender.send(phone="+8613812341234", code="111111")
    sender.send(phone="+8613812341234", code="222222")

    assert sender.code_for("13812341234") == "222222"


def test_an_expired_code_is_no_longer_shown() -> None:
    clock = Clock()
    sender = otp.SandboxOtpSender(ttl_seconds=300, clock=clock)
    sender.send(phone="+8613812341234", code="123456")

    clock.now += 301

    assert sender.code_for("13812341234") is None


def test_expired_codes_are_dropped_when_the_next_code_is_sent() -> None:
    clock = Clock()
    sender = otp.SandboxOtpSender(ttl_seconds=300, clock=clock)
    sender.send(phone="+8613812341234", code="123456")
    clock.now += 301

    sender.send(phone="+8613912341234", code="654321")

    assert list(sender._codes) == ["+8613912341234"]


def test_sending_writes_nothing_to_the_log(monkeypatch: pytest.MonkeyPatch) -> None:
    logged: list[str] = []
    for level in ("debug", "info", "warning", "error"):
        monkeypatch.setattr(otp.log, level, lambda event, **_: logged.append(event))
    sender = otp.SandboxOtpSender()

    sender.send(phone="+8613812341234", code="123456")

    assert logged == []
