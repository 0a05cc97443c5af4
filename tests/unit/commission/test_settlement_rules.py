"""Pure settlement rules: where periods end, who is carried, amounts in CSV."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from newretail.commission.models import StatementStatus
from newretail.commission.settlement_rules import (
    Cadence,
    ScheduleKind,
    major_units,
    period_end,
    periods_due,
    statement_status,
    text_cell,
)

MONTHLY_5TH = Cadence(ScheduleKind.MONTHLY, date(2026, 1, 1), day_of_month=5)
FORTNIGHT = Cadence(ScheduleKind.EVERY_N_DAYS, date(2026, 1, 1), every_days=14)


def test_a_monthly_period_ends_on_the_next_day_d() -> None:
    assert period_end(MONTHLY_5TH, date(2026, 3, 2)) == date(2026, 3, 5)
    assert period_end(MONTHLY_5TH, date(2026, 3, 5)) == date(2026, 4, 5)
    assert period_end(MONTHLY_5TH, date(2026, 12, 20)) == date(2027, 1, 5)


def test_every_n_days_counts_from_the_first_day_even_after_a_change() -> None:
    assert period_end(FORTNIGHT, date(2026, 1, 1)) == date(2026, 1, 15)
    assert period_end(FORTNIGHT, date(2026, 1, 20)) == date(2026, 1, 29)
    assert period_end(FORTNIGHT, date(2025, 12, 25)) == date(2026, 1, 1)


def test_periods_due_run_back_to_back_up_to_today() -> None:
    due = list(periods_due(MONTHLY_5TH, after=date(2026, 2, 5), today=date(2026, 4, 1)))
    assert due == [(date(2026, 2, 5), date(2026, 3, 5)), (date(2026, 3, 5), date(2026, 4, 5))]
    assert list(periods_due(MONTHLY_5TH, after=date(2026, 4, 5), today=date(2026, 4, 1))) == []


@given(
    kind=st.sampled_from(list(ScheduleKind)),
    number=st.integers(min_value=1, max_value=28),
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 1, 1)),
)
def test_every_period_ends_after_it_starts_and_within_a_month(
    kind: ScheduleKind, number: int, start: date
) -> None:
    cadence = Cadence(
        kind,
        date(2026, 1, 1),
        day_of_month=number if kind is ScheduleKind.MONTHLY else None,
        every_days=number if kind is ScheduleKind.EVERY_N_DAYS else None,
    )
    end = period_end(cadence, start)
    assert start < end <= start + timedelta(days=31)


def test_under_the_minimum_or_negative_is_carried() -> None:
    assert statement_status(999, 1000) is StatementStatus.CARRIED
    assert statement_status(-1, 0) is StatementStatus.CARRIED
    assert statement_status(1000, 1000) is StatementStatus.PREPARED
    assert statement_status(0, 0) is StatementStatus.PREPARED


def test_amounts_are_exact_with_two_decimals() -> None:
    assert [major_units(a) for a in (0, 5, -5, 100, 123456, -100005)] == [
        "0.00", "0.05", "-0.05", "1.00", "1234.56", "-1000.05",
    ]  # fmt: skip
    assert major_units(123, 0) == "123"


def test_text_that_a_spreadsheet_would_run_is_quoted() -> None:
    assert [text_cell(t) for t in ("=1+1", "@x", "-2", "Store 1")] == [
        "'=1+1", "'@x", "'-2", "Store 1",
    ]  # fmt: skip
