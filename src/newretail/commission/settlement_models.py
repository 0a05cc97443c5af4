"""The brand's settlement schedule: when its commission periods end and the minimum payout.

One row per brand. Periods already opened keep their dates when the schedule changes; the
next period opened follows the new schedule.
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from newretail.commission.models import CommissionStatement
from newretail.db import Base, utcnow


class CommissionSchedule(Base):
    __tablename__ = "commission_schedule"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'monthly' AND day_of_month BETWEEN 1 AND 28 AND every_days IS NULL)"
            " OR (kind = 'every_n_days' AND every_days BETWEEN 1 AND 366"
            " AND day_of_month IS NULL)",
            name="kind_fields",
        ),
        CheckConstraint("minimum_payout >= 0", name="minimum_payout"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), unique=True)
    # monthly: periods end at the brand's midnight starting day ``day_of_month``;
    # every_n_days: periods of ``every_days`` days counted from ``starts_on``.
    kind: Mapped[str] = mapped_column(String(16))
    day_of_month: Mapped[int | None]
    every_days: Mapped[int | None]
    starts_on: Mapped[date]
    # A beneficiary whose period total is below this (fen) is carried to the next period.
    minimum_payout: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


# Closing a period joins each due line to its beneficiary's statement of that period.
Index(
    "ix_commission_statement_period_guide",
    CommissionStatement.period_id,
    CommissionStatement.guide_id,
)
Index(
    "ix_commission_statement_period_store",
    CommissionStatement.period_id,
    CommissionStatement.store_id,
)
