"""Request and response bodies of settlement: schedule, periods, statements and their lines."""

from datetime import date, datetime
from typing import Any

from pydantic import Field, model_validator

from newretail.commission.settlement_rules import MAX_DAY_OF_MONTH, MAX_EVERY_DAYS, ScheduleKind
from newretail.kernel.schemas import InputModel, ReadModel

MAX_FEN = 10**13


class ScheduleUpdate(InputModel):
    brand_id: int | None = Field(default=None, description="Platform admins name the brand.")
    kind: ScheduleKind
    day_of_month: int | None = Field(default=None, ge=1, le=MAX_DAY_OF_MONTH)
    every_days: int | None = Field(default=None, ge=1, le=MAX_EVERY_DAYS)
    starts_on: date = Field(description="The brand's local day the first period starts.")
    minimum_payout: int = Field(default=0, ge=0, le=MAX_FEN, description="In fen.")

    @model_validator(mode="after")
    def _fields_of_kind(self) -> "ScheduleUpdate":
        if self.kind is ScheduleKind.MONTHLY and (
            self.day_of_month is None or self.every_days is not None
        ):
            raise ValueError("A monthly schedule takes day_of_month (1-28) and no every_days.")
        if self.kind is ScheduleKind.EVERY_N_DAYS and (
            self.every_days is None or self.day_of_month is not None
        ):
            raise ValueError("An every_n_days schedule takes every_days and no day_of_month.")
        return self


class ScheduleRead(ReadModel):
    brand_id: int
    kind: str
    day_of_month: int | None
    every_days: int | None
    starts_on: date
    minimum_payout: int
    currency: str
    updated_at: datetime


class PeriodsOpen(InputModel):
    brand_id: int | None = Field(default=None, description="Platform admins name the brand.")


class PeriodRead(ReadModel):
    id: int
    brand_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    closed_at: datetime | None
    closed_by_id: int | None


class StatementRead(ReadModel):
    id: int
    brand_id: int
    period_id: int
    beneficiary_type: str
    guide_id: int | None
    store_id: int | None
    beneficiary_key: str
    entry_count: int
    total: int
    currency: str
    status: str
    prepared_by_id: int | None
    prepared_at: datetime
    approved_by_id: int | None
    approved_at: datetime | None
    paid_at: datetime | None


class PeriodClosed(ReadModel):
    period: PeriodRead
    statements: int
    prepared: int
    carried: int
    entries: int
    total: int = Field(description="The sum of the prepared statements, in fen.")


class LineRead(ReadModel):
    id: int
    kind: str
    order_id: int | None
    member_id: int | None
    channel: str | None
    base: int
    rate_bp: int | None
    amount: int
    currency: str
    detail: dict[str, Any]
    reverses_id: int | None
    status: str
    release_at: datetime | None
    earned_at: datetime


class StatementDetail(StatementRead):
    lines: list[LineRead]
    carried_into_id: int | None = Field(
        default=None, description="For a carried statement: the statement its lines went to."
    )


class Approval(InputModel):
    expected_total: int | None = Field(
        default=None,
        ge=-MAX_FEN,
        le=MAX_FEN,
        description="The total the approver saw (fen); a different total is 409 statement_changed.",
    )
