"""Sends to an audience: coupons and messages given to its members under a send's key.

A send row is unique per audience, key and member: the guard that keeps a member from being
given the same send twice, however often it is asked for (and by however many requests at
once). It is written only when the member was given the offer; a refused one leaves none,
so asking again under the same key tries them again.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from newretail.db import Base, utcnow


class AudienceSend(Base):
    __tablename__ = "analytics_audience_send"
    __table_args__ = (UniqueConstraint("audience_id", "key", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audience_id: Mapped[int] = mapped_column(ForeignKey("analytics_audience.id"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int] = mapped_column(BigInteger)
    coupon_id: Mapped[int | None] = mapped_column(ForeignKey("coupon.id"))
    message: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class AudienceSendRun(Base):
    """One asking for a send: what it gives, how far through the audience it has come, and
    what it gave so far.

    The members are walked in the order of their ids, a chunk per transaction: the request
    gives the first chunk, the worker the rest (``after_member_id`` is the last member
    walked), so a large audience never holds the database for long. Until it is ``done``,
    asking again under the same key answers this run: the database keeps one running send
    per audience and key.
    """

    __tablename__ = "analytics_audience_send_run"
    __table_args__ = (
        Index("ix_analytics_audience_send_run_status", "status", "id"),
        # One running send per audience and key, however many ask for it at once.
        Index(
            "uq_analytics_audience_send_run_running",
            "audience_id",
            "key",
            unique=True,
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audience_id: Mapped[int] = mapped_column(ForeignKey("analytics_audience.id"), index=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    coupon_template_id: Mapped[int | None] = mapped_column(ForeignKey("coupon_template.id"))
    message_template: Mapped[str | None] = mapped_column(String(80))
    message_variables: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="running")
    members: Mapped[int] = mapped_column(default=0)
    after_member_id: Mapped[int] = mapped_column(BigInteger, default=0)
    reached: Mapped[int] = mapped_column(default=0)
    coupons: Mapped[int] = mapped_column(default=0)
    messages: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[dict[str, Any]] = mapped_column(default=dict)
    requested_by_type: Mapped[str] = mapped_column(String(16))
    requested_by_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
