"""A consumer's own view of their membership of one brand: the card, tier, points and guide.

Consumers see their guide's name and store (its address and code, to visit it or its cloud
store), never the guide's phone.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.db import utcnow
from newretail.kernel.errors import NotFound
from newretail.members.binding import brand_scope, current_binding
from newretail.members.memberships import find_membership, programme_of
from newretail.org import service as org_service


@dataclass(frozen=True)
class MyMembership:
    member_id: int
    member_no: str
    tier_code: str
    tier_name: str
    points: int
    store_name: str | None
    guide_name: str | None
    store_code: str | None = None
    store_address: str | None = None


def my_membership(
    *, session: Session, consumer_id: int, brand_id: int, now: datetime | None = None
) -> MyMembership | None:
    """The consumer's membership of ``brand_id`` as they see it, or None if not a member."""
    member = find_membership(session=session, brand_id=brand_id, consumer_id=consumer_id)
    if member is None:
        return None
    now = now or utcnow()
    tiers = {t.code: t.name for t in programme_of(session=session, brand_id=brand_id).tiers}
    binding = current_binding(session=session, member_id=member.id)
    live = binding is not None and (binding.expires_at is None or binding.expires_at > now)
    store_name = guide_name = store_code = store_address = None
    if binding is not None and live:
        scope = brand_scope(brand_id)
        try:
            store = org_service.get_store(session=session, scope=scope, store_id=binding.store_id)
            store_name, store_code = store.name, store.code
            store_address = " ".join(part for part in (store.city, store.address) if part)
        except NotFound:
            store_name = None
        if binding.guide_id is not None:
            try:
                staff = auth_service.get_staff(
                    session=session, scope=scope, staff_id=binding.guide_id
                )
                guide_name = staff.display_name if staff.is_active else None
            except NotFound:
                guide_name = None
    return MyMembership(
        member_id=member.id,
        member_no=member.member_no,
        tier_code=member.tier,
        tier_name=tiers.get(member.tier, member.tier),
        points=member.points,
        store_name=store_name,
        guide_name=guide_name,
        store_code=store_code,
        store_address=store_address or None,
    )
