"""Becoming a member: a consumer joins a brand, staff register a consumer in store, or a
touchpoint scan recruits one. Each may bind the new member to a store and guide.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel import visibility
from newretail.kernel.errors import InvalidInput
from newretail.kernel.scope import Role, Scope
from newretail.members import errors, identity
from newretail.members.access import live_consumer_id, own_consumer_id
from newretail.members.binding import (
    BindingOutcome,
    apply_attempt,
    brand_scope,
    check_guide,
)
from newretail.members.binding_rules import Action, Attempt, BindingSource
from newretail.members.memberships import ensure_membership, find_membership
from newretail.members.models import Membership
from newretail.members.phones import normalise_phone
from newretail.members.rules import JoinChannel
from newretail.members.schemas import Consents, MemberCreate
from newretail.org import service as org_service

CONSUMER_SOURCES = frozenset(
    {BindingSource.SHARE_LINK, BindingSource.SHELF_CODE, BindingSource.BADGE_CODE}
)
STAFF_SOURCES = frozenset({BindingSource.POS, BindingSource.IMPORT, BindingSource.BADGE_CODE})


@dataclass(frozen=True)
class JoinResult:
    member: Membership
    created: bool
    binding: BindingOutcome | None


def join(
    *, session: Session, scope: Scope, data: MemberCreate, now: datetime | None = None
) -> JoinResult:
    """A consumer token joins ``data.brand_id``; staff register the consumer with ``data.phone``."""
    now = now or utcnow()
    if scope.actor_type == "consumer":
        return _consumer_joins(session, scope, data, now)
    return _staff_registers(session, scope, data, now)


def _consumer_joins(
    session: Session, scope: Scope, data: MemberCreate, now: datetime
) -> JoinResult:
    consumer_id = own_consumer_id(session=session, scope=scope)
    if data.brand_id is None:
        raise InvalidInput("brand_id: say which brand to join.")
    if data.phone is not None:
        raise InvalidInput("phone: a consumer joins with their own verified phone.")
    org_service.get_brand(session=session, scope=brand_scope(data.brand_id), brand_id=data.brand_id)
    source = data.source or BindingSource.SHARE_LINK
    if source not in CONSUMER_SOURCES:
        raise InvalidInput(f"source: a consumer joins through {sorted(CONSUMER_SOURCES)}.")
    channel = data.channel or (JoinChannel.SHARE_LINK if data.guide_id else JoinChannel.CLOUD_STORE)
    return _enrol(session, scope, data.brand_id, consumer_id, data, channel, source, now)


def _staff_registers(
    session: Session, scope: Scope, data: MemberCreate, now: datetime
) -> JoinResult:
    brand_id = scope.target_brand(data.brand_id)
    org_service.get_brand(session=session, scope=scope, brand_id=brand_id)
    if data.phone is None:
        raise errors.InvalidPhone("phone: staff register a consumer by phone number.")
    phone = normalise_phone(data.phone)
    store_id = data.store_id if data.store_id is not None else _own_store(scope)
    if store_id is not None:
        org_service.get_store(session=session, scope=scope, store_id=store_id)
    guide_id = data.guide_id
    if guide_id is None and store_id is not None and _is_guide_at(scope, store_id):
        guide_id = scope.actor_id
    is_integration = Role.INTEGRATION in scope.roles
    source = data.source or (BindingSource.IMPORT if is_integration else BindingSource.POS)
    if source not in STAFF_SOURCES:
        raise InvalidInput(f"source: staff register through {sorted(STAFF_SOURCES)}.")
    channel = data.channel or (JoinChannel.IMPORT if is_integration else JoinChannel.POS)
    consumer_id, _ = identity.consumer_for_phone(
        session=session, phone=phone, verified=False, now=now
    )
    request = data.model_copy(update={"store_id": store_id, "guide_id": guide_id})
    return _enrol(session, scope, brand_id, consumer_id, request, channel, source, now)


def _own_store(scope: Scope) -> int | None:
    """A store-level caller with exactly one store registers there by default."""
    stores = visibility.store_limit(scope)
    if not stores:
        return None
    if len(stores) != 1:
        raise errors.StoreRequired()
    return next(iter(stores))


def _is_guide_at(scope: Scope, store_id: int) -> bool:
    return Role.GUIDE in scope.roles and store_id in (scope.store_ids or ())


def _enrol(
    session: Session,
    scope: Scope,
    brand_id: int,
    consumer_id: int,
    data: MemberCreate,
    channel: JoinChannel,
    source: BindingSource,
    now: datetime,
) -> JoinResult:
    if data.guide_id is not None and data.store_id is None:
        raise errors.StoreRequired("store_id: a guide is bound together with their store.")
    if data.store_id is not None:
        org_service.get_store(session=session, scope=brand_scope(brand_id), store_id=data.store_id)
    if data.guide_id is not None and data.store_id is not None:
        check_guide(
            session=session, brand_id=brand_id, store_id=data.store_id, guide_id=data.guide_id
        )
    member, created = ensure_membership(
        session=session,
        brand_id=brand_id,
        consumer_id=consumer_id,
        channel=channel,
        store_id=data.store_id,
        consents=data.consents,
        now=now,
    )
    outcome = None
    if data.store_id is not None:
        attempt = Attempt(data.store_id, data.guide_id, source, at_registration=created)
        outcome = apply_attempt(
            session=session, scope=scope, member=member, attempt=attempt, now=now, created=created
        )
    return JoinResult(member, created, outcome)


def bind_by_touchpoint(
    *,
    session: Session,
    brand_id: int,
    consumer_id: int,
    store_id: int,
    guide_id: int | None,
    source: BindingSource,
    now: datetime | None = None,
    join_if_needed: bool = True,
    consents: Consents | None = None,
) -> BindingOutcome:
    """A consumer scanned a code of ``store_id`` (and ``guide_id``): bind by the brand's policy.

    A consumer who is not yet a member joins (channel ``touchpoint``), and that join counts
    as registration for ``register_only`` brands; with ``join_if_needed=False`` a non-member
    is refused with MemberNotFound. Raises StoreNotFound / GuideNotFound for rows outside
    the brand, GuideNotAtStore and GuideInactive for a guide who cannot take members.
    """
    now = now or utcnow()
    scope = brand_scope(brand_id)
    org_service.get_store(session=session, scope=scope, store_id=store_id)
    if guide_id is not None:
        check_guide(session=session, brand_id=brand_id, store_id=store_id, guide_id=guide_id)
    live = live_consumer_id(session=session, consumer_id=consumer_id)
    if live is None:
        raise errors.ConsumerNotFound()
    if join_if_needed:
        member, created = ensure_membership(
            session=session,
            brand_id=brand_id,
            consumer_id=live,
            channel=JoinChannel.TOUCHPOINT,
            store_id=store_id,
            consents=consents or Consents(),
            now=now,
        )
    else:
        found = find_membership(session=session, brand_id=brand_id, consumer_id=live)
        if found is None:
            raise errors.MemberNotFound()
        member, created = found, False
    actor = Scope(actor_type="consumer", actor_id=live, roles=frozenset(), brand_id=brand_id)
    attempt = Attempt(store_id, guide_id, source, at_registration=created)
    outcome = apply_attempt(
        session=session, scope=actor, member=member, attempt=attempt, now=now, created=created
    )
    return BindingOutcome(outcome.action, outcome.reason, member.id, outcome.binding, created)


__all__ = ["Action", "BindingOutcome", "JoinResult", "bind_by_touchpoint", "join"]
