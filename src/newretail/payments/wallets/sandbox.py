"""The sandbox as a wallet: payment codes and page payments that move no money, so the till
and the cloud store work in the demo and in tests with nothing configured.

A sandbox payment code does what its last two digits say:

    91  declined at once (not enough money)
    92  the consumer confirms on the phone: paying now, paid on the first query
    93  no answer now: paid on the first query
    94  no answer now, never paid: queried, then reversed
    any other  paid at once

A sandbox page payment answers a token the page shows; its signed notification (see
``SandboxProvider.notification``) settles it, as a real provider's would.
"""

import secrets
from collections.abc import Mapping
from typing import ClassVar

from newretail.payments.providers import ChargeResult, Notification, SandboxProvider
from newretail.payments.wallets.base import CodeCharge, PrepayRequest
from newretail.payments.wallets.rules import CodeResult, CodeState

FIRST_ANSWER = {
    "91": CodeResult(CodeState.DECLINED, reason="not enough money (sandbox)"),
    "92": CodeResult(CodeState.PAYING, reason="waiting for the consumer (sandbox)"),
    "93": CodeResult(CodeState.UNKNOWN, reason="no answer (sandbox)"),
    "94": CodeResult(CodeState.UNKNOWN, reason="no answer (sandbox)"),
}
PAID_ON_QUERY = frozenset({"92", "93"})


class SandboxWallet:
    """The sandbox provider with payment codes; what it charged is kept in this process."""

    name = "sandbox"
    _charges: ClassVar[dict[str, CodeState]] = {}

    def __init__(self, sandbox: SandboxProvider):
        self._sandbox = sandbox

    def charge(self, *, amount: int, currency: str, instruction: str | None) -> ChargeResult:
        return self._sandbox.charge(amount=amount, currency=currency, instruction=instruction)

    def refund(self, *, provider_ref: str, amount: int) -> str:
        return self._sandbox.refund(provider_ref=provider_ref, amount=amount)

    def parse_notification(self, *, headers: Mapping[str, str], body: bytes) -> Notification:
        return self._sandbox.parse_notification(headers=headers, body=body)

    def pay_with_code(self, charge: CodeCharge) -> CodeResult:
        ending = charge.auth_code[-2:]
        first = FIRST_ANSWER.get(ending, CodeResult(CodeState.PAID))
        later = CodeState.PAID if ending in PAID_ON_QUERY or first.state is CodeState.PAID else None
        self._charges[charge.out_trade_no] = later or CodeState.PAYING
        if first.state is CodeState.PAID:
            return CodeResult(CodeState.PAID, transaction_id=f"sbx_{secrets.token_hex(12)}")
        return first

    def query(self, *, out_trade_no: str) -> CodeResult:
        state = self._charges.get(out_trade_no, CodeState.NOT_PAID)
        if state is CodeState.PAID:
            return CodeResult(CodeState.PAID, transaction_id=f"sbx_{secrets.token_hex(12)}")
        return CodeResult(state)

    def reverse(self, *, out_trade_no: str) -> bool:
        self._charges[out_trade_no] = CodeState.NOT_PAID
        return True

    def prepay(self, request: PrepayRequest) -> dict[str, str]:
        return {"sandbox_token": request.out_trade_no}
