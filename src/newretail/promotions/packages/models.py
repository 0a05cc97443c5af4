"""Coupon packages: benefits of several brands that a consumer claims at once.

A package is drafted by the platform operator with candidate benefits (coupon templates of
several brands), assembled by the optimiser (``rules.assemble``): each candidate row keeps
the figures it was judged by and the verdict, picked or why not. The operator reviews the
proposal and publishes it; consumers then claim the whole package in one transaction, one
coupon of every picked template, or nothing.

    draft -> published -> closed
    draft -> closed

``claimed`` only changes by a guarded UPDATE (``claims.claim_package``), and a consumer's
claim row is unique per package, so a package is never claimed past its quantity nor twice
by one consumer.
"""

from datetime import datetime
from enum import StrEnum
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


class PackageKind(StrEnum):
    DISTRICT = "district"  # several brands' stores in one mall or street
    INDUSTRY = "industry"  # brands bought together (home decoration)
    SCENARIO = "scenario"  # a moment of life (mother and baby, weekend with children)


class PackageStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class CouponPackage(Base):
    __tablename__ = "coupon_package"
    __table_args__ = (
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="dates_forward"),
        CheckConstraint(
            "total_quantity IS NULL OR claimed <= total_quantity", name="within_quantity"
        ),
        Index("ix_coupon_package_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), index=True)
    theme: Mapped[str] = mapped_column(String(200), default="")
    # The most the package's benefits may take off together (their face values), fen.
    budget: Mapped[int] = mapped_column(BigInteger)
    max_benefits: Mapped[int | None]
    # Pairs of template ids the operator says must not share the package.
    conflicts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # What the optimiser's picks are expected to be worth, and their face values together.
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    cost: Mapped[int] = mapped_column(BigInteger, default=0)
    nodes: Mapped[int] = mapped_column(default=0)
    assembled_at: Mapped[datetime | None]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    total_quantity: Mapped[int | None]
    claimed: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default=PackageStatus.DRAFT.value)
    created_by: Mapped[int | None]
    published_by: Mapped[int | None]
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PackageCandidate(Base):
    """One candidate benefit of a package and the optimiser's verdict on it."""

    __tablename__ = "coupon_package_candidate"
    __table_args__ = (UniqueConstraint("package_id", "template_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("coupon_package.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("coupon_template.id"), index=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"))
    segment: Mapped[str | None] = mapped_column(String(40))
    face: Mapped[int] = mapped_column(BigInteger, default=0)
    use_rate: Mapped[int] = mapped_column(default=0)  # per mille of its coupons expected used
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    picked: Mapped[bool] = mapped_column(default=False)
    # picked, or why not: a verdict of the optimiser or a reason it could not take part
    reason: Mapped[str] = mapped_column(String(24), default="")
    other_template_id: Mapped[int | None]
    margin: Mapped[int | None] = mapped_column(BigInteger)


class PackageClaim(Base):
    """A consumer's claim of a package: one per consumer, holding one coupon per benefit."""

    __tablename__ = "coupon_package_claim"
    __table_args__ = (UniqueConstraint("package_id", "consumer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("coupon_package.id"))
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumer.id"), index=True)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
