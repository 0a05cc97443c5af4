"""Sends to an audience: coupons and messages given to its members under a send's key.

A send row is unique per audience, key and member: the guard that keeps a member from being
given the same send twice, however often it is asked for (and by however many requests at
once). It is written only when the member was given the offer; a refused one leaves none,
so asking again under the same key tries them again.
"""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
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
