"""Collected events and the quarantine of refused ones, in the transactional database.

``analytics_event.id`` is the warehouse's watermark (``events.seq``); ``dedupe_key``
(brand and messageId) makes a replayed event a no-op.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from newretail.db import Base, utcnow

BigId = BigInteger().with_variant(Integer, "sqlite")


class AnalyticsEvent(Base):
    """One accepted event, its time corrected for the sender's clock."""

    __tablename__ = "analytics_event"
    __table_args__ = (
        Index("ix_analytics_event_brand_id_ts", "brand_id", "ts"),
        # A person who refuses analytics has their events found by key (``consent.forget``),
        # not by walking the brand's whole intake.
        Index("ix_analytics_event_brand_person", "brand_id", "person_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    brand_id: Mapped[int] = mapped_column(BigInteger)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    message_id: Mapped[str] = mapped_column(String(128))
    event: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    person_key: Mapped[str] = mapped_column(String(140))
    anonymous_id: Mapped[str | None] = mapped_column(String(128))
    user_id: Mapped[str | None] = mapped_column(String(64))
    ts: Mapped[datetime]
    original_ts: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    store_id: Mapped[int | None] = mapped_column(BigInteger)
    district_id: Mapped[int | None] = mapped_column(BigInteger)
    guide_id: Mapped[int | None] = mapped_column(BigInteger)
    popup_id: Mapped[int | None] = mapped_column(BigInteger)
    code: Mapped[str | None] = mapped_column(String(32))
    campaign: Mapped[str | None] = mapped_column(String(100))
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    revenue_fen: Mapped[int | None] = mapped_column(BigInteger)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RejectedEvent(Base):
    """An event refused with its reason and the payload as sent: nothing is dropped unseen."""

    __tablename__ = "analytics_event_reject"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    brand_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    message_id: Mapped[str | None] = mapped_column(String(128))
    event: Mapped[str | None] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(500))
    payload: Mapped[Any] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
