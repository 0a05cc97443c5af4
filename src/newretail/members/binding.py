"""Binding members to a store and a guide: the brand's policy, attempts, history.

Every attempt locks the membership row first (``SELECT ... FOR UPDATE`` on PostgreSQL;
SQLite writers are serialised by ``BEGIN IMMEDIATE``), reads the current binding, asks
``binding_rules.decide_binding`` and writes the result with one history row. So two
simultaneous attempts for one member are decided one after the other, the second seeing
what the first did.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.auth import service as auth_service
from newretail.db import utcnow
from newretail.kernel.errors import NotFound
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Role, Scope
from newretail.members import errors
from newretail.members.access import get_member, lock_member
from newretail.members.binding_rules import (
    Action,
    Attempt,
    BindingMode,
    BindingSource,
    Current,
    Policy,
    decide_binding,
)
from newretail.members.models import BindingEvent, BindingPolicy, MemberBinding, Membership
from newretail.members.schemas import (
    BindingEventRead,
    BindingHistoryPage,
    BindingOutcomeRead,
    BindingPolicyRead,
    BindingPolicyUpdate,
    BindingUpdate,
)
from newretail.members.views import binding_read
from newretail.org import service as org_service
from newretail.outbox import service as outbox_service


@dataclass(frozen=True)
class BindingOutcome:
    action: Action
    reason: str
    member_id: int
    binding: MemberBinding | None
    member_created: bool = False


def brand_scope(brand_id: int) -> Scope:
    """The system acting inside one brand: another brand's rows do not exist for it."""
    return Scope(
        actor_type="system", actor_id=None, roles=frozenset({Role.BRAND_ADMIN}), brand_id=brand_id
    )


# ---- policy ---------------------------------------------------------------------------


def policy_of(*, session: Session, brand_id: int) -> Policy:
    row = session.get(BindingPolicy, brand_id)
    if row is None:
        return Policy()
    return Policy(BindingMode(row.mode), row.protection_days, row.expiry_days)


def _policy_read(brand_id: int, policy: Policy) -> BindingPolicyRead:
    return BindingPolicyRead(
        brand_id=brand_id,
        mode=policy.mode.value,
        protection_days=policy.protection_days,
        expiry_days=policy.expiry_days,
    )


def get_policy(*, session: Session, scope: Scope, brand_id: int | None) -> BindingPolicyRead:
    brand = org_service.get_brand(
        session=session, scope=scope, brand_id=scope.target_brand(brand_id)
    )
    return _policy_read(brand.id, policy_of(session=session, brand_id=brand.id))


def put_policy(*, session: Session, scope: Scope, data: BindingPolicyUpdate) -> BindingPolicyRead:
    """Change the rules for future attempts; existing bindings keep their dates."""
    brand_id = scope.target_brand(data.brand_id)
    org_service.get_brand(session=session, scope=scope, brand_id=brand_id)
    scope.require(Role.BRAND_ADMIN)
    row = session.get(BindingPolicy, brand_id) or BindingPolicy(brand_id=brand_id)
    row.mode = data.mode.value
    row.protection_days = data.protection_days
    row.expiry_days = data.expiry_days
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    audit_service.write(
        session=session,
        scope=scope,
        action="binding_policy.updated",
        target_type="brand",
        target_id=brand_id,
        brand_id=brand_id,
        details=data.model_dump(mode="json", exclude={"brand_id"}),
    )
    return _policy_read(brand_id, policy_of(session=session, brand_id=brand_id))


# ---- guides ---------------------------------------------------------------------------


def check_guide(*, session: Session, brand_id: int, store_id: int, guide_id: int) -> None:
    """The guide, if active and holding the guide role at ``store_id``; else a clear error."""
    try:
        staff = auth_service.get_staff(
            session=session, scope=brand_scope(brand_id), staff_id=guide_id
        )
    except NotFound as exc:
        raise errors.GuideNotFound() from exc
    if not staff.is_active:
        raise errors.GuideInactive()
    if not any(a.role == Role.GUIDE and a.store_id == store_id for a in staff.roles):
        raise errors.GuideNotAtStore()


def active_guides(*, session: Session, brand_id: int, store_id: int) -> list[int]:
    """Ids of the store's active guides, ascending."""
    ids: list[int] = []
    cursor: str | None = None
    while True:
        page, cursor = auth_service.list_staff(
            session=session,
            scope=brand_scope(brand_id),
            cursor=cursor,
            limit=200,
            role=Role.GUIDE,
            store_id=store_id,
        )
        ids.extend(staff.id for staff in page if staff.is_active)
        if cursor is None:
            return sorted(ids)


# ---- attempts -------------------------------------------------------------------------


def _current(binding: MemberBinding | None) -> Current | None:
    if binding is None:
        return None
    return Current(
        binding.store_id,
        binding.guide_id,
        binding.bound_at,
        binding.protected_until,
        binding.expires_at,
    )


