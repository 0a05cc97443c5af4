"""Till tables: registers, shifts, the sales a till sent (by client id), the till's money
journal, sync conflicts, and members' store credit.

Amounts are integer minor units of the brand's currency. The sale an order came from is
found by (brand, client id), unique: a till's id is taken once, whatever the replays.
"""

from datetime import datetime
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
from sqlalchemy.orm import Mapped, mapped_column

from newretail.db import Base, utcnow


class Register(Base):
    """A till of a store."""

    __tablename__ = "pos_register"
    __table_args__ = (UniqueConstraint("store_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Shift(Base):
    """A cashier's session on a register, from its float to its count.

    ``open_register_id`` is the register's id while the shift is open and NULL once closed:
    its unique constraint is what keeps one open shift per register, on every database.
    """

    __tablename__ = "pos_shift"
    __table_args__ = (
        UniqueConstraint("open_register_id"),
        CheckConstraint("opening_float >= 0", name="float_non_negative"),
        Index("ix_pos_shift_brand_store", "brand_id", "store_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    register_id: Mapped[int] = mapped_column(ForeignKey("pos_register.id"), index=True)
    open_register_id: Mapped[int | None] = mapped_column(ForeignKey("pos_register.id"))
    status: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    opening_float: Mapped[int] = mapped_column(BigInteger)
    counted: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(String(500), default="")
    opened_by_id: Mapped[int | None]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int | None]
    closed_at: Mapped[datetime | None]
    reopen_count: Mapped[int] = mapped_column(default=0)


class PosSale(Base):
    """A sale a till sent, by the id the device made: what it asked and what it got.

    ``result`` is the answer given the first time, returned as it is to every replay.
    """

    __tablename__ = "pos_sale"
    __table_args__ = (
        UniqueConstraint("brand_id", "client_id"),
        Index("ix_pos_sale_shift", "shift_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"))
    client_id: Mapped[str] = mapped_column(String(36))
    fingerprint: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="sale")  # sale, deposit, balance
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("pos_shift.id"))
    register_id: Mapped[int | None] = mapped_column(ForeignKey("pos_register.id"))
    source: Mapped[str] = mapped_column(String(8))  # online, sync
    status: Mapped[str] = mapped_column(String(16))  # completed, placed, conflict
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"), index=True)
    device_time: Mapped[datetime | None]
    request: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cashier_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TillEntry(Base):
    """Money through a shift's till, one row per tender: taken on a sale (with the notes
    received and the change given, for cash), or given back on a refund."""

    __tablename__ = "pos_till_entry"
    __table_args__ = (Index("ix_pos_till_entry_shift", "shift_id", "method"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("pos_shift.id"))
    kind: Mapped[str] = mapped_column(String(8))  # sale, refund
    method: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    tendered: Mapped[int] = mapped_column(BigInteger, default=0)
    change: Mapped[int] = mapped_column(BigInteger, default=0)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"))
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("pos_sale.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refund.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SaleConflict(Base):
    """A synced sale the server could not place as the till made it: kept until settled."""

    __tablename__ = "pos_conflict"
    __table_args__ = (
        UniqueConstraint("sale_id"),
        Index("ix_pos_conflict_brand_store", "brand_id", "store_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    sale_id: Mapped[int] = mapped_column(ForeignKey("pos_sale.id"))
    code: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="open")
    resolution: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"))
    settled_by_id: Mapped[int | None]
    settled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoreCredit(Base):
    """A member's store credit with the brand: a balance changed only with an entry."""

    __tablename__ = "pos_store_credit"
    __table_args__ = (
        UniqueConstraint("member_id"),
        CheckConstraint("balance >= 0", name="balance_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("membership.id"))
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoreCreditEntry(Base):
    """One change of a member's store credit; a reference is posted once."""

    __tablename__ = "pos_store_credit_entry"
    __table_args__ = (UniqueConstraint("account_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("pos_store_credit.id"))
    delta: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(String(200), default="")
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
