"""Return tables: the brand's return window, returns and exchanges with their lines.

A return (``kind`` return) gives units of order lines back for their exact share of what was
paid; an exchange (``kind`` exchange) swaps units for another SKU of the same product at the
same price. Either is received at one location (store or warehouse), which takes the
returned units back into its stock and, for an exchange, hands over the new ones.
"""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newretail.db import Base, utcnow


class ReturnPolicy(Base):
    """How long after purchase a brand takes goods back; brands without a row: the default."""

    __tablename__ = "return_policy"
    __table_args__ = (CheckConstraint("window_days >= 0", name="window_non_negative"),)

    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), primary_key=True)
    window_days: Mapped[int] = mapped_column(default=30)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrderReturn(Base):
    """Units of one order coming back to one location: requested, then received (or cancelled)."""

    __tablename__ = "order_return"
    __table_args__ = (
        CheckConstraint("refund_amount >= 0", name="refund_non_negative"),
        Index("ix_order_return_brand_location", "brand_id", "receiving_location_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"))
    number: Mapped[str] = mapped_column(String(32), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    receiving_location_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refund.id"))
    refund_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    reservation_id: Mapped[int | None] = mapped_column(ForeignKey("reservation.id"))
    created_by_type: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime | None]
    received_by_id: Mapped[int | None]
    cancelled_at: Mapped[datetime | None]

    lines: Mapped[list["ReturnLine"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ReturnLine.id"
    )


class ReturnLine(Base):
    """Units of one order line coming back, and for an exchange the SKU that replaces them."""

    __tablename__ = "order_return_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("order_return.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"))
    quantity: Mapped[int]
    exchange_sku_id: Mapped[int | None] = mapped_column(ForeignKey("sku.id"))
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
