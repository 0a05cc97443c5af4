"""Pre-sale tables: campaigns with their SKUs and stores, and the consumers' deposits."""

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newretail.db import Base, utcnow


class PresaleCampaign(Base):
    """Deposits before an event, the balance on the event day, a rule for unpaid balances."""

    __tablename__ = "presale_campaign"
    __table_args__ = (
        CheckConstraint("deposit_ends_at > deposit_starts_at", name="deposit_window_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    deposit_starts_at: Mapped[datetime]
    deposit_ends_at: Mapped[datetime]
    event_day: Mapped[date]
    balance_opens: Mapped[time]
    balance_closes: Mapped[time]
    unpaid_rule: Mapped[str] = mapped_column(String(16))
    # comma-separated ``DeliveryMethod`` values, read with ``rules.delivery_methods``
    delivery_methods: Mapped[str] = mapped_column(
        String(48), default="pickup", server_default="pickup"
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list["PresaleItem"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PresaleItem.id"
    )
    stores: Mapped[list["PresaleStore"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PresaleStore.store_id"
    )


class PresaleItem(Base):
    """A SKU on pre-sale: its price, its deposit and what the deposit counts for."""

    __tablename__ = "presale_item"
    __table_args__ = (
        UniqueConstraint("campaign_id", "sku_id"),
        CheckConstraint(
            "deposit > 0 AND deposit <= deposit_value AND deposit_value <= price",
            name="deposit_within_price",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("presale_campaign.id", ondelete="CASCADE"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"))
    price: Mapped[int] = mapped_column(BigInteger)
    deposit: Mapped[int] = mapped_column(BigInteger)
    deposit_value: Mapped[int] = mapped_column(BigInteger)


class PresaleStore(Base):
    __tablename__ = "presale_store"
    __table_args__ = (UniqueConstraint("campaign_id", "store_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("presale_campaign.id", ondelete="CASCADE"))
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))


class PresaleDeposit(Base):
    """One buyer's deposit on units of a SKU at a store, its balance window and its orders."""

    __tablename__ = "presale_deposit"
    __table_args__ = (
        Index("ix_presale_deposit_due", "status", "balance_closes_at"),
        Index("ix_presale_deposit_board", "campaign_id", "store_id", "sku_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("presale_campaign.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"))
    quantity: Mapped[int]
    consumer_id: Mapped[int | None] = mapped_column(ForeignKey("consumer.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id"))
    status: Mapped[str] = mapped_column(String(20))
    deposit_amount: Mapped[int] = mapped_column(BigInteger)
    deposit_credit: Mapped[int] = mapped_column(BigInteger)
    balance_amount: Mapped[int] = mapped_column(BigInteger)
    deposit_order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), unique=True)
    balance_order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"))
    reservation_id: Mapped[int] = mapped_column(ForeignKey("reservation.id"))
    balance_opens_at: Mapped[datetime]
    balance_closes_at: Mapped[datetime]
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    delivery_method: Mapped[str] = mapped_column(
        String(16), default="pickup", server_default="pickup"
    )
    address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
