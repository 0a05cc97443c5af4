"""The buyer of a sale, read in one statement: live consumer, membership and binding now
(and, for a sale that opens with it, the brand's cache stamp beside them)."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Select, and_, bindparam, select
from sqlalchemy.orm import Session

from newretail.kernel import stamps
from newretail.kernel.sale import Buyer
from newretail.members.access import live_consumer_id
from newretail.members.models import Consumer, MemberBinding, Membership

_BUYER = (
    select(
        Consumer.id,
        Consumer.merged_into_id,
        Membership.id.label("member_id"),
        Membership.tier,
        MemberBinding.store_id,
        MemberBinding.guide_id,
        MemberBinding.expires_at,
    )
    .outerjoin(
        Membership,
        and_(Membership.consumer_id == Consumer.id, Membership.brand_id == bindparam("brand")),
    )
    .outerjoin(MemberBinding, MemberBinding.membership_id == Membership.id)
    .where(Consumer.id == bindparam("consumer"))
)
_STAMPED_BUYER = _BUYER.add_columns(*stamps.version_columns(bindparam("brand", type_=BigInteger())))


def buyer_of(*, session: Session, consumer_id: int, brand_id: int, now: datetime) -> Buyer | None:
    """The consumer as a buyer of the brand (following merges); None if they are gone.

    The binding counts only while it has not expired at ``now``.
    """
    row = session.connection().execute(_BUYER, {"consumer": consumer_id, "brand": brand_id})
    return _live_buyer(session, row.first(), brand_id, now)


StampedBuyer = tuple[Buyer | None, stamps.Version | None]


def stamped_buyer_of(
    *, session: Session, consumer_id: int, brand_id: int, now: datetime
) -> StampedBuyer:
    """``buyer_of`` and the brand's cache stamp, in the same statement (no consumer row: no
    buyer and no stamp)."""
    params = {"consumer": consumer_id, "brand": brand_id}
    row = session.connection().execute(_STAMPED_BUYER, params).first()
    return stamped_buyer(session=session, row=row, brand_id=brand_id, now=now)


def stamped_buyer_statement() -> Select[Any]:
    """The statement of ``stamped_buyer_of`` (parameters ``consumer`` and ``brand``), for a
    caller that reads more beside it; ``stamped_buyer`` reads its row."""
    return _STAMPED_BUYER


def stamped_buyer(*, session: Session, row: Any, brand_id: int, now: datetime) -> StampedBuyer:
    """The buyer and stamp of a row of ``stamped_buyer_statement`` (None: no consumer)."""
    version = None if row is None else (int(row.stamp_own), int(row.stamp_every))
    return _live_buyer(session, row, brand_id, now), version


def _live_buyer(session: Session, row: Any, brand_id: int, now: datetime) -> Buyer | None:
    """The buyer of a row of ``_BUYER``, read again for the consumer it was merged into."""
    if row is not None and row.merged_into_id is not None:
        live = live_consumer_id(session=session, consumer_id=row.id)
        params = {"consumer": live, "brand": brand_id}
        row = None if live is None else session.connection().execute(_BUYER, params).first()
    if row is None or row.merged_into_id is not None:
        return None
    bound = row.store_id is not None and (row.expires_at is None or row.expires_at > now)
    return Buyer(
        consumer_id=row.id,
        member_id=row.member_id,
        bound_store_id=row.store_id if bound else None,
        bound_guide_id=row.guide_id if bound else None,
        tier=row.tier,
    )
