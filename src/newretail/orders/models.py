"""Order tables: carts, orders with lines, fulfilments with lines, idempotency records.

Amounts are integer minor units in the order's currency. The CHECK constraints hold what
the guarded UPDATEs of the service never break: nothing refunded beyond what was paid,
per order and per line.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newretail.db import Base, utcnow
from newretail.orders.rules import CartStatus, FulfilmentStatus, OrderKind, RefundState


class Cart(Base):
    """Lines a buyer is collecting in one store and channel, priced when read."""

    __tablename__ = "cart"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    owner_type: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default=CartStatus.OPEN.value)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"))
    attribution: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    lines: Mapped[list["CartLine"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CartLine.id"
    )


class CartLine(Base):
    __tablename__ = "cart_line"
    __table_args__ = (
        UniqueConstraint("cart_id", "sku_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("cart.id", ondelete="CASCADE"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"))
    quantity: Mapped[int]


class Order(Base):
    """One purchase: who sold it, to whom, through which guide and touchpoint, and its state."""

    __tablename__ = "sales_order"
    __table_args__ = (
        CheckConstraint("total >= 0", name="total_non_negative"),
        CheckConstraint("paid_amount <= total", name="paid_within_total"),
        CheckConstraint("refunded_amount <= paid_amount", name="refunded_within_paid"),
        Index("ix_sales_order_due", "status", "expires_at"),
        Index("ix_sales_order_brand_store", "brand_id", "store_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"))
    number: Mapped[str] = mapped_column(String(32), unique=True)
    # standard, or a pre-sale's deposit / balance (see orders/special.py)
    kind: Mapped[str] = mapped_column(
        String(16), default=OrderKind.STANDARD.value, server_default=OrderKind.STANDARD.value
    )
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    channel: Mapped[str] = mapped_column(String(16))
    consumer_id: Mapped[int | None] = mapped_column(ForeignKey("consumer.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id"), index=True)
    bound_store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"))
    bound_guide_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    referring_guide_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    touchpoint_code: Mapped[str | None] = mapped_column(String(32))
    campaign: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")
    status: Mapped[str] = mapped_column(String(16))
    refund_state: Mapped[str] = mapped_column(String(16), default=RefundState.NONE.value)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column(BigInteger)
    discount: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger)
    paid_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    delivery_method: Mapped[str] = mapped_column(String(16))
    pickup_store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"))
    address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reservation_id: Mapped[int | None] = mapped_column(ForeignKey("reservation.id"))
    expires_at: Mapped[datetime]
    cancel_reason: Mapped[str | None] = mapped_column(String(32))
    created_by_type: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    lines: Mapped[list["OrderLine"]] = relationship(lazy="selectin", order_by="OrderLine.id")


class OrderLine(Base):
    """A SKU of an order at the price its store sold it for, with its share of the discount."""

    __tablename__ = "order_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("refunded_amount <= total", name="refunded_within_total"),
        CheckConstraint("refunded_quantity <= quantity", name="refunded_within_quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"))
    title: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int]
    unit_price: Mapped[int] = mapped_column(BigInteger)
    price_source: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    subtotal: Mapped[int] = mapped_column(BigInteger)
    discount: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger)
    location_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    routing_reason: Mapped[str] = mapped_column(String(200), default="")
    refunded_quantity: Mapped[int] = mapped_column(default=0)
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    # The guide who served the buyer for this line at the counter: commission credits them
    # as the line's referring guide (commission/facts.py); None: the order's referring guide.
    serving_guide_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class Fulfilment(Base):
    """The part of an order one location sends, or hands over at its counter."""

    __tablename__ = "fulfilment"
    __table_args__ = (UniqueConstraint("order_id", "location_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"))
    kind: Mapped[str] = mapped_column(String(24))
    location_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=FulfilmentStatus.PENDING.value)
    reason: Mapped[str] = mapped_column(String(200))
    distance_km: Mapped[float | None] = mapped_column(Float)
    pickup_code: Mapped[str | None] = mapped_column(String(8))
    tracking_no: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ready_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    lines: Mapped[list["FulfilmentLine"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="FulfilmentLine.id"
    )


class FulfilmentLine(Base):
    __tablename__ = "fulfilment_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    fulfilment_id: Mapped[int] = mapped_column(ForeignKey("fulfilment.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"))
    quantity: Mapped[int]


class OrderLineDiscount(Base):
    """What one promotion or coupon took off one order line, and who pays for it.

    A line's ``discount`` is the sum of its rows here (plus a staff discount, source
    ``manual``), so a refund of the line's ``total`` gives back its net amount and
    commission reads the net of each line.
    """

    __tablename__ = "order_line_discount"
    __table_args__ = (
        UniqueConstraint("order_line_id", "offer_key"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"))
    offer_key: Mapped[str] = mapped_column(String(40))  # promotion:12, coupon:34, manual
    source: Mapped[str] = mapped_column(String(12))  # promotion, coupon, manual
    source_id: Mapped[int | None]
    name: Mapped[str] = mapped_column(String(200))
    funder: Mapped[str] = mapped_column(String(12))  # platform, brand, store, franchisee
    amount: Mapped[int] = mapped_column(BigInteger)
