"""Touchpoint codes, every scan of them and every membership joined through them."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from newretail.db import Base, utcnow


class TouchpointCode(Base):
    """A short public code of a brand's store (and guide) behind a printed QR code.

    ``badge_guide_id`` is set only on a guide's own badge code, so that each guide has one.
    """

    __tablename__ = "touchpoint_code"
    __table_args__ = (UniqueConstraint("badge_guide_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    guide_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    badge_guide_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    placement: Mapped[str] = mapped_column(String(16))
    campaign: Mapped[str] = mapped_column(String(100), default="")
    label: Mapped[str] = mapped_column(String(200), default="")
    target: Mapped[str] = mapped_column(String(16))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CodeScan(Base):
    """One scan of a code, by a known consumer or an anonymous device."""

    __tablename__ = "code_scan"
    __table_args__ = (Index("ix_code_scan_code_id_scanned_at", "code_id", "scanned_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("touchpoint_code.id"))
    consumer_id: Mapped[int | None] = mapped_column(ForeignKey("consumer.id"), index=True)
    anonymous_id: Mapped[str | None] = mapped_column(String(64))
    scanner_key: Mapped[str | None] = mapped_column(String(80))
    device: Mapped[str] = mapped_column(String(200), default="")
    offered_membership: Mapped[bool] = mapped_column(default=False)
    scanned_at: Mapped[datetime] = mapped_column(default=utcnow)


class CodeJoin(Base):
    """A consumer joined (or tried to re-bind) through a code, and what the policy said."""

    __tablename__ = "code_join"
    __table_args__ = (Index("ix_code_join_code_id_joined_at", "code_id", "joined_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("touchpoint_code.id"))
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id"), index=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumer.id"))
    member_created: Mapped[bool]
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class CodeSale(Base):
    """A paid order that named a code, as the orders' events last told it (one row per order).

    Written by the ``code_sales`` consumer of order events (``touchpoints/consumers.py``), so
    that a code's statistics count orders, buyers and net sales without reading orders.
    """

    __tablename__ = "code_sale"
    __table_args__ = (
        UniqueConstraint("order_id"),
        Index("ix_code_sale_code_id_paid_at", "code_id", "paid_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("touchpoint_code.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"))
    consumer_id: Mapped[int | None] = mapped_column(ForeignKey("consumer.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id"))
    paid_amount: Mapped[int] = mapped_column(BigInteger)
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
