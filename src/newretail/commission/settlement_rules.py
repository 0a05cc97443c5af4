"""Pure rules of settlement: where periods end, who is paid and who is carried, CSV amounts.

Periods are runs of whole local days of the brand. A monthly schedule ends each period at
the start of day ``D`` of a month (D is at most 28, so every month has it); an every-N-days
schedule ends them every N days counted from the day it starts on. A period opened after the
schedule changed starts where the last one ended and ends at the new schedule's next
boundary, so periods never overlap and never leave a gap.

A beneficiary is paid for a period when the sum of their lines is at least the minimum
payout and not negative; otherwise the statement is carried and its lines roll into the
next period (a negative balance is recovered from later earnings, never charged).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from newretail.commission.models import StatementStatus

MAX_DAY_OF_MONTH = 28
MAX_EVERY_DAYS = 366
MAX_PERIODS_OPENED = 400


class ScheduleKind(StrEnum):
    MONTHLY = "monthly"
    EVERY_N_DAYS = "every_n_days"


@dataclass(frozen=True)
class Cadence:
    kind: ScheduleKind
    starts_on: date
    day_of_month: int | None = None
    every_days: int | None = None


def period_end(cadence: Cadence, start: date) -> date:
    """The first boundary of ``cadence`` strictly after the local day ``start``."""
    if cadence.kind is ScheduleKind.MONTHLY:
        day = cadence.day_of_month or 1
        if start.day < day:
            return start.replace(day=day)
        year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
        return date(year, month, day)
    every = cadence.every_days or 1
    steps = (start - cadence.starts_on).days // every + 1
    return cadence.starts_on + timedelta(days=steps * every)


def periods_due(
    cadence: Cadence, *, after: date | None, today: date
) -> Iterator[tuple[date, date]]:
    """The (start, end) local days of each period to open that has begun by ``today``.

    ``after`` is where the brand's last period ended (None before its first period).
    """
    start = after if after is not None else cadence.starts_on
    opened = 0
    while start <= today and opened < MAX_PERIODS_OPENED:
        end = period_end(cadence, start)
        yield start, end
        start = end
        opened += 1


def statement_status(total: int, minimum_payout: int) -> StatementStatus:
    """Prepared for payment, or carried when under the minimum or negative."""
    if total < 0 or total < minimum_payout:
        return StatementStatus.CARRIED
    return StatementStatus.PREPARED


def major_units(amount: int, digits: int = 2) -> str:
    """``12345`` fen as ``"123.45"``, ``-5`` as ``"-0.05"``: exact, always ``digits`` decimals."""
    return str(Decimal(amount).scaleb(-digits).quantize(Decimal(1).scaleb(-digits)))


FORMULA_STARTS = frozenset("=+-@\t\r")


def text_cell(text: str) -> str:
    """A name as a spreadsheet shows it, never run as a formula (a store named ``=1+1``)."""
    return "'" + text if text[:1] in FORMULA_STARTS else text
