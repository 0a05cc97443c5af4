from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from newretail.db import Base, utcnow

BigId = BigInteger().with_variant(Integer, "sqlite")


class OutboxEvent(Base):
    """A domain event written in the same transaction as the change it describes."""

    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_event_undispatched", "dispatched_at", "seq"),)

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    brand_id: Mapped[int | None] = mapped_column(index=True)
    type: Mapped[str] = mapped_column(String(64))
    resource_type: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime | None]


class ConsumedEvent(Base):
    """Proof that an in-process consumer handled an event, committed with its effect.

    The unique pair makes a second delivery of the same event to the same consumer a no-op.
    """

    __tablename__ = "consumed_event"
    __table_args__ = (UniqueConstraint("consumer", "event_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    consumer: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(36))
    consumed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsumerRetry(Base):
    """An event an in-process consumer failed on; retried with backoff until it succeeds."""

    __tablename__ = "consumer_retry"
    __table_args__ = (UniqueConstraint("consumer", "event_seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    consumer: Mapped[str] = mapped_column(String(64))
    event_seq: Mapped[int] = mapped_column(BigId, ForeignKey("outbox_event.seq"), index=True)
    attempts: Mapped[int] = mapped_column(default=1)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    last_error: Mapped[str] = mapped_column(String(500), default="")


class RelayPending(Base):
    """An event still to be published to NATS JetStream; deleted once JetStream acks it."""

    __tablename__ = "relay_pending"

    event_seq: Mapped[int] = mapped_column(
        BigId, ForeignKey("outbox_event.seq"), primary_key=True, autoincrement=False
    )
    leased_until: Mapped[datetime | None]
