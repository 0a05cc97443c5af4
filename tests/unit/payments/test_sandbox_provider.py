import pytest

from newretail.payments.errors import InvalidNotification, InvalidSignature
from newretail.payments.providers import ChargeOutcome, SandboxProvider

sandbox = SandboxProvider("test-secret")


def test_test_cards_and_instructions_decide_the_outcome() -> None:
    assert (
        sandbox.charge(amount=1, currency="CNY", instruction=None).outcome
        is ChargeOutcome.SUCCEEDED
    )
    declined = sandbox.charge(amount=1, currency="CNY", instruction="4000 0000 0000 0002")
    pending = sandbox.charge(amount=1, currency="CNY", instruction="timeout")
    assert declined.outcome is ChargeOutcome.DECLINED
    assert pending.outcome is ChargeOutcome.PENDING


def test_a_signed_notification_is_read_back() -> None:
    body, headers = sandbox.notification(provider_ref="sbx_1", outcome="succeeded")
    note = sandbox.parse_notification(headers=headers, body=body)
    assert (note.provider_ref, note.outcome) == ("sbx_1", ChargeOutcome.SUCCEEDED)


def test_a_changed_body_or_another_secret_fails_the_signature() -> None:
    body, headers = sandbox.notification(provider_ref="sbx_1", outcome="succeeded")
    other = SandboxProvider("other-secret")
    with pytest.raises(InvalidSignature):
        sandbox.parse_notification(headers=headers, body=body.replace(b"sbx_1", b"sbx_2"))
    with pytest.raises(InvalidSignature):
        other.parse_notification(headers=headers, body=body)


def test_a_signed_notification_that_says_nothing_final_is_refused() -> None:
    body, headers = sandbox.notification(provider_ref="sbx_1", outcome="pending")
    with pytest.raises(InvalidNotification):
        sandbox.parse_notification(headers=headers, body=body)
