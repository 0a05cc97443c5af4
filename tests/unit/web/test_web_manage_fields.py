"""Amounts, counts and ``name: value`` lines typed into the management forms."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newretail.web.manage_fields import (
    FieldProblem,
    format_amount,
    format_pairs,
    parse_amount,
    parse_pairs,
    parse_whole,
)


@pytest.mark.parametrize(
    ("text", "units"),
    [("199", 19900), ("199.5", 19950), ("199.50", 19950), ("¥1,299.00", 129900), (".5", 50)],
)
def test_amounts_become_exact_minor_units(text: str, units: int) -> None:
    assert parse_amount(text, 2) == units


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("19.999", "amount_decimals"),
        ("-1", "negative_amount"),
        ("-0.01", "negative_amount"),
        ("abc", "amount"),
        ("1e3", "amount"),
        ("NaN", "amount"),
        ("", "missing"),
        ("99999999999999", "amount_too_large"),
    ],
)
def test_bad_amounts_name_their_problem(text: str, key: str) -> None:
    with pytest.raises(FieldProblem) as problem:
        parse_amount(text, 2)
    assert problem.value.key == key


def test_a_currency_without_minor_units_takes_no_decimals() -> None:
    with pytest.raises(FieldProblem):
        parse_amount("100.5", 0)
    assert parse_amount("100", 0) == 100


@given(st.integers(min_value=0, max_value=10**11))
def test_an_amount_shown_again_reads_back_the_same(units: int) -> None:
    assert parse_amount(format_amount(units, 2), 2) == units


@pytest.mark.parametrize(("text", "value"), [("3", 3), ("-3", -3), ("+4", 4), (" 12 ", 12)])
def test_signed_whole_numbers(text: str, value: int) -> None:
    assert parse_whole(text, signed=True) == value


@pytest.mark.parametrize("text", ["1.5", "-", "三", "１２", "-3"])
def test_unsigned_whole_numbers_refuse_anything_else(text: str) -> None:
    with pytest.raises(FieldProblem):
        parse_whole(text)


def test_pairs_read_one_name_and_value_a_line_in_either_colon() -> None:
    assert parse_pairs("colour: 黑\n\nsize：42\nfit=slim") == {
        "colour": "黑",
        "size": "42",
        "fit": "slim",
    }


@pytest.mark.parametrize("text", ["colour", "colour:", ": 黑", "a: 1\na: 2"])
def test_pairs_refuse_lines_without_both_parts_or_repeated_names(text: str) -> None:
    with pytest.raises(FieldProblem):
        parse_pairs(text)


def test_pairs_shown_again_read_back_the_same() -> None:
    pairs = {"colour": "黑", "size": "42"}

    assert parse_pairs(format_pairs(pairs)) == pairs
