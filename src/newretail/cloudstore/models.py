"""Cloud store tables: the brand's selling policy, store activities and featured SKUs."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from newretail.db import Base, utcnow


class CloudStoreSettings(Base):
    """One row per brand (none means the defaults: sell only each store's own stock)."""

    __tablename__ = "cloudstore_settings"
    __table_args__ = (
        CheckConstraint(
            "nearby_radius_km > 0 AND nearby_radius_km <= 100", name="nearby_radius_range"
        ),
    )

    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), primary_key=True)
    store_sourcing: Mapped[str] = mapped_column(String(16), default="none")
    nearby_radius_km: Mapped[float] = mapped_column(Float, default=5.0)
    warehouse_sourcing: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StoreActivity(Base):
    """Something on at a store (or, with no store, at every store of the brand) for a while."""

    __tablename__ = "store_activity"
    __table_args__ = (
        Index("ix_store_activity_window", "brand_id", "store_id", "ends_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"))
    title: Mapped[str] = mapped_column(String(200))
    image_url: Mapped[str] = mapped_column(String(500), default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    created_by: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeaturedSku(Base):
    """A SKU the brand (no store) or one store puts forward on the cloud store home page.

    A store's own list, when it has one, replaces the brand's.
    """

    __tablename__ = "featured_sku"
    __table_args__ = (Index("ix_featured_sku_owner", "brand_id", "store_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("sku.id"))
    position: Mapped[int]
