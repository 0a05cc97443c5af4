"""Money in integer minor units (fen for CNY) with a currency; never floats.

``split`` spreads an amount over weights by the largest-remainder method, so the parts
always add up to the amount exactly and each part is within one unit of its exact share.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from newretail.kernel.errors import InvalidInput

MINOR_UNIT_DIGITS = {"CNY": 2, "HKD": 2, "USD": 2, "EUR": 2, "JPY": 0, "KRW": 0, "TWD": 2}


class CurrencyMismatch(InvalidInput):
    code = "currency_mismatch"
    default_detail = "Amounts in different currencies cannot be combined."


class UnknownCurrency(InvalidInput):
    code = "unknown_currency"
    default_detail = "The currency is not supported."


def check_currency(currency: str) -> str:
    if currency not in MINOR_UNIT_DIGITS:
        raise UnknownCurrency(f"Currency {currency!r} is not supported.")
    return currency


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str = "CNY"

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError("Money.amount must be an int of minor units")
        check_currency(self.currency)

    def _same(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"Cannot combine {self.currency} with {other.currency}.")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.amount, self.currency)

    def split(self, weights: Sequence[int]) -> list["Money"]:
        return [Money(part, self.currency) for part in split(self.amount, weights)]

    @property
    def digits(self) -> int:
        return MINOR_UNIT_DIGITS[self.currency]


def split(amount: int, weights: Sequence[int]) -> list[int]:
    """Split ``amount`` over non-negative integer ``weights`` by largest remainder.

    Ties in the remainder go to the earlier weight, so the result is deterministic.
    A negative amount is split as the mirror of its absolute value.
    """
    if not weights:
        raise ValueError("split needs at least one weight")
    if any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative")
    total = sum(weights)
    if total == 0:
        raise ValueError("weights must not all be zero")
    if amount < 0:
        return [-part for part in split(-amount, weights)]
    floors = [amount * w // total for w in weights]
    remainders = [amount * w % total for w in weights]
    short = amount - sum(floors)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:short]:
        floors[i] += 1
    return floors
