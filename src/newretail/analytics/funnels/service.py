"""Funnels' use cases (import only this): run a funnel definition over a period.

The definition and its meaning are in ``rules``; the SQL in ``query``. Saved funnels (the
seed funnel, the traffic layers, a brand's own) are kept by ``analytics.reports``.
"""

from dataclasses import dataclass
from datetime import datetime

from newretail.analytics.funnels import rules
from newretail.analytics.funnels.query import FunnelQuery, run_funnel
from newretail.analytics.funnels.rules import FunnelGroup, FunnelSpec, StepCount
from newretail.analytics.reports.period import Period
from newretail.analytics.reports.source import Readable


@dataclass(frozen=True, slots=True)
class FunnelResult:
    labels: list[str]
    breakdown: str | None
    total: list[StepCount]
    groups: list[FunnelGroup]


def run(
    *,
    warehouse: Readable,
    brand_id: int,
    spec: FunnelSpec,
    period: Period,
    breakdown: str | None,
    now: datetime,
) -> FunnelResult:
    """The funnel's counts over everyone, and per breakdown value when one is asked."""
    query = FunnelQuery(brand_id, spec, period.start, period.end, now, breakdown)
    reaches = run_funnel(warehouse, query)
    labels = [step.label for step in spec.steps]
    groups = rules.grouped(labels, reaches) if breakdown else []
    return FunnelResult(labels, breakdown, rules.step_counts(labels, reaches), groups)
