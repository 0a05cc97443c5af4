"""The till's pure rules: tenders and change, the drawer's expected amounts, to the fen."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newretail.members.rules import points_for, points_value
from newretail.pos.rules import (
    InvalidTender,
    Tally,
    TenderLine,
    TenderMethod,
    balanced,
    change_due,
    expected,
    fingerprint,
    fit_tenders,
    report,
    shortfall,
    tender_line,
    unsynced,
)

M = TenderMethod


def test_cash_tendered_above_its_amount_gives_the_difference_as_change() -> None:
    line = tender_line(M.CASH, 5_700, 10_000)
    assert (line.amount, line.tendered, line.change) == (5_700, 10_000, 4_300)


def test_cash_without_notes_counts_its_amount_as_taken() -> None:
    assert tender_line(M.CASH, 5_700, None) == TenderLine(M.CASH, 5_700, 5_700, 0)


def test_only_cash_gives_change() -> None:
    with pytest.raises(InvalidTender):
        tender_line(M.CARD, 5_000, 6_000)


def test_notes_below_the_cash_tender_are_refused() -> None:
    with pytest.raises(InvalidTender):
        tender_line(M.CASH, 5_000, 4_999)


def test_tenders_below_the_total_leave_a_shortfall_and_above_it_an_excess() -> None:
    tenders = [tender_line(M.CARD, 10_000, None), tender_line(M.CASH, 5_000, 20_000)]
    assert shortfall(tenders, 15_001) == 1
    assert shortfall(tenders, 14_999) == -1
    assert shortfall(tenders, 15_000) == 0
    assert change_due(tenders) == 15_000


def test_points_pay_at_the_brands_rate() -> None:
    assert (points_for(2_345, 100), points_value(5_300, 100)) == (2_345, 5_300)
    assert (points_for(1_001, 200), points_value(2_001, 200)) == (2_002, 1_000)
    assert (points_for(3, 150), points_value(5, 150)) == (5, 3)  # 4.5 points up, 3.3 fen down
    assert points_value(5_000, 0) == 0


@given(
    fen=st.integers(min_value=0, max_value=10**9),
    rate=st.integers(min_value=1, max_value=100_000),
)
def test_the_points_taken_are_worth_at_least_what_they_pay(fen: int, rate: int) -> None:
    points = points_for(fen, rate)
    assert points_value(points, rate) >= fen
    assert points == 0 or points_value(points - 1, rate) < fen


def test_expected_cash_is_float_plus_notes_less_change_and_refunds() -> None:
    tally = Tally(taken=20_000, change=1_110, refunded=5_990)
    assert expected(M.CASH, 50_000, tally) == 50_000 + 20_000 - 1_110 - 5_990
    assert expected(M.CARD, 50_000, Tally(taken=5_990, refunded=990)) == 5_000
    assert expected(M.POINTS, 50_000, Tally(taken=3_000)) == 0


def test_an_open_shift_reports_nothing_counted_and_balances() -> None:
    lines = report(10_000, {"cash": Tally(taken=5_000)}, None)
    assert [(x.method, x.expected, x.counted, x.difference) for x in lines] == [
        ("cash", 15_000, None, None),
        ("card", 0, None, None),
        ("payment_code", 0, None, None),
    ]
    assert balanced(lines)


def test_a_closed_shift_shows_each_methods_difference_to_the_fen() -> None:
    tallies = {"cash": Tally(taken=5_000, change=300), "card": Tally(taken=900), "points": Tally(7)}
    lines = report(10_000, tallies, {"cash": 14_699, "card": 900})
    by_method = {x.method: x for x in lines}
    assert by_method["cash"].difference == -1
    assert by_method["card"].difference == 0
    assert by_method["payment_code"].difference == 0
    assert (by_method["points"].counted, by_method["points"].difference) == (None, None)
    assert not balanced(lines)


def test_tenders_are_cut_down_to_a_lower_total_from_the_last_one() -> None:
    tenders = [tender_line(M.CARD, 5_000, None), tender_line(M.CASH, 4_000, 5_000)]
    fitted = fit_tenders(tenders, 8_500)
    assert [(t.method, t.amount, t.change) for t in fitted] == [
        (M.CARD, 5_000, 0),
        (M.CASH, 3_500, 1_500),
    ]
    assert [t.amount for t in fit_tenders(tenders, 3_000)] == [3_000, 0]


def test_unsynced_counts_the_ids_the_server_lacks_or_the_pending_count() -> None:
    assert unsynced(0, ["a", "b"], ["a"]) == 1
    assert unsynced(3, ["a"], ["a"]) == 3
    assert unsynced(0, [], []) == 0


def test_a_sale_has_one_fingerprint_whatever_its_key_order() -> None:
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


@settings(deadline=None)  # a loaded machine must not fail a rule
@given(
    opening=st.integers(0, 10**7),
    sales=st.lists(st.tuples(st.integers(1, 10**6), st.integers(0, 10**5)), max_size=30),
    refunds=st.lists(st.integers(1, 10**5), max_size=5),
)
def test_the_drawer_holds_the_float_plus_what_the_sales_kept_less_refunds(
    opening: int, sales: list[tuple[int, int]], refunds: list[int]
) -> None:
    lines = [tender_line(M.CASH, amount, amount + extra) for amount, extra in sales]
    tally = Tally(
        taken=sum(x.tendered for x in lines),
        change=change_due(lines),
        refunded=sum(refunds),
    )
    kept = sum(x.amount for x in lines)
    assert expected(M.CASH, opening, tally) == opening + kept - sum(refunds)


@settings(deadline=None)  # a loaded machine must not fail a rule
@given(
    amounts=st.lists(st.integers(1, 10**6), min_size=1, max_size=6),
    cut=st.integers(0, 10**6),
)
def test_fitted_tenders_pay_the_lower_total_exactly(amounts: list[int], cut: int) -> None:
    tenders = [tender_line(M.CARD, a, None) for a in amounts]
    total = max(0, sum(amounts) - cut)
    fitted = fit_tenders(tenders, total)
    assert sum(t.amount for t in fitted) == total
    assert all(0 <= f.amount <= t.amount for f, t in zip(fitted, tenders, strict=True))
