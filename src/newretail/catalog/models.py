"""Catalog tables: the category tree, main products (SPU), SKUs and offers (sub-products).

An offer's scope is (channel, region, store), each optional; ``scope_key`` spells the three
out as one non-null string so a plain unique constraint on (sku_id, scope_key) holds on
SQLite and PostgreSQL alike (NULLs in a unique constraint would never collide).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from newretail.db import Base, utcnow


class Category(Base):
    """A node of the brand's category tree."""

    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("brand_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Product(Base):
    """A main product (SPU): what never varies by store or channel, plus default content."""

    __tablename__ = "product"
    __table_args__ = (UniqueConstraint("brand_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    specs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    images: Mapped[list[Any]] = mapped_column(JSON, default=list)
    video: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Sku(Base):
    """A sellable variant of a product: variant attributes, barcode and weight."""

    __tablename__ = "sku"
    __table_args__ = (
        UniqueConstraint("brand_id", "code"),
        UniqueConstraint("brand_id", "barcode"),
        CheckConstraint("weight_g IS NULL OR weight_g >= 0", name="weight_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    barcode: Mapped[str | None] = mapped_column(String(64))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    weight_g: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Offer(Base):
    """A sub-product: per-scope overrides of a SKU's variable fields; NULL means "not set here"."""

    __tablename__ = "offer"
    __table_args__ = (
        UniqueConstraint("sku_id", "scope_key"),
        CheckConstraint("region_id IS NULL OR store_id IS NULL", name="region_or_store"),
        CheckConstraint("region_id IS NULL OR channel IS NULL", name="region_without_channel"),
        CheckConstraint("price IS NULL OR price >= 0", name="price_non_negative"),
        CheckConstraint(
            "compare_at_price IS NULL OR price IS NULL OR compare_at_price >= price",
            name="compare_at_not_below_price",
        ),
        CheckConstraint(
            "per_order_limit IS NULL OR per_order_limit > 0", name="per_order_limit_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"), index=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"), index=True)
    scope_key: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str | None] = mapped_column(String(3))
    price: Mapped[int | None] = mapped_column(BigInteger)
    compare_at_price: Mapped[int | None] = mapped_column(BigInteger)
    title: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    images: Mapped[list[Any] | None] = mapped_column(JSON)
    video: Mapped[str | None] = mapped_column(String(500))
    available: Mapped[bool | None] = mapped_column(Boolean)
    per_order_limit: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
