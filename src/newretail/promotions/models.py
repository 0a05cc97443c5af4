"""Promotion tables: automatic promotions, coupon templates, and the coupons in wallets.

A template's ``issued`` and ``budget_used`` and a member's ``coupon_claim_count`` only
change through guarded UPDATEs (``wallet.claim``), so no claim ever passes a limit.
A coupon moves claimed/released -> reserved -> redeemed, or reserved -> released (back in
the wallet, usable again: its order was cancelled or its reservation lapsed), or
claimed/released -> expired. A redeemed coupon whose template says ``restore`` goes back to
released when its order is refunded in full (``ReturnRule``).
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from newretail.db import Base, utcnow


class Status(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ARCHIVED = "archived"


class Funder(StrEnum):
    PLATFORM = "platform"
    BRAND = "brand"
    STORE = "store"
    FRANCHISEE = "franchisee"


class ReturnRule(StrEnum):
    """What a return does to the coupons its order used."""

    FORFEIT = "forfeit"  # they stay used
    RESTORE = "restore"  # back in the wallet when the whole order is refunded, while valid


class CouponStatus(StrEnum):
    CLAIMED = "claimed"
    RESERVED = "reserved"
    REDEEMED = "redeemed"
    RELEASED = "released"
    EXPIRED = "expired"
    VOIDED = "voided"  # a paid voucher bought back unused: its price went back to the member


USABLE = (CouponStatus.CLAIMED.value, CouponStatus.RELEASED.value)


class ClaimChannel(StrEnum):
    """How a coupon reached the wallet."""

    GUIDE_PUSH = "guide_push"  # a guide (or other staff) issued it to their member
    CODE_SCAN = "code_scan"  # the member scanned a coupon code
    CLOUD_STORE = "cloud_store"  # claimed on a cloud store page
    DISTRICT_PAGE = "district_page"  # a district's page (its coupon packages)
    POS = "pos"  # issued at the till
    IMPORT = "import"  # imported from the brand's own system
    PURCHASE = "purchase"  # a paid voucher, bought


class Promotion(Base):
    """An automatic offer: applies to every cart it reaches, no claim needed."""

    __tablename__ = "promotion"
    __table_args__ = (
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="dates_forward"),
        Index("ix_promotion_brand_status", "brand_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    stacking: Mapped[str] = mapped_column(String(12))
    priority: Mapped[int] = mapped_column(default=0)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # stores, channels, tiers, categories, skus, exclude_categories, exclude_skus: id lists
    reach: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    from_minute: Mapped[int | None]  # daily hours in the store's time, minutes after midnight
    until_minute: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(12), default=Status.ACTIVE.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CouponTemplate(Base):
    __tablename__ = "coupon_template"
    __table_args__ = (
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="dates_forward"),
        CheckConstraint("valid_until IS NOT NULL OR valid_days IS NOT NULL", name="validity_given"),
        CheckConstraint(
            "total_quantity IS NULL OR issued <= total_quantity", name="within_quantity"
        ),
        CheckConstraint("budget IS NULL OR budget_used <= budget", name="within_budget"),
        Index("ix_coupon_template_brand_status", "brand_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    stacking: Mapped[str] = mapped_column(String(12))
    priority: Mapped[int] = mapped_column(default=0)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reach: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    funder: Mapped[str] = mapped_column(String(12))
    funder_store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"))
    # When members may claim it.
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    # How long a claimed coupon is valid: a fixed window, or ``valid_days`` after the claim.
    valid_from: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    valid_days: Mapped[int | None]
    total_quantity: Mapped[int | None]
    issued: Mapped[int] = mapped_column(default=0)
    # Face value held against the budget at each claim (fen); the most the brand can owe.
    budget: Mapped[int | None] = mapped_column(BigInteger)
    budget_used: Mapped[int] = mapped_column(BigInteger, default=0)
    per_member_limit: Mapped[int | None]
    per_order: Mapped[int] = mapped_column(default=1)
    return_rule: Mapped[str] = mapped_column(String(8), default=ReturnRule.FORFEIT.value)
    status: Mapped[str] = mapped_column(String(12), default=Status.ACTIVE.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CouponClaimCount(Base):
    """How many coupons of a template a member holds: the row the per-member limit guards."""

    __tablename__ = "coupon_claim_count"

    template_id: Mapped[int] = mapped_column(ForeignKey("coupon_template.id"), primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id"), primary_key=True)
    claimed: Mapped[int] = mapped_column(default=0)


class Coupon(Base):
    """One coupon in a member's wallet."""

    __tablename__ = "coupon"
    __table_args__ = (
        Index("ix_coupon_wallet", "membership_id", "status"),
        Index("ix_coupon_expiry", "status", "valid_until"),
        Index("ix_coupon_reservation_expiry", "status", "reserved_until"),
        Index("uq_coupon_template_external_ref", "template_id", "external_ref", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("coupon_template.id"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id"))
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumer.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=CouponStatus.CLAIMED.value)
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    # What reserved it (an order's reference), what it takes off that order (fen), in which
    # store, and until when the reservation holds unless the order is paid.
    reference: Mapped[str | None] = mapped_column(String(64), index=True)
    discount: Mapped[int | None] = mapped_column(BigInteger)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"))
    reserved_until: Mapped[datetime | None]
    package_claim_id: Mapped[int | None] = mapped_column(ForeignKey("coupon_package_claim.id"))
    channel: Mapped[str] = mapped_column(String(16), default=ClaimChannel.CLOUD_STORE.value)
    # An imported coupon's reference in the brand's own system: importing it again is a no-op.
    external_ref: Mapped[str | None] = mapped_column(String(64))
    # A paid voucher: what the member paid for it (its face value is the template's amount).
    price_paid: Mapped[int | None] = mapped_column(BigInteger)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    reserved_at: Mapped[datetime | None]
    redeemed_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    expired_at: Mapped[datetime | None]
    # A paid voucher: the payment that bought it ("provider:reference"), and once bought
    # back, the refund that gave its price back and when.
    payment_ref: Mapped[str | None] = mapped_column(String(100))
    refund_ref: Mapped[str | None] = mapped_column(String(100))
    voided_at: Mapped[datetime | None]
