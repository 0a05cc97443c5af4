"""Inventory tables: stock levels, the movement journal, reservations and transfers.

The CHECK constraints on ``stock_level`` are the last line of defence: every change is a
guarded UPDATE that cannot break them, so a violation means a bug, never a busy day.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newretail.db import Base, utcnow


class StockLevel(Base):
    """Units of one SKU at one location: on hand, reserved, and the ERP's last sequence."""

    __tablename__ = "stock_level"
    __table_args__ = (
        UniqueConstraint("location_id", "sku_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_non_negative"),
        CheckConstraint("reserved >= 0", name="reserved_non_negative"),
        CheckConstraint("shortfall >= 0", name="shortfall_non_negative"),
        CheckConstraint("reserved <= on_hand + shortfall", name="reserved_covered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"), index=True)
    on_hand: Mapped[int] = mapped_column(BigInteger, default=0)
    reserved: Mapped[int] = mapped_column(BigInteger, default=0)
    shortfall: Mapped[int] = mapped_column(BigInteger, default=0)
    erp_seq: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.reserved)


class StockMovement(Base):
    """One change of on_hand, append-only; per level the quantities add up to on_hand."""

    __tablename__ = "stock_movement"
    __table_args__ = (
        Index("ix_stock_movement_level", "location_id", "sku_id", "id"),
        CheckConstraint("quantity <> 0", name="quantity_non_zero"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"))
    kind: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(BigInteger)
    on_hand_after: Mapped[int] = mapped_column(BigInteger)
    reference_type: Mapped[str | None] = mapped_column(String(32))
    reference_id: Mapped[str | None] = mapped_column(String(64))
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None]
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reservation(Base):
    """Stock held for a cart, an order, a pre-sale or a till until committed, released or expired.

    (brand, purpose, reference_id) is unique: asking again for the same reference returns the
    first reservation instead of holding the stock twice.
    """

    __tablename__ = "reservation"
    __table_args__ = (
        UniqueConstraint("brand_id", "purpose", "reference_id"),
        Index("ix_reservation_due", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    reference_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")
    expires_at: Mapped[datetime]
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    lines: Mapped[list["ReservationLine"]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by=lambda: [ReservationLine.location_id, ReservationLine.sku_id],
    )


class ReservationLine(Base):
    __tablename__ = "reservation_line"
    __table_args__ = (
        UniqueConstraint("reservation_id", "location_id", "sku_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reservation_id: Mapped[int] = mapped_column(ForeignKey("reservation.id", ondelete="CASCADE"))
    location_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"))
    quantity: Mapped[int]


class StockTransfer(Base):
    """Units moved from one location to another in one transaction (two movements per line)."""

    __tablename__ = "stock_transfer"
    __table_args__ = (CheckConstraint("from_location_id <> to_location_id", name="two_locations"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    from_location_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    to_location_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    lines: Mapped[list[Any]] = mapped_column(default=list)
    note: Mapped[str] = mapped_column(String(500), default="")
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
