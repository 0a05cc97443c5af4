"""The console home's figures as the page shows them: key figures, charts and their tables.

Every number comes from the domains' read-only queries (``orders.queries``,
``members.queries``, ``paylater.queries``) with the caller's scope; this module only picks
the periods, names the rows and formats them. A chart is drawn from the same rows that its
table and its CSV download show, so the three can never disagree.
"""

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from babel.dates import format_skeleton
from sqlalchemy.orm import Session

from newretail.kernel import i18n, reporting
from newretail.kernel.i18n import N_
from newretail.kernel.money import Money
from newretail.members import queries as member_queries
from newretail.orders import queries as order_queries
from newretail.org.schemas import BrandRead
from newretail.paylater import queries as paylater_queries
from newretail.web import messages
from newretail.web.pages import Page

TREND_DAYS = 30
PERIODS = {"today": 1, "7d": 7, "30d": 30}
PERIOD_LABELS = {"today": N_("Today"), "7d": N_("Last 7 days"), "30d": N_("Last 30 days")}
DEFAULT_PERIOD = "7d"
FORMULA_STARTS = frozenset("=+-@\t\r")


@dataclass(frozen=True)
class Row:
    label: str
    sales: Money
    count: int
    axis_label: str = ""  # a shorter label for the chart's axis (days: "11月7日", "Nov 7")


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    kind: str  # line, bar (horizontal bars) or pie
    label_header: str
    count_header: str
    rows: list[Row]
    empty_text: str = ""

    @property
    def empty(self) -> bool:
        """Nothing to draw: no row, or only zeros (a flat line says nothing)."""
        return not any(row.sales.amount or row.count for row in self.rows)

    def data(self, locale: str) -> dict[str, Any]:
        """What ``dashboard.js`` draws: labels, values in major units, values as shown."""
        return {
            "kind": self.kind,
            "series": self.title,
            "labels": [row.label for row in self.rows],
            "axis": [row.axis_label or row.label for row in self.rows],
            "values": [str(i18n.decimal_amount(row.sales)) for row in self.rows],
            "shown": [i18n.format_money(row.sales, locale) for row in self.rows],
        }


@dataclass(frozen=True)
class Figure:
    """One key figure over today, the last 7 days and the last 30 days."""

    title: str
    kind: str  # money or count
    values: dict[str, Money | int]


@dataclass
class Dashboard:
    figures: list[Figure]
    charts: list[Chart]
    pickups_waiting: int
    overdue: paylater_queries.Overdue
    overdue_amount: Money
    period: str
    days: list[date] = field(default_factory=list)


def choose_period(value: str | None) -> str:
    return value if value in PERIODS else DEFAULT_PERIOD


def build(
    *, page: Page, session: Session, brand: BrandRead, period: str, now: datetime
) -> Dashboard:
    """Every figure of the console home for ``brand`` as the caller may see it."""
    scope = page.caller
    mine: dict[str, Any] = {"session": session, "scope": scope, "brand_id": brand.id}
    bounds = reporting.day_bounds(now, brand.timezone, TREND_DAYS)
    daily = order_queries.sales_by_interval(**mine, bounds=bounds)
    joined = member_queries.new_members_by_interval(**mine, bounds=bounds)
    overdue = paylater_queries.overdue_charges(**mine, now=now)
    start, end = bounds[-1 - PERIODS[period]], bounds[-1]
    money = _money(brand.currency)
    days = reporting.local_days(bounds, brand.timezone)
    return Dashboard(
        figures=_figures(page, daily, joined, money),
        charts=[
            _trend(page, daily, days, money),
            *_breakdowns(page, mine, start, end, money),
        ],
        pickups_waiting=order_queries.pickups_waiting(**mine),
        overdue=overdue,
        overdue_amount=money(overdue.amount),
        period=period,
        days=days,
    )


def _money(currency: str) -> Callable[[int], Money]:
    return lambda amount: Money(amount, currency)


def _last(values: Sequence[int], days: int) -> int:
    return sum(values[-days:])


def _figures(
    page: Page,
    daily: list[order_queries.Bucket],
    joined: list[int],
    money: Callable[[int], Money],
) -> list[Figure]:
    sales = [bucket.sales for bucket in daily]
    orders = [bucket.orders for bucket in daily]
    return [
        Figure(
            page.gettext("Sales"),
            "money",
            {p: money(_last(sales, d)) for p, d in PERIODS.items()},
        ),
        Figure(page.gettext("Orders"), "count", {p: _last(orders, d) for p, d in PERIODS.items()}),
        Figure(
            page.gettext("Average order value"),
            "money",
            {
                p: money(reporting.average(_last(sales, d), _last(orders, d)))
                for p, d in PERIODS.items()
            },
        ),
        Figure(
            page.gettext("New members"), "count", {p: _last(joined, d) for p, d in PERIODS.items()}
        ),
    ]


def _trend(
    page: Page, daily: list[order_queries.Bucket], days: list[date], money: Callable[[int], Money]
) -> Chart:
    rows = [
        Row(
            i18n.format_date(day, page.locale),
            money(bucket.sales),
            bucket.orders,
            format_skeleton("MMMd", day, locale=page.locale),
        )
        for day, bucket in zip(days, daily, strict=True)
    ]
    return Chart(
        "daily",
        page.gettext("Sales per day, last 30 days"),
        "line",
        page.gettext("Day"),
        page.gettext("Orders"),
        rows,
        page.gettext("No sales in the last 30 days yet"),
    )


def _breakdowns(
    page: Page, mine: dict[str, Any], start: datetime, end: datetime, money: Callable[[int], Money]
) -> list[Chart]:
    period = {**mine, "start": start, "end": end}

    def rows(shares: list[order_queries.Share], label: Callable[[str], str]) -> list[Row]:
        return [Row(label(s.label), money(s.sales), s.orders) for s in shares]

    def channel(code: str) -> str:
        return page.translate(messages.CHANNELS[code]) if code in messages.CHANNELS else code

    same: Callable[[str], str] = str
    orders, units = page.gettext("Orders"), page.gettext("Units")
    nothing = page.gettext("No sales in this period yet")
    return [
        Chart(
            "channels",
            page.gettext("Sales by channel"),
            "pie",
            page.gettext("Channel"),
            orders,
            rows(order_queries.sales_by_channel(**period), channel),
            nothing,
        ),
        Chart(
            "stores",
            page.gettext("Sales by store"),
            "bar",
            page.gettext("Store"),
            orders,
            rows(order_queries.sales_by_store(**period), same),
            nothing,
        ),
        Chart(
            "guides",
            page.gettext("Top guides"),
            "bar",
            page.gettext("Guide"),
            orders,
            rows(order_queries.top_guides(**period), same),
            page.gettext("No guide was credited with a sale in this period"),
        ),
        Chart(
            "products",
            page.gettext("Top products"),
            "bar",
            page.gettext("Product"),
            units,
            rows(order_queries.top_products(**period), same),
            nothing,
        ),
    ]


def csv_of(chart: Chart, sales_header: str) -> bytes:
    """The chart's rows as CSV (UTF-8 with a byte-order mark, so spreadsheets read Chinese);
    amounts in major units with their exact decimals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([chart.label_header, sales_header, chart.count_header])
    for row in chart.rows:
        writer.writerow([_cell(row.label), str(i18n.decimal_amount(row.sales)), row.count])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(text: str) -> str:
    """A name as a spreadsheet shows it, never run as a formula (a product named ``=1+1``)."""
    return "'" + text if text[:1] in FORMULA_STARTS else text
