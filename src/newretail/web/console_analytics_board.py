"""The analytics dashboard's charts, each drawn from the same rows as its table and its CSV.

Every chart reads what an analytics API answers (named in ``Chart.api``): the seed funnel
and the traffic layers (``/api/v1/analytics/funnels/standard/...``), attribution by
touchpoint (``/api/v1/analytics/attribution``) and the audiences with their sizes
(``/api/v1/analytics/audiences``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from newretail.analytics.attribution import service as attribution
from newretail.analytics.attribution.rules import AttributionSettings
from newretail.analytics.audiences import service as audiences
from newretail.analytics.funnels.results import standard_result
from newretail.analytics.funnels.schemas import FunnelResultRead, StepRead
from newretail.analytics.reports import service as reports
from newretail.analytics.reports.source import Readable
from newretail.kernel import i18n
from newretail.kernel.i18n import N_
from newretail.kernel.money import Money
from newretail.kernel.scope import Scope
from newretail.web.pages import Page

PERIODS = {"7d": 7, "30d": 30, "90d": 90}
PERIOD_LABELS = {"7d": N_("Last 7 days"), "30d": N_("Last 30 days"), "90d": N_("Last 90 days")}
DEFAULT_PERIOD = "30d"
TOUCH_LABELS = {
    "Popup Visited": N_("Pop-up visit"),
    "QR Scanned": N_("Code scan"),
    "Sample Dispensed": N_("Sample"),
    "Ad Exposed": N_("Ad seen"),
    "Share Opened": N_("Guide's share opened"),
    "Message Read": N_("Guide's message read"),
}
STEP_LABELS = (
    N_("District entered"),
    N_("Store entered"),
    N_("Tried on"),
    N_("Bought"),
    N_("Became a member"),
    N_("All channels"),
    N_("Platform"),
    N_("Near field"),
    N_("In store"),
    N_("Purchase"),
)
MAX_BARS = 12


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    api: str
    labels: list[str]
    values: list[float]
    shown: list[str]
    header: list[str]
    rows: list[list[object]]
    empty_text: str

    @property
    def empty(self) -> bool:
        return not any(self.values)

    def data(self) -> dict[str, Any]:
        """What ``dashboard.js`` draws (horizontal bars, largest or first on top)."""
        return {
            "kind": "bar",
            "series": self.title,
            "labels": self.labels[:MAX_BARS],
            "axis": self.labels[:MAX_BARS],
            "values": [str(v) for v in self.values[:MAX_BARS]],
            "shown": self.shown[:MAX_BARS],
        }

    def csv_rows(self) -> list[list[object]]:
        return [list(self.header), *self.rows]


@dataclass(frozen=True)
class Board:
    period: str
    start: datetime
    end: datetime
    charts: list[Chart]


def choose_period(asked: str | None) -> str:
    return asked if asked in PERIODS else DEFAULT_PERIOD


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _step_rows(page: Page, steps: list[StepRead]) -> list[list[object]]:
    return [
        [page.translate(s.label), s.reached, s.in_progress, _percent(s.rate_from_previous)]
        for s in steps
    ]


def _funnel_chart(page: Page, key: str, title: str, api: str, found: FunnelResultRead) -> Chart:
    labels = [page.translate(s.label) for s in found.total]
    return Chart(
        key=key,
        title=title,
        api=api,
        labels=labels,
        values=[s.reached for s in found.total],
        shown=[page.gettext("%(num)s people", num=s.reached) for s in found.total],
        header=[
            page.gettext("Step"),
            page.gettext("People"),
            page.gettext("In progress"),
            page.gettext("From the step before"),
        ],
        rows=_step_rows(page, found.total),
        empty_text=page.gettext("No one has entered this funnel in the period."),
    )


def _by_group_chart(
    page: Page,
    key: str,
    title: str,
    api: str,
    found: FunnelResultRead,
    value: Callable[[list[StepRead]], float],
    shown: Callable[[float], str],
    label: str,
) -> Chart:
    groups = [g for g in found.groups if g.value != "(none)"]
    steps = [page.translate(s) for s in found.labels]
    return Chart(
        key=key,
        title=title,
        api=api,
        labels=[g.label for g in groups],
        values=[value(g.steps) for g in groups],
        shown=[shown(value(g.steps)) for g in groups],
        header=[label, *steps],
        rows=[[g.label, *(s.reached for s in g.steps)] for g in groups],
        empty_text=page.gettext("No one has entered this funnel in the period."),
    )


def _store_conversion(steps: list[StepRead]) -> float:
    """Of the people who entered the store (settled), the percentage who bought."""
    entered, bought = steps[1].settled, steps[3].settled
    return round(100 * bought / entered, 1) if entered else 0.0


def build(
    *,
    page: Page,
    session: Session,
    warehouse: Readable,
    scope: Scope,
    brand_id: int,
    period: str,
    now: datetime,
) -> Board:
    start = now - timedelta(days=PERIODS[period])
    query = urlencode({"start": start.isoformat(), "end": now.isoformat()})
    funnel_api = "/api/v1/analytics/funnels/standard/{}/result?" + query

    def funnel(key: str, breakdown: str | None) -> FunnelResultRead:
        return standard_result(session, scope, warehouse, key, start, now, breakdown, brand_id)

    seed_store = funnel("seed_funnel", "store")
    seed_district = funnel("seed_funnel", "district")
    charts = [
        _funnel_chart(
            page, "seed", page.gettext("Seed funnel"), funnel_api.format("seed_funnel"), seed_store
        ),
        _by_group_chart(
            page,
            "seed_store",
            page.gettext("Bought after entering, by store"),
            funnel_api.format("seed_funnel") + "&breakdown=store",
            seed_store,
            _store_conversion,
            lambda v: _percent(v),
            page.gettext("Store"),
        ),
        _by_group_chart(
            page,
            "seed_district",
            page.gettext("Seed funnel by district"),
            funnel_api.format("seed_funnel") + "&breakdown=district",
            seed_district,
            lambda steps: steps[0].reached,
            lambda v: page.gettext("%(num)s people", num=int(v)),
            page.gettext("District"),
        ),
        _funnel_chart(
            page,
            "layers",
            page.gettext("Traffic layers"),
            funnel_api.format("traffic_layers"),
            funnel("traffic_layers", None),
        ),
        _attribution_chart(page, warehouse, brand_id, start, now, query),
        _audience_chart(page, session, scope, brand_id),
    ]
    return Board(period, start, now, charts)


def _attribution_chart(
    page: Page, warehouse: Readable, brand_id: int, start: datetime, end: datetime, query: str
) -> Chart:
    found = attribution.attribution_report(
        warehouse=warehouse,
        brand_id=brand_id,
        period=reports.Period(start, end),
        settings=AttributionSettings(),
        by="touchpoint",
    )
    labels = [page.translate(TOUCH_LABELS.get(r.value, r.value)) for r in found.rows]
    money = [Money(r.fen) for r in found.rows]
    return Chart(
        key="attribution",
        title=page.gettext("Sales by touchpoint (last touch)"),
        api=f"/api/v1/analytics/attribution?by=touchpoint&{query}",
        labels=labels,
        values=[float(i18n.decimal_amount(m)) for m in money],
        shown=[i18n.format_money(m, page.locale) for m in money],
        header=[
            page.gettext("Touchpoint"),
            page.gettext("Credited sales"),
            page.gettext("Purchases"),
            page.gettext("Touches"),
        ],
        rows=[
            [label, i18n.format_money(m, page.locale), r.purchases, r.touches]
            for label, m, r in zip(labels, money, found.rows, strict=True)
        ],
        empty_text=page.gettext("No purchase followed a touchpoint in the period."),
    )


def _audience_chart(page: Page, session: Session, scope: Scope, brand_id: int) -> Chart:
    rows = sorted(
        audiences.list_audiences(session=session, scope=scope, brand_id=brand_id),
        key=lambda a: (-a.size, a.id),
    )
    return Chart(
        key="audiences",
        title=page.gettext("Audience sizes"),
        api="/api/v1/analytics/audiences",
        labels=[a.name for a in rows],
        values=[a.size for a in rows],
        shown=[page.gettext("%(num)s people", num=a.size) for a in rows],
        header=[page.gettext("Audience"), page.gettext("People"), page.gettext("Computed")],
        rows=[
            [
                a.name,
                a.size,
                i18n.format_datetime(a.computed_at, page.locale) if a.computed_at else "—",
            ]
            for a in rows
        ],
        empty_text=page.gettext("No audience has members yet."),
    )
