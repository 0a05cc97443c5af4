"""The signed-in member's own part of the home page: their membership of the store's brand.

Read for each request with the caller's own scope and never cached: it is nobody else's.
"""

from typing import Any

from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.cloudstore.schemas import GuideCard, MemberCard
from newretail.cloudstore.sections import HomeContext
from newretail.kernel.scope import Role, Scope
from newretail.members import service as members_service


def member_card(session: Session, context: HomeContext, member: Scope) -> dict[str, Any] | None:
    """Tier, points and own guide of a signed-in consumer; None for staff and strangers."""
    if member.actor_type != "consumer" or member.actor_id is None:
        return None
    consumer_id = members_service.live_consumer_id(session=session, consumer_id=member.actor_id)
    if consumer_id is None:
        return None
    store = context.store
    membership = members_service.find_membership(
        session=session, brand_id=store.brand_id, consumer_id=consumer_id
    )
    if membership is None:
        return MemberCard(joined=False).model_dump(mode="json")
    tiers = members_service.programme_of(session=session, brand_id=store.brand_id).tiers
    binding = members_service.current_binding(session=session, member_id=membership.id)
    guide = None
    bound = binding is not None and (binding.expires_at is None or context.now < binding.expires_at)
    if bound and binding is not None and binding.guide_id is not None:
        guide = _guide(session, store.brand_id, binding.guide_id)
    return MemberCard(
        joined=True,
        member_no=membership.member_no,
        tier=membership.tier,
        tier_name=next((t.name for t in tiers if t.code == membership.tier), membership.tier),
        points=membership.points,
        points_expire_at=membership.next_expiry_at,
        guide=guide,
    ).model_dump(mode="json")


def _guide(session: Session, brand_id: int, staff_id: int) -> GuideCard | None:
    reader = Scope(
        actor_type="cloudstore",
        actor_id=None,
        roles=frozenset({Role.BRAND_ADMIN}),
        brand_id=brand_id,
    )
    staff = auth_service.get_staff(session=session, scope=reader, staff_id=staff_id)
    if not staff.is_active or staff.left_at is not None:
        return None
    return GuideCard(id=staff.id, display_name=staff.display_name)
