"""The buyer of a sale, read in one statement: live consumer, membership and binding now."""

from datetime import datetime

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

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


def buyer_of(*, session: Session, consumer_id: int, brand_id: int, now: datetime) -> Buyer | None:
    """The consumer as a buyer of the brand (following merges); None if they are gone.

    The binding counts only while it has not expired at ``now``.
    """
    connection = session.connection()
    row = connection.execute(_BUYER, {"consumer": consumer_id, "brand": brand_id}).first()
    if row is not None and row.merged_into_id is not None:
        live = live_consumer_id(session=session, consumer_id=consumer_id)
        row = (
            None
            if live is None
            else connection.execute(_BUYER, {"consumer": live, "brand": brand_id}).first()
        )
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
