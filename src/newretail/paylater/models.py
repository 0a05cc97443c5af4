"""Pay-later tables: each brand's policy and the deferred charges of orders taken on credit."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from newretail.db import Base, utcnow


class DeferredPolicy(Base):
    __tablename__ = "deferred_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), unique=True)
    threshold: Mapped[int]
    down_payment: Mapped[int] = mapped_column(BigInteger)
    term_days: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeferredCharge(Base):
    """What a member still owes on an order taken for the down payment, and its attempts."""

    __tablename__ = "deferred_charge"
    __table_args__ = (
        Index("ix_deferred_charge_due", "status", "next_attempt_at"),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("membership.id"), index=True)
    consumer_id: Mapped[int | None] = mapped_column(ForeignKey("consumer.id"), index=True)
    score: Mapped[int]
    down_payment: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_failure: Mapped[str | None] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(32))
    instruction: Mapped[str | None] = mapped_column(String(32))
    provider_ref: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None]
