"""Merchant accounts and the stores each receives payments for."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newretail.db import Base, utcnow


class MerchantAccount(Base):
    """A provider account that receives a brand's, a store's or a franchisee's money.

    The ``*_ref`` columns name keys kept on the server (``rules`` says how), never the keys.
    """

    __tablename__ = "merchant_account"
    __table_args__ = (UniqueConstraint("brand_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(32))
    owner_type: Mapped[str] = mapped_column(String(16))
    owner_name: Mapped[str] = mapped_column(String(200), default="")
    owner_store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"))
    brand_default: Mapped[bool] = mapped_column(default=False)
    merchant_id: Mapped[str] = mapped_column(String(64), default="")
    app_id: Mapped[str] = mapped_column(String(64), default="")
    key_serial: Mapped[str] = mapped_column(String(64), default="")
    platform_key_id: Mapped[str] = mapped_column(String(64), default="")
    private_key_ref: Mapped[str] = mapped_column(String(210), default="")
    platform_key_ref: Mapped[str] = mapped_column(String(210), default="")
    api_key_ref: Mapped[str] = mapped_column(String(210), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    stores: Mapped[list["MerchantAccountStore"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="MerchantAccountStore.store_id"
    )

    @property
    def store_ids(self) -> list[int]:
        return [link.store_id for link in self.stores]


class MerchantAccountStore(Base):
    """A store whose payments through ``provider`` go to the account: one per store and
    provider, held by the unique constraint."""

    __tablename__ = "merchant_account_store"
    __table_args__ = (UniqueConstraint("store_id", "provider"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    merchant_account_id: Mapped[int] = mapped_column(
        ForeignKey("merchant_account.id", ondelete="CASCADE"), index=True
    )
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    provider: Mapped[str] = mapped_column(String(32))
