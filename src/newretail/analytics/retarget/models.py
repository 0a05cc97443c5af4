"""Re-targeting near stores: a rule (audience, radius around the brand's stores, offer,
period) and the offers it sent, one per member and period at most.

``watermark`` is the warehouse ``events.seq`` up to which the rule has looked at geo events.
A send row is unique per rule, member and period: the guard that keeps a member from
receiving the offer twice in one period, even when two workers look at the same event.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from newretail.db import Base, utcnow


class RetargetRule(Base):
    __tablename__ = "analytics_retarget_rule"
    __table_args__ = (
        CheckConstraint("radius_m BETWEEN 3000 AND 5000", name="radius_3_to_5_km"),
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="dates_forward"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    audience_id: Mapped[int] = mapped_column(ForeignKey("analytics_audience.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    radius_m: Mapped[int]
    offer_kind: Mapped[str] = mapped_column(String(12))  # coupon | message
    coupon_template_id: Mapped[int | None] = mapped_column(ForeignKey("coupon_template.id"))
    template: Mapped[str] = mapped_column(String(80))
    variables: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    period_hours: Mapped[int]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    watermark: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RetargetSend(Base):
    __tablename__ = "analytics_retarget_send"
    __table_args__ = (UniqueConstraint("rule_id", "member_id", "period_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("analytics_retarget_rule.id"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    member_id: Mapped[int] = mapped_column(BigInteger)
    period_index: Mapped[int]
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    event_seq: Mapped[int] = mapped_column(BigInteger)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
