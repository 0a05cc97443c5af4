"""Typed form values for the console's management screens: amounts, counts, ``name: value`` lines.

Pure functions. Each raises ``FieldProblem`` with a key of ``messages.FIELD_ERRORS``, which
the form shows next to the field; nothing here knows about requests or services.
"""

import re
from decimal import Decimal, InvalidOperation

MAX_AMOUNT_UNITS = 10**11  # a hundred billion minor units: far above any price
MAX_PAIRS = 50
_AMOUNT_NOISE = re.compile(r"[\s,，¥￥]")
_PAIR_SEPARATOR = re.compile(r"[:：=]")
_DECIMAL = re.compile(r"^[0-9]{1,15}(\.[0-9]*)?$|^\.[0-9]+$")


class FieldProblem(ValueError):
    """A value a field cannot take; ``key`` names the message shown next to the field."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def parse_amount(text: str, digits: int) -> int:
    """``"1,299.5"`` → ``129950`` minor units (for ``digits`` = 2); never a float on the way."""
    cleaned = _AMOUNT_NOISE.sub("", text)
    if not cleaned:
        raise FieldProblem("missing")
    if cleaned.startswith("-"):
        raise FieldProblem("negative_amount")
    if not _DECIMAL.match(cleaned):
        raise FieldProblem("amount")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise FieldProblem("amount") from exc
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > digits:
        raise FieldProblem("amount_decimals" if digits == 2 else "amount")
    units = int(value.scaleb(digits))
    if units > MAX_AMOUNT_UNITS:
        raise FieldProblem("amount_too_large")
    return units


def optional_amount(text: str, digits: int) -> int | None:
    return parse_amount(text, digits) if text.strip() else None


def format_amount(units: int | None, digits: int) -> str:
    """Minor units as the form shows them again: ``129950`` → ``"1299.50"``."""
    if units is None:
        return ""
    return f"{Decimal(units).scaleb(-digits):.{digits}f}"


def parse_whole(text: str, *, signed: bool = False) -> int:
    """A whole number of units; with ``signed``, ``-3`` takes three away."""
    cleaned = text.strip().replace("+", "", 1) if signed else text.strip()
    if not cleaned:
        raise FieldProblem("missing")
    body = cleaned[1:] if signed and cleaned.startswith("-") else cleaned
    if not body.isascii() or not body.isdigit() or len(body) > 10:
        raise FieldProblem("whole_number")
    return int(cleaned)


def parse_pairs(text: str) -> dict[str, str]:
    """``colour: 黑\\nsize: 42`` → ``{"colour": "黑", "size": "42"}``, one pair a line."""
    pairs: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = _PAIR_SEPARATOR.split(line, maxsplit=1)
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise FieldProblem("pairs")
        name = parts[0].strip()
        if name in pairs or len(name) > 64 or len(parts[1].strip()) > 200:
            raise FieldProblem("pairs")
        pairs[name] = parts[1].strip()
    if len(pairs) > MAX_PAIRS:
        raise FieldProblem("pairs")
    return pairs


def format_pairs(pairs: dict[str, object]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in pairs.items())