def current_binding(
    *, session: Session, member_id: int, lock: bool = False
) -> MemberBinding | None:
    query = select(MemberBinding).where(MemberBinding.membership_id == member_id)
    if lock:
        query = query.with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


def apply_attempt(
    *,
    session: Session,
    scope: Scope,
    member: Membership,
    attempt: Attempt,
    now: datetime | None = None,
    created: bool = False,
) -> BindingOutcome:
    """Decide an attempt under the brand's policy and write it; the member row is locked.

    ``created``: the member was written in this transaction, so no other transaction sees
    the row (nothing to lock) and it has no binding yet (nothing to read)."""
    now = now or utcnow()
    binding = None
    if not created:
        lock_member(session=session, member_id=member.id)
        binding = current_binding(session=session, member_id=member.id, lock=True)
    policy = policy_of(session=session, brand_id=member.brand_id)
    outcome = decide_binding(policy, _current(binding), attempt, now)
    if outcome.action != Action.BIND:
        return BindingOutcome(outcome.action, outcome.reason, member.id, binding)
    before = _current(binding)
    if binding is None:
        binding = MemberBinding(membership_id=member.id, brand_id=member.brand_id)
        session.add(binding)
    binding.store_id = attempt.store_id
    binding.guide_id = attempt.guide_id
    binding.source = attempt.source.value
    binding.bound_at = now
    binding.protected_until = outcome.protected_until
    binding.expires_at = outcome.expires_at
    session.flush()
    record_event(
        session=session,
        scope=scope,
        member=member,
        before=before,
        binding=binding,
        reason=outcome.reason,
    )
    return BindingOutcome(outcome.action, outcome.reason, member.id, binding)


def record_event(
    *,
    session: Session,
    scope: Scope,
    member: Membership,
    before: Current | None,
    binding: MemberBinding,
    reason: str,
) -> None:
    """One history row and one ``member.bound`` event for a binding change."""
    event = BindingEvent(
        brand_id=member.brand_id,
        membership_id=member.id,
        from_store_id=before.store_id if before else None,
        from_guide_id=before.guide_id if before else None,
        to_store_id=binding.store_id,
        to_guide_id=binding.guide_id,
        source=binding.source,
        reason=reason,
        actor_type=scope.actor_type,
        actor_id=scope.actor_id,
        at=binding.bound_at,
    )
    session.add(event)
    session.flush()
    outbox_service.record(
        session=session,
        brand_id=member.brand_id,
        type="member.bound",
        resource_type="member",
        resource_id=member.id,
        payload={
            "member_id": member.id,
            "consumer_id": member.consumer_id,
            "from_store_id": event.from_store_id,
            "from_guide_id": event.from_guide_id,
            "store_id": event.to_store_id,
            "guide_id": event.to_guide_id,
            "source": event.source,
            "reason": reason,
            "bound_at": binding.bound_at.isoformat(),
            "expires_at": binding.expires_at.isoformat() if binding.expires_at else None,
        },
    )


def outcome_read(outcome: BindingOutcome, now: datetime | None = None) -> BindingOutcomeRead:
    return BindingOutcomeRead(
        action=outcome.action.value,
        reason=outcome.reason,
        member_id=outcome.member_id,
        binding=binding_read(outcome.binding, now or utcnow()),
    )


def bind_manually(
    *,
    session: Session,
    scope: Scope,
    member_id: int,
    data: BindingUpdate,
    now: datetime | None = None,
) -> BindingOutcome:
    """A manager binds a member they can see to a store (and guide) in their scope."""
    member = get_member(session=session, scope=scope, member_id=member_id)
    scope.require(Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)
    store = org_service.get_store(session=session, scope=scope, store_id=data.store_id)
    if store.brand_id != member.brand_id:
        raise errors.MemberNotFound()
    if data.guide_id is not None:
        check_guide(
            session=session, brand_id=member.brand_id, store_id=store.id, guide_id=data.guide_id
        )
    attempt = Attempt(store.id, data.guide_id, BindingSource.MANUAL)
    outcome = apply_attempt(session=session, scope=scope, member=member, attempt=attempt, now=now)
    audit_service.write(
        session=session,
        scope=scope,
        action="member.bound_manually",
        target_type="member",
        target_id=member.id,
        brand_id=member.brand_id,
        details={"store_id": store.id, "guide_id": data.guide_id, "result": outcome.action.value},
    )
    return outcome


def binding_history(
    *, session: Session, scope: Scope, member_id: int, cursor: str | None, limit: int
) -> BindingHistoryPage:
    """The current binding and the history, oldest first."""
    member = get_member(session=session, scope=scope, member_id=member_id)
    events, next_cursor = paginate(
        session=session,
        query=select(BindingEvent).where(BindingEvent.membership_id == member.id),
        id_column=BindingEvent.id,
        cursor=cursor,
        limit=limit,
    )
    return BindingHistoryPage(
        current=binding_read(current_binding(session=session, member_id=member.id), utcnow()),
        items=[BindingEventRead.model_validate(e) for e in events],
        next_cursor=next_cursor,
    )
