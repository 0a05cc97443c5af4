"""Pure rules of wallet payments (WeChat Pay, Alipay): what a provider's answer means, and
how a payment code whose result is unknown is settled.

A payment code (付款码) charge answers one of:

    paid      the money is taken
    declined  refused for good (a bad or expired code, not enough money): nothing taken
    paying    the consumer must confirm on the phone (USERPAYING, WAIT_BUYER_PAY)
    unknown   no answer, a system error, or an answer whose signature does not verify
    not_paid  (a query) the charge is closed, revoked, failed or was never made

``settle_code`` turns paying or unknown into a final result: query a bounded number of
times; still not paid, reverse (cancel) the charge, so it cannot complete later; a reversal
without an answer is retried a bounded number of times, and then the result stays unknown
(the payment stays pending, and the worker tries again). Nothing unknown is ever taken for
paid, nor for declined without a reversal.
"""

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol


class CodeState(StrEnum):
    PAID = "paid"
    DECLINED = "declined"
    PAYING = "paying"
    UNKNOWN = "unknown"
    NOT_PAID = "not_paid"
    REVERSED = "reversed"


@dataclass(frozen=True, slots=True)
class CodeResult:
    state: CodeState
    transaction_id: str = ""
    reason: str = ""


class CodeQueries(Protocol):
    def query(self, *, out_trade_no: str) -> CodeResult: ...

    def reverse(self, *, out_trade_no: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Patience:
    queries: int
    interval_seconds: float
    reversals: int


FINAL = frozenset({CodeState.PAID, CodeState.DECLINED})


def settle_code(
    provider: CodeQueries,
    *,
    out_trade_no: str,
    first: CodeResult,
    patience: Patience,
    sleep: Callable[[float], None],
) -> CodeResult:
    """The final result of a payment code charge that answered ``first``; see the module."""
    result = first
    for _ in range(patience.queries):
        if result.state in FINAL:
            return result
        sleep(patience.interval_seconds)
        result = provider.query(out_trade_no=out_trade_no)
    if result.state in FINAL:
        return result
    for _ in range(patience.reversals):
        if provider.reverse(out_trade_no=out_trade_no):
            return CodeResult(CodeState.REVERSED, reason=_why_reversed(result.state))
    return CodeResult(CodeState.UNKNOWN, reason="no answer to the reversal; retried later")


def _why_reversed(state: CodeState) -> str:
    if state is CodeState.PAYING:
        return "the consumer did not confirm in time; the charge was cancelled"
    if state is CodeState.NOT_PAID:
        return "the charge did not complete; it was cancelled"
    return "no answer from the provider; the charge was cancelled"


def yuan(fen: int) -> str:
    """An amount in fen as Alipay writes it: yuan with two decimals ("12.30")."""
    return f"{Decimal(fen).scaleb(-2):.2f}"


def fen(yuan_text: str) -> int:
    """Alipay's "12.30" in fen; ValueError if it is not an amount with at most two decimals."""
    amount = Decimal(yuan_text).scaleb(2)
    if amount != amount.to_integral_value() or amount < 0:
        raise ValueError(f"{yuan_text!r} is not an amount in yuan")
    return int(amount)


def is_fresh(timestamp: str, *, now: float, window_seconds: float = 300) -> bool:
    """Whether a notification's unix timestamp is within ``window_seconds`` of ``now``."""
    if not timestamp.isdigit():
        return False
    return abs(now - int(timestamp)) <= window_seconds


def same_text(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


# The payment codes each wallet shows its users: WeChat Pay 18 digits from 10 to 15, Alipay
# 16 to 24 digits from 25 to 30 (the prefixes the two publish for scanners to tell them apart).
_CODE_SHAPES = (
    ("wechatpay", range(10, 16), range(18, 19)),
    ("alipay", range(25, 31), range(16, 25)),
)


def wallet_of_code(code: str) -> str | None:
    """The wallet whose payment code ``code`` is, by its prefix and length; None if neither."""
    if not code.isdigit():
        return None
    for wallet, prefixes, lengths in _CODE_SHAPES:
        if int(code[:2]) in prefixes and len(code) in lengths:
            return wallet
    return None
