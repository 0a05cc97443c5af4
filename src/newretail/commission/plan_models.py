"""Commission plans and their rules, which orders were accrued, and guides' own memberships.

A brand has plans; one at a time is active and its rules price every line paid while it is.
A rule's dimensions left empty match anything. ``commission_accrual`` marks an order whose
lines were priced, so later events reprice what was written instead of pricing afresh.
"""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newretail.db import Base, utcnow


class CommissionPlan(Base):
    __tablename__ = "commission_plan"
    __table_args__ = (
        UniqueConstraint("brand_id", "name", name="uq_commission_plan_name"),
        CheckConstraint(
            "bound_share_bp >= 0 AND bound_share_bp <= 10000", name="bound_share_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # bound | referring | split; in a split the bound guide's share, the rest the referrer's
    policy: Mapped[str] = mapped_column(String(12))
    bound_share_bp: Mapped[int] = mapped_column(default=10_000)
    is_active: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    rules: Mapped[list["CommissionRule"]] = relationship(
        lazy="selectin", order_by="CommissionRule.id", cascade="all, delete-orphan"
    )


class CommissionRule(Base):
    __tablename__ = "commission_rule"
    __table_args__ = (
        UniqueConstraint("plan_id", "name", name="uq_commission_rule_name"),
        CheckConstraint("rate_bp IS NULL OR (rate_bp >= 0 AND rate_bp <= 10000)", name="rate_bp"),
        CheckConstraint("fixed IS NULL OR fixed >= 0", name="fixed_non_negative"),
        CheckConstraint("cap IS NULL OR cap >= 0", name="cap_non_negative"),
        CheckConstraint("freeze_days >= 0", name="freeze_non_negative"),
        Index("ix_commission_rule_plan", "plan_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("commission_plan.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(8))  # cps | share | store | cpa
    priority: Mapped[int] = mapped_column(default=0)
    channel: Mapped[str | None] = mapped_column(String(16))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    sku_id: Mapped[int | None] = mapped_column(ForeignKey("sku.id"))
    store_type: Mapped[str | None] = mapped_column(String(16))
    guide_level: Mapped[str | None] = mapped_column(String(16))
    valid_from: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    rate_bp: Mapped[int | None]
    fixed: Mapped[int | None] = mapped_column(BigInteger)
    cap: Mapped[int | None] = mapped_column(BigInteger)
    cpa_trigger: Mapped[str | None] = mapped_column(String(16))
    store_bound_bp: Mapped[int] = mapped_column(default=0)
    store_selling_bp: Mapped[int] = mapped_column(default=0)
    store_fulfilling_bp: Mapped[int] = mapped_column(default=0)
    own_purchases: Mapped[bool] = mapped_column(default=False)
    freeze_days: Mapped[int] = mapped_column(default=7)
    until_fulfilled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommissionAccrual(Base):
    """An order whose lines were priced, under which plan (None: no plan was active)."""

    __tablename__ = "commission_accrual"

    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    plan_id: Mapped[int | None]
    accrued_at: Mapped[datetime] = mapped_column(default=utcnow)


class GuideMembership(Base):
    """A guide's own membership of their brand: orders of it are the guide's own purchases."""

    __tablename__ = "commission_guide_membership"
    __table_args__ = (UniqueConstraint("member_id", name="uq_commission_guide_member"),)

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("membership.id"))
