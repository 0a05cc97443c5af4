"""Payment tables: payments of orders, refunds, each refund's share per order line and per
payment (an order paid by several tenders at a till is refunded to each of them)."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newretail.db import Base, utcnow


class Payment(Base):
    """One attempt to pay an order through a provider; at most one per order succeeds."""

    __tablename__ = "payment"
    __table_args__ = (
        UniqueConstraint("provider", "provider_ref"),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    provider_ref: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(32), default="")
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    failure_reason: Mapped[str | None] = mapped_column(String(200))
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]


class Refund(Base):
    """Money given back on an order's succeeded payment, spread over its lines."""

    __tablename__ = "refund"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16))
    provider_ref: Mapped[str] = mapped_column(String(64))
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lines: Mapped[list["RefundLine"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="RefundLine.id"
    )
    tenders: Mapped[list["RefundTender"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="RefundTender.id"
    )


class RefundLine(Base):
    __tablename__ = "refund_line"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refund.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), index=True)
    quantity: Mapped[int] = mapped_column(default=0)
    amount: Mapped[int] = mapped_column(BigInteger)


class RefundTender(Base):
    """The part of a refund given back to one payment of the order (one per tender touched)."""

    __tablename__ = "refund_tender"
    __table_args__ = (
        UniqueConstraint("refund_id", "payment_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refund.id", ondelete="CASCADE"))
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), index=True)
    method: Mapped[str] = mapped_column(String(32), default="")
    amount: Mapped[int] = mapped_column(BigInteger)
    provider_ref: Mapped[str] = mapped_column(String(64))
