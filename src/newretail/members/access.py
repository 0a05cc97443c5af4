"""Who sees which members, and the consumer behind a consumer token.

    platform admin                  every membership
    brand admin, integration key    every membership of the brand
    region/store manager, cashier   members actively bound to one of their stores
    guide (and no other store role) members actively bound to themselves
    consumer                        their own memberships

Point-of-sale actions (points, lookup by exact phone) reach any member of the caller's
brand: a member bound to one store shops in all of them.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, Select, exists, or_, select
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel import visibility
from newretail.kernel.scope import Scope
from newretail.members import errors, rules
from newretail.members.models import Consumer, ConsumerIdentifier, MemberBinding, Membership
from newretail.members.rules import IdentifierKind

_MAX_MERGE_CHAIN = 50


def live_consumer_id(*, session: Session, consumer_id: int) -> int | None:
    """The consumer that ``consumer_id`` is now (following merges), or None if unknown."""
    node: int | None = consumer_id
    for _ in range(_MAX_MERGE_CHAIN):
        if node is None:
            return None
        merged_into = session.execute(
            select(Consumer.id, Consumer.merged_into_id).where(Consumer.id == node)
        ).first()
        if merged_into is None:
            return None
        if merged_into[1] is None:
            return node
        node = merged_into[1]
    return None


def own_consumer_id(*, session: Session, scope: Scope) -> int:
    """The live consumer of a consumer token; ConsumerGone if it no longer exists."""
    if scope.actor_type != "consumer" or scope.actor_id is None:
        raise errors.ConsumerNotFound()
    consumer_id = live_consumer_id(session=session, consumer_id=scope.actor_id)
    if consumer_id is None:
        raise errors.ConsumerGone()
    return consumer_id


def active_binding(now: datetime) -> ColumnElement[bool]:
    return or_(MemberBinding.expires_at.is_(None), MemberBinding.expires_at > now)


def members_ladder(now: datetime) -> visibility.Ladder:
    """Memberships on the ladder: seen through their active binding to a store or a guide."""

    def bound(condition: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists().where(
            MemberBinding.membership_id == Membership.id, active_binding(now), condition
        )

    return visibility.Ladder(
        brand=Membership.brand_id,
        stores=(visibility.Link(lambda ids: bound(MemberBinding.store_id.in_(ids))),),
        guides=(visibility.Link(lambda ids: bound(MemberBinding.guide_id.in_(ids))),),
        consumers=(Membership.consumer_id,),
        guides_see_stores=False,
    )


# Point-of-sale actions reach every member of the caller's brand.
BRAND_MEMBERS = visibility.Ladder(brand=Membership.brand_id, brand_staff_see_all=True)


def member_query(
    *, session: Session, scope: Scope, now: datetime | None = None
) -> Select[Membership]:
    """Memberships the caller may list and read."""
    consumer = (
        own_consumer_id(session=session, scope=scope) if scope.actor_type == "consumer" else None
    )
    ladder = members_ladder(now or utcnow())
    return visibility.restrict(select(Membership), scope, ladder, consumer_id=consumer)


def get_member(*, session: Session, scope: Scope, member_id: int) -> Membership:
    member = session.scalar(
        member_query(session=session, scope=scope).where(Membership.id == member_id)
    )
    if member is None:
        raise errors.MemberNotFound()
    return member


def get_brand_member(*, session: Session, scope: Scope, member_id: int) -> Membership:
    """A member of the caller's brand wherever they are bound (point-of-sale actions)."""
    if scope.actor_type == "consumer":
        return get_member(session=session, scope=scope, member_id=member_id)
    member = session.get(Membership, member_id)
    if member is None or not visibility.admits(scope, BRAND_MEMBERS, member):
        raise errors.MemberNotFound()
    return member


def lock_member(*, session: Session, member_id: int) -> Membership:
    """The membership row, locked until the end of the transaction (PostgreSQL)."""
    member = session.scalar(
        select(Membership)
        .where(Membership.id == member_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if member is None:
        raise errors.MemberNotFound()
    return member


def sees_full_phone(scope: Scope) -> bool:
    return scope.actor_type == "consumer" or rules.sees_full_phone(scope.roles)


def phones_of(*, session: Session, consumer_ids: Iterable[int]) -> dict[int, str]:
    """Each consumer's phone: a verified one if there is one, else the first recorded."""
    ids = set(consumer_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(ConsumerIdentifier.consumer_id, ConsumerIdentifier.value)
        .where(
            ConsumerIdentifier.consumer_id.in_(ids),
            ConsumerIdentifier.kind == IdentifierKind.PHONE.value,
        )
        .order_by(ConsumerIdentifier.verified.desc(), ConsumerIdentifier.id)
    )
    phones: dict[int, str] = {}
    for consumer_id, value in rows:
        phones.setdefault(consumer_id, value)
    return phones
