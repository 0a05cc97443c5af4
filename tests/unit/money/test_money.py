import pytest

from newretail.kernel.money import CurrencyMismatch, Money, UnknownCurrency, split


def test_adding_amounts_of_different_currencies_is_refused() -> None:
    with pytest.raises(CurrencyMismatch):
        _ = Money(100, "CNY") + Money(100, "USD")


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrency):
        Money(100, "XXX")


def test_float_amounts_are_refused() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "CNY")  # type: ignore[arg-type]


def test_splitting_over_all_zero_weights_is_refused() -> None:
    with pytest.raises(ValueError, match="zero"):
        split(100, [0, 0])
