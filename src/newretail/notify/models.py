"""The notifier's tables: messages and their states, brand policies, channels, rate windows,
and the conversations between guides and their members."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from newretail.db import Base, utcnow

BigId = BigInteger().with_variant(Integer, "sqlite")


class NotifyMessage(Base):
    """One message to one person on one channel, and where it stands.

    ``queued`` until the worker hands it to its channel (``next_attempt_at`` holds it through
    quiet hours and between retries); then ``sent`` or ``delivered``; ``read`` when its
    reader opens it (in-app). A failed attempt leaves it ``failed`` with a next attempt
    due; ``next_attempt_at`` is cleared when it has no attempt left. A sign-in code's row
    keeps the code masked: it is texted once, after its transaction commits, never retried.
    """

    __tablename__ = "notify_message"
    __table_args__ = (
        UniqueConstraint("brand_id", "dedupe_key", "recipient_kind", "recipient_id", "channel"),
        Index("ix_notify_message_inbox", "recipient_kind", "recipient_id", "brand_id", "id"),
        Index("ix_notify_message_due", "status", "next_attempt_at"),
        Index("ix_notify_message_batch", "batch"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # None: the platform's own message (a sign-in code asked for without a brand).
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brand.id"))
    recipient_kind: Mapped[str] = mapped_column(String(16))
    recipient_id: Mapped[int]
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(320))
    template: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(128))
    # One send's messages share it: who of them has read a notice, the send's records.
    batch: Mapped[str | None] = mapped_column(String(32))
    sender_staff_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    leased_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]


class NotifyPolicy(Base):
    """A brand's quiet hours (minutes after local midnight, in the store's timezone) and the
    most messages one person may be sent per hour; brands without a row use the defaults."""

    __tablename__ = "notify_policy"

    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), primary_key=True)
    quiet_start_minute: Mapped[int | None]
    quiet_end_minute: Mapped[int | None]
    max_per_hour: Mapped[int] = mapped_column(default=20)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NotifyChannel(Base):
    """A brand's settings for one outside channel (sms, email, webhook, dingtalk, wecom).

    ``settings`` holds what is not secret (URLs, ids, sender names); ``secret_ref`` says
    where the secret is (``file:`` or ``setting:``), never the secret itself.
    """

    __tablename__ = "notify_channel"
    __table_args__ = (UniqueConstraint("brand_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    secret_ref: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NotifyRateWindow(Base):
    """How many limited messages one person was sent in the current hour, moved by one
    guarded UPDATE so concurrent senders cannot slip past the limit."""

    __tablename__ = "notify_rate_window"

    brand_id: Mapped[int] = mapped_column(primary_key=True)
    recipient_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    recipient_id: Mapped[int] = mapped_column(primary_key=True)
    window_started_at: Mapped[datetime | None]
    sent_in_window: Mapped[int] = mapped_column(default=0)


class Conversation(Base):
    """The thread between a member and the guide who serves them (one per membership).

    ``guide_id`` is the guide serving the member now: it moves with the member's handover,
    while each message keeps who wrote it.
    """

    __tablename__ = "conversation"
    __table_args__ = (UniqueConstraint("brand_id", "membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"))
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id"))
    consumer_id: Mapped[int] = mapped_column(ForeignKey("consumer.id"), index=True)
    guide_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id"), index=True)
    guide_unread: Mapped[int] = mapped_column(default=0)
    member_unread: Mapped[int] = mapped_column(default=0)
    last_message_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConversationMessage(Base):
    """One message in a conversation: text, or a card (product, coupon, pre-sale) with a link."""

    __tablename__ = "conversation_message"
    __table_args__ = (Index("ix_conversation_message_thread", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id"))
    author_kind: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16), default="text")
    text: Mapped[str] = mapped_column(Text, default="")
    card: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
