"""Request and response bodies of funnels and saved funnel reports."""

from datetime import datetime

from pydantic import Field

from newretail.analytics.funnels.rules import FunnelSpec, StepCount
from newretail.analytics.reports.vocabulary import Dimension
from newretail.kernel.schemas import Id, InputModel, Name, ReadModel


class ReportCreate(InputModel):
    name: Name
    spec: FunnelSpec
    brand_id: Id | None = None


class StandardInstall(InputModel):
    brand_id: Id | None = Field(default=None, description="Platform admins only.")


class ReportUpdate(InputModel):
    name: Name | None = None
    spec: FunnelSpec | None = None


class ReportRead(ReadModel):
    id: int
    brand_id: int
    key: str | None
    name: str
    kind: str
    spec: FunnelSpec
    created_at: datetime
    updated_at: datetime


class FunnelQueryBody(InputModel):
    spec: FunnelSpec
    start: datetime | None = None
    end: datetime | None = None
    breakdown: Dimension | None = None
    brand_id: Id | None = None


class StepRead(ReadModel):
    label: str
    reached: int
    in_progress: int = Field(description="Reached this step, window still open.")
    settled: int = Field(description="Reached this step, window closed or funnel finished.")
    rate_from_previous: float | None = Field(description="Over settled people.")
    rate_from_start: float | None

    @classmethod
    def of(cls, step: StepCount) -> "StepRead":
        return cls(
            label=step.label,
            reached=step.reached,
            in_progress=step.in_progress,
            settled=step.settled,
            rate_from_previous=_ratio(step.rate_from_previous),
            rate_from_start=_ratio(step.rate_from_start),
        )


def _ratio(value: object) -> float | None:
    return None if value is None else round(float(value), 6)  # type: ignore[arg-type]


class GroupRead(ReadModel):
    value: str
    label: str
    steps: list[StepRead]


class FunnelResultRead(ReadModel):
    report_id: int | None
    name: str
    start: datetime
    end: datetime
    breakdown: Dimension | None
    labels: list[str]
    total: list[StepRead]
    groups: list[GroupRead]
