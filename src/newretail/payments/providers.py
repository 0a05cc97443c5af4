"""Payment providers behind one interface, and the sandbox provider that ships.

A provider charges an amount (``charge``), gives money back (``refund``) and verifies the
asynchronous notifications it sends to ``POST /api/v1/payments/notify/{provider}``
(``parse_notification``). The sandbox is told per payment what to do, by ``instruction``
or by a test card number:

    succeed   4242 4242 4242 4242   charged at once
    decline   4000 0000 0000 0002   refused at once
    timeout   4000 0000 0000 9995   no answer now; a signed notification confirms later

Sandbox notifications are JSON ``{"provider_ref": ..., "outcome": "succeeded"|"declined"}``
signed with HMAC-SHA256 of the raw body under the sandbox secret, hex, in the
``X-Sandbox-Signature`` header.
"""

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from newretail.payments import errors


class ChargeOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class ChargeResult:
    outcome: ChargeOutcome
    provider_ref: str
    failure_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Notification:
    provider_ref: str
    outcome: ChargeOutcome
    amount: int | None = None  # what the provider says was paid, where it says so


class Provider(Protocol):
    name: str

    def charge(self, *, amount: int, currency: str, instruction: str | None) -> ChargeResult: ...

    def refund(self, *, provider_ref: str, amount: int) -> str: ...

    def parse_notification(self, *, headers: Mapping[str, str], body: bytes) -> Notification: ...


SANDBOX_CARDS = {
    "4242424242424242": "succeed",
    "4000000000000002": "decline",
    "4000000000009995": "timeout",
}
SIGNATURE_HEADER = "x-sandbox-signature"


class SandboxProvider:
    """Moves no real money; does what each payment tells it to."""

    name = "sandbox"

    def __init__(self, secret: str):
        self._secret = secret.encode()

    def charge(self, *, amount: int, currency: str, instruction: str | None) -> ChargeResult:
        ref = f"sbx_{secrets.token_hex(12)}"
        wanted = SANDBOX_CARDS.get((instruction or "").replace(" ", ""), instruction or "succeed")
        if wanted == "decline":
            return ChargeResult(ChargeOutcome.DECLINED, ref, "card declined (sandbox)")
        if wanted == "timeout":
            return ChargeResult(ChargeOutcome.PENDING, ref)
        return ChargeResult(ChargeOutcome.SUCCEEDED, ref)

    def refund(self, *, provider_ref: str, amount: int) -> str:
        return f"sbx_re_{secrets.token_hex(12)}"

    def sign(self, body: bytes) -> str:
        return hmac.new(self._secret, body, hashlib.sha256).hexdigest()

    def notification(self, *, provider_ref: str, outcome: str) -> tuple[bytes, dict[str, str]]:
        """The body and headers the sandbox sends to confirm a pending payment later."""
        body = json.dumps({"provider_ref": provider_ref, "outcome": outcome}).encode()
        return body, {SIGNATURE_HEADER: self.sign(body)}

    def parse_notification(self, *, headers: Mapping[str, str], body: bytes) -> Notification:
        given = {k.lower(): v for k, v in headers.items()}.get(SIGNATURE_HEADER, "")
        if not hmac.compare_digest(self.sign(body), given):
            raise errors.InvalidSignature()
        try:
            data = json.loads(body)
            outcome = ChargeOutcome(data["outcome"])
            ref = data["provider_ref"]
        except (ValueError, KeyError, TypeError) as exc:
            raise errors.InvalidNotification() from exc
        if outcome is ChargeOutcome.PENDING or not isinstance(ref, str):
            raise errors.InvalidNotification()
        return Notification(ref, outcome)


COUNTER = "counter"
SANDBOX = "sandbox"


class CounterProvider:
    """Value the till takes itself: cash in its drawer, a member's store credit or points.

    Nothing leaves the building, so a charge always succeeds (the cashier has the notes, or
    the member's balance was debited in the same transaction) and a refund only gives a
    reference: the cash comes out of the drawer, and balances are given back by whoever
    follows the refund's ``payment.refunded`` event. It sends no notifications.
    """

    name = COUNTER

    def charge(self, *, amount: int, currency: str, instruction: str | None) -> ChargeResult:
        return ChargeResult(ChargeOutcome.SUCCEEDED, f"ctr_{secrets.token_hex(12)}")

    def refund(self, *, provider_ref: str, amount: int) -> str:
        return f"ctr_re_{secrets.token_hex(12)}"

    def parse_notification(self, *, headers: Mapping[str, str], body: bytes) -> Notification:
        raise errors.InvalidNotification("The counter sends no notifications.")


_providers: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    _providers[provider.name] = provider


def get_provider(name: str) -> Provider:
    if "sandbox" not in _providers:
        from newretail.config import get_settings

        register(SandboxProvider(get_settings().payment_sandbox_secret))
    if COUNTER not in _providers:
        register(CounterProvider())
    provider = _providers.get(name)
    if provider is None:
        raise errors.UnknownProvider()
    return provider
