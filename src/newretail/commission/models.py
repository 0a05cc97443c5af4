"""Commission ledger tables: entries, settlement periods and statements.

An entry is one amount owed to one beneficiary (a guide or a store) for one order line, or
for one recruited member. Its amount and the numbers it was computed from are never edited;
the entry only moves along its status (pending -> settled -> paid, or pending -> cancelled).
A correction after settlement is a new, negative entry that names the entry it reverses.
Every entry has a ``key`` saying what produced it, so accruing the same event twice writes
nothing the second time.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from newretail.db import Base, utcnow


class Beneficiary(StrEnum):
    GUIDE = "guide"
    STORE = "store"


class EntryStatus(StrEnum):
    PENDING = "pending"  # earned, frozen or waiting for its period's statement
    SETTLED = "settled"  # on an approved statement
    PAID = "paid"  # its statement was paid out
    CANCELLED = "cancelled"  # cancelled before settlement (refund, return, cancellation)


class PeriodStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # statements prepared; entries after its end go to the next period


class StatementStatus(StrEnum):
    PREPARED = "prepared"
    APPROVED = "approved"
    PAID = "paid"
    CARRIED = "carried"  # under the minimum payout: its entries roll into the next period


class CommissionEntry(Base):
    __tablename__ = "commission_entry"
    __table_args__ = (
        CheckConstraint(
            "(beneficiary_type = 'guide' AND guide_id IS NOT NULL)"
            " OR (beneficiary_type = 'store' AND store_id IS NOT NULL)",
            name="beneficiary_named",
        ),
        CheckConstraint("rate_bp IS NULL OR (rate_bp >= 0 AND rate_bp <= 10000)", name="rate_bp"),
        # A beneficiary's lines by when they were earned (statements, earnings pages,
        # leaderboards). Status is left out on purpose: settling a period changes the status
        # of every line it settles, and an index holding it would be rewritten line by line.
        Index(
            "ix_commission_entry_guide_earned",
            "brand_id",
            "guide_id",
            "earned_at",
            sqlite_where=text("guide_id IS NOT NULL"),
            postgresql_where=text("guide_id IS NOT NULL"),
        ),
        Index(
            "ix_commission_entry_store_earned",
            "brand_id",
            "store_id",
            "earned_at",
            sqlite_where=text("store_id IS NOT NULL"),
            postgresql_where=text("store_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    # What produced the entry, unique: e.g. "line:17:guide:4:cps" or "line:17:guide:4:cps:refund:3".
    key: Mapped[str] = mapped_column(String(160), unique=True)
    beneficiary_type: Mapped[str] = mapped_column(String(8))
    guide_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"))
    # cps, cpa, share, store_bound, store_selling, store_fulfilling, ...
    kind: Mapped[str] = mapped_column(String(24))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"), index=True)
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_line.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id"))
    channel: Mapped[str | None] = mapped_column(String(16))
    plan_id: Mapped[int | None]
    rule_id: Mapped[int | None]
    # The amount the rate was applied to (fen), the rate in basis points (1/100 of a percent;
    # None for fixed amounts), and the signed result in fen.
    base: Mapped[int] = mapped_column(BigInteger, default=0)
    rate_bp: Mapped[int | None]
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # The numbers and names behind the amount, for the explanation shown to people.
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("commission_entry.id"))
    status: Mapped[str] = mapped_column(String(12), default=EntryStatus.PENDING.value)
    # Frozen until then (None while it waits for fulfilment, when the rule says so).
    release_at: Mapped[datetime | None]
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("commission_statement.id"), index=True
    )
    earned_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]


class CommissionPeriod(Base):
    """One settlement period of a brand: entries released before ``ends_at`` are settled in it."""

    __tablename__ = "commission_period"
    __table_args__ = (
        UniqueConstraint("brand_id", "starts_at", name="uq_commission_period_start"),
        CheckConstraint("ends_at > starts_at", name="period_forward"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default=PeriodStatus.OPEN.value)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class CommissionStatement(Base):
    """What one beneficiary is paid for one period: prepared, approved by someone else, paid."""

    __tablename__ = "commission_statement"
    __table_args__ = (
        UniqueConstraint("period_id", "beneficiary_key", name="uq_commission_statement"),
        CheckConstraint(
            "approved_by_id IS NULL OR approved_by_id <> prepared_by_id",
            name="approver_not_preparer",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("commission_period.id"), index=True)
    beneficiary_type: Mapped[str] = mapped_column(String(8))
    guide_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"))
    beneficiary_key: Mapped[str] = mapped_column(String(24))  # "guide:4" or "store:9"
    entry_count: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(BigInteger)  # sum of its entries' amounts, fen
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12), default=StatementStatus.PREPARED.value)
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    prepared_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    approved_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
