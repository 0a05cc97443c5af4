"""Audiences: rule-built segments of a brand's people, and who is in them over time.

A membership row opens when a person enters (``left_at`` empty) and closes when they leave;
entering again opens a new row, so the history of every person stays readable. People are
the warehouse's persons (``person_id``); ``member_id`` is set when the person is a member.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from newretail.db import Base, utcnow


class Audience(Base):
    __tablename__ = "analytics_audience"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)
    size: Mapped[int] = mapped_column(default=0)
    computed_at: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AudienceMembership(Base):
    __tablename__ = "analytics_audience_member"
    __table_args__ = (Index("ix_analytics_audience_member_current", "audience_id", "left_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audience_id: Mapped[int] = mapped_column(ForeignKey("analytics_audience.id"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    person_id: Mapped[str] = mapped_column(String(200))
    member_id: Mapped[int | None] = mapped_column(BigInteger)
    marketing_consent: Mapped[bool] = mapped_column(default=False)
    entered_at: Mapped[datetime]
    left_at: Mapped[datetime | None]
