"""Re-binding all of a guide's members in one action, when the guide leaves or HQ rebalances.

Members stay with their store: they move to one named guide of that store, or are spread
evenly over the store's other active guides. All in one transaction: one history row per
member with source ``reassignment``, one audit entry for the action.
"""

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.auth import service as auth_service
from newretail.db import utcnow
from newretail.kernel import visibility
from newretail.kernel.errors import NotFound
from newretail.kernel.scope import Role, Scope
from newretail.members import errors
from newretail.members.access import active_binding
from newretail.members.binding import active_guides, check_guide, policy_of
from newretail.members.binding_rules import BindingSource, binding_window, spread_evenly
from newretail.members.models import BindingEvent, MemberBinding, Membership
from newretail.members.schemas import RebindRequest, RebindResult
from newretail.outbox import service as outbox_service

# A guide's members move only at the stores the caller sees.
BINDINGS = visibility.Ladder(brand=MemberBinding.brand_id, stores=(MemberBinding.store_id,))


def rebind_guide_members(
    *,
    session: Session,
    scope: Scope,
    guide_id: int,
    data: RebindRequest,
    now: datetime | None = None,
) -> RebindResult:
    """Move every member actively bound to ``guide_id`` (in the caller's stores) at once."""
    try:
        leaving = auth_service.get_staff(session=session, scope=scope, staff_id=guide_id)
    except NotFound as exc:
        raise errors.GuideNotFound() from exc
    scope.require(Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
    if (data.to_guide_id is not None) == data.spread or data.to_guide_id == guide_id:
        raise errors.InvalidRebind()
    if leaving.brand_id is None:
        raise errors.GuideNotFound()
    now = now or utcnow()
    bindings = _bindings_of(session, scope, leaving.brand_id, guide_id, now)
    by_store: dict[int, list[int]] = defaultdict(list)
    for binding in bindings:
        by_store[binding.store_id].append(binding.membership_id)
    if data.to_guide_id is not None and not by_store:
        for store_id in {a.store_id for a in leaving.roles if a.role == Role.GUIDE}:
            check_guide(
                session=session,
                brand_id=leaving.brand_id,
                store_id=store_id or 0,
                guide_id=data.to_guide_id,
            )
    plan: dict[int, int] = {}
    for store_id, member_ids in sorted(by_store.items()):
        plan.update(
            _plan_store(session, leaving.brand_id, store_id, member_ids, guide_id, data, now)
        )
    _apply(session, scope, leaving.brand_id, bindings, plan, now)
    moved = Counter(plan.values())
    audit_service.write(
        session=session,
        scope=scope,
        action="guide.members_rebound",
        target_type="staff",
        target_id=guide_id,
        brand_id=leaving.brand_id,
        details={
            "moved": len(plan),
            "spread": data.spread,
            "to_guides": {str(g): n for g, n in sorted(moved.items())},
        },
    )
    return RebindResult(from_guide_id=guide_id, moved=len(plan), to_guides=dict(moved))


def _bindings_of(
    session: Session, scope: Scope, brand_id: int, guide_id: int, now: datetime
) -> list[MemberBinding]:
    query = (
        select(MemberBinding)
        .where(
            MemberBinding.brand_id == brand_id,
            MemberBinding.guide_id == guide_id,
            active_binding(now),
        )
        .order_by(MemberBinding.membership_id)
        .with_for_update()
    )
    query = visibility.restrict(query, scope, BINDINGS)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def _plan_store(
    session: Session,
    brand_id: int,
    store_id: int,
    member_ids: list[int],
    leaving_id: int,
    data: RebindRequest,
    now: datetime,
) -> dict[int, int]:
    if data.to_guide_id is not None:
        check_guide(
            session=session, brand_id=brand_id, store_id=store_id, guide_id=data.to_guide_id
        )
        return {member_id: data.to_guide_id for member_id in member_ids}
    guides = [
        g
        for g in active_guides(session=session, brand_id=brand_id, store_id=store_id)
        if g != leaving_id
    ]
    if not guides:
        raise errors.NoGuidesAvailable()
    loads = {
        row[0]: row[1]
        for row in session.execute(
            select(MemberBinding.guide_id, func.count())
            .where(MemberBinding.guide_id.in_(guides), active_binding(now))
            .group_by(MemberBinding.guide_id)
        )
        if row[0] is not None
    }
    return spread_evenly(member_ids, guides, loads)


def _apply(
    session: Session,
    scope: Scope,
    brand_id: int,
    bindings: list[MemberBinding],
    plan: dict[int, int],
    now: datetime,
) -> None:
    protected, expires = binding_window(policy_of(session=session, brand_id=brand_id), now)
    consumers = {
        row[0]: row[1]
        for row in session.execute(
            select(Membership.id, Membership.consumer_id).where(Membership.id.in_(plan))
        )
    }
    events = []
    for binding in bindings:
        events.append(
            BindingEvent(
                brand_id=brand_id,
                membership_id=binding.membership_id,
                from_store_id=binding.store_id,
                from_guide_id=binding.guide_id,
                to_store_id=binding.store_id,
                to_guide_id=plan[binding.membership_id],
                source=BindingSource.REASSIGNMENT.value,
                reason="reassignment",
                actor_type=scope.actor_type,
                actor_id=scope.actor_id,
                at=now,
            )
        )
        binding.guide_id = plan[binding.membership_id]
        binding.source = BindingSource.REASSIGNMENT.value
        binding.bound_at = now
        binding.protected_until = protected
        binding.expires_at = expires
    session.add_all(events)
    session.flush()
    for event in events:
        outbox_service.record(
            session=session,
            brand_id=brand_id,
            type="member.bound",
            resource_type="member",
            resource_id=event.membership_id,
            payload={
                "member_id": event.membership_id,
                "consumer_id": consumers.get(event.membership_id),
                "from_store_id": event.from_store_id,
                "from_guide_id": event.from_guide_id,
                "store_id": event.to_store_id,
                "guide_id": event.to_guide_id,
                "source": event.source,
                "reason": event.reason,
                "bound_at": now.isoformat(),
                "expires_at": expires.isoformat() if expires else None,
            },
        )
