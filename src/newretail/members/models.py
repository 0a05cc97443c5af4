"""Consumers (platform-wide people), their memberships of brands, points and bindings."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from newretail.db import Base, utcnow

# ---- consumers ------------------------------------------------------------------------


class Consumer(Base):
    """One person on the platform. A merged consumer points at the one that absorbed it."""

    __tablename__ = "consumer"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("consumer.id"), index=True)


class ConsumerIdentifier(Base):
    """A way to recognise a consumer: a phone (E.164), a union id, a device or anonymous id."""

    __tablename__ = "consumer_identifier"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(128))
    verified: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsumerMerge(Base):
    """A merge of ``source`` into ``target`` with exactly what moved, so it can be undone."""

    __tablename__ = "consumer_merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("consumer.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("consumer.id"), index=True)
    reason: Mapped[str] = mapped_column(String(64))
    moved: Mapped[dict[str, Any]] = mapped_column(default=dict)
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[int | None]


class OtpChallenge(Base):
    """The one live login code of a phone (hashed), its attempts and its send window."""

    __tablename__ = "otp_challenge"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), default="")
    expires_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    consumed_at: Mapped[datetime | None]
    last_sent_at: Mapped[datetime | None]
    window_started_at: Mapped[datetime | None]
    sent_in_window: Mapped[int] = mapped_column(default=0)


# ---- memberships ----------------------------------------------------------------------


class MemberProgram(Base):
    """A brand's tier rules and points expiry; brands without a row use the defaults."""

    __tablename__ = "member_program"

    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), primary_key=True)
    tier_basis: Mapped[str] = mapped_column(String(16), default="points")
    tier_window_days: Mapped[int] = mapped_column(default=365)
    tiers: Mapped[list[Any]] = mapped_column(default=list)
    points_expiry_days: Mapped[int | None] = mapped_column(default=365)
    # what a paid order earns per yuan collected (0: orders earn no points)
    points_per_yuan: Mapped[int] = mapped_column(default=1, server_default="1")
    # what points pay of an order: this many points a yuan (0: points pay nothing), at most
    # ``redeem_cap_pct`` percent of what is left to pay after discounts
    redeem_points_per_yuan: Mapped[int] = mapped_column(default=100, server_default="100")
    redeem_cap_pct: Mapped[int] = mapped_column(default=50, server_default="50")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MemberNumberCounter(Base):
    """The last member number handed out per brand, advanced by one atomic UPDATE."""

    __tablename__ = "member_number_counter"

    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Membership(Base):
    """A consumer's membership of one brand. ``points`` always equals its ledger's sum."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("brand_id", "consumer_id"),
        UniqueConstraint("brand_id", "member_no"),
        CheckConstraint("points >= 0", name="points_not_negative"),
        Index("ix_membership_next_expiry_at", "next_expiry_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumer.id"), index=True)
    member_no: Mapped[str] = mapped_column(String(20))
    tier: Mapped[str] = mapped_column(String(32))
    points: Mapped[int] = mapped_column(default=0)
    next_expiry_at: Mapped[datetime | None]
    consent_marketing: Mapped[bool] = mapped_column(default=False)
    consent_sms: Mapped[bool] = mapped_column(default=False)
    consent_analytics: Mapped[bool] = mapped_column(default=False)
    consent_updated_at: Mapped[datetime | None]
    join_channel: Mapped[str] = mapped_column(String(16))
    join_store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class PointsEntry(Base):
    """One append-only line of a member's points ledger (earn > 0; spend, expire < 0)."""

    __tablename__ = "points_entry"
    __table_args__ = (
        UniqueConstraint("membership_id", "kind", "reference"),
        Index("ix_points_entry_membership_created", "membership_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id"))
    kind: Mapped[str] = mapped_column(String(8))
    points: Mapped[int]
    balance_after: Mapped[int]
    expires_at: Mapped[datetime | None]
    spend_amount: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(String(200), default="")
    reference: Mapped[str | None] = mapped_column(String(64))
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# ---- binding to store and guide -------------------------------------------------------


class BindingPolicy(Base):
    """How a brand's members get bound to a store and guide; brands without a row: defaults."""

    __tablename__ = "binding_policy"

    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16), default="first_wins")
    protection_days: Mapped[int] = mapped_column(default=0)
    expiry_days: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MemberBinding(Base):
    """The current binding of a membership; it lapses at ``expires_at``."""

    __tablename__ = "member_binding"

    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id"), primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    guide_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    bound_at: Mapped[datetime]
    protected_until: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]


class BindingEvent(Base):
    """Append-only history of binding changes, with where each came from."""

    __tablename__ = "binding_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id"), index=True)
    from_store_id: Mapped[int | None]
    from_guide_id: Mapped[int | None]
    to_store_id: Mapped[int]
    to_guide_id: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32))
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None]
    at: Mapped[datetime] = mapped_column(default=utcnow)


# ---- address book ---------------------------------------------------------------------


class ConsumerAddress(Base):
    """A delivery address a consumer keeps with one brand (at most one default per brand)."""

    __tablename__ = "consumer_address"
    __table_args__ = (Index("ix_consumer_address_owner", "consumer_id", "brand_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumer.id"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"))
    recipient: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(100))
    city: Mapped[str] = mapped_column(String(100))
    district: Mapped[str] = mapped_column(String(100))
    line: Mapped[str] = mapped_column(String(300))
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
