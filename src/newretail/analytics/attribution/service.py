"""Attribution's use cases (import only this): a brand's purchases of a period credited to
their touches, reported per touchpoint, code, campaign, pop-up, district or guide.

The maths is in ``rules`` (pure, property-tested); the warehouse read in ``query``.
"""

from dataclasses import dataclass

from newretail.analytics.attribution.query import By, CreditRow, attribute_period, report
from newretail.analytics.attribution.rules import DEFAULT_WINDOW_DAYS, AttributionSettings
from newretail.analytics.reports.period import Period
from newretail.analytics.reports.source import Readable


@dataclass(frozen=True, slots=True)
class AttributionReport:
    period: Period
    by: By
    settings: AttributionSettings
    purchases: int
    revenue_fen: int
    attributed_fen: int
    rows: list[CreditRow]

    @property
    def window_days(self) -> dict[str, int]:
        return {e: self.settings.window(e).days for e in DEFAULT_WINDOW_DAYS}


def attribution_report(
    *,
    warehouse: Readable,
    brand_id: int,
    period: Period,
    settings: AttributionSettings,
    by: By,
) -> AttributionReport:
    found = attribute_period(
        warehouse, brand_id=brand_id, start=period.start, end=period.end, settings=settings
    )
    return AttributionReport(
        period=period,
        by=by,
        settings=settings,
        purchases=found.purchases,
        revenue_fen=found.revenue_fen,
        attributed_fen=found.attributed_fen,
        rows=report(found, by),
    )
