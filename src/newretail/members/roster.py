"""Finding members for the guide's workbench and the console: search, filters, recent first.

A member's last activity is their latest points entry or binding change, else the day
they joined; the list is sorted by it, newest first. One search box takes a name, the
last digits of a phone (four or more) or a member number, so a guide who only sees
138****1234 can still find "the member ending in 1234".
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, exists, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from newretail.db import UTCDateTime, utcnow
from newretail.kernel import search
from newretail.kernel.scope import Scope
from newretail.members import errors
from newretail.members.access import active_binding, member_query
from newretail.members.models import (
    BindingEvent,
    Consumer,
    ConsumerIdentifier,
    MemberBinding,
    Membership,
    PointsEntry,
)
from newretail.members.rules import IdentifierKind
from newretail.members.schemas import MemberRead
from newretail.members.views import member_views

PHONE_TAIL_MIN = 4
MAX_QUERY = 64


@dataclass(frozen=True)
class RosterRow:
    member: MemberRead
    name: str | None
    last_activity: datetime


def _latest(session: Session) -> ColumnElement[datetime]:
    points = (
        select(func.max(PointsEntry.created_at))
        .where(PointsEntry.membership_id == Membership.id)
        .scalar_subquery()
    )
    binding = (
        select(func.max(BindingEvent.at))
        .where(BindingEvent.membership_id == Membership.id)
        .scalar_subquery()
    )
    greatest = func.greatest if session.get_bind().dialect.name == "postgresql" else func.max
    value = greatest(
        func.coalesce(points, Membership.joined_at), func.coalesce(binding, Membership.joined_at)
    )
    return type_coerce(value, UTCDateTime())


def _matches(q: str) -> ColumnElement[bool]:
    """Name contains ``q``; or, for digits, a phone ending in them or that member number."""
    name = exists().where(
        Consumer.id == Membership.consumer_id, search.contains(Consumer.display_name, q)
    )
    if not q.isdigit():
        return name
    terms = [name, Membership.member_no == q, Membership.member_no == q.zfill(10)]
    if len(q) >= PHONE_TAIL_MIN:
        terms.append(
            exists().where(
                ConsumerIdentifier.consumer_id == Membership.consumer_id,
                ConsumerIdentifier.kind == IdentifierKind.PHONE.value,
                search.ends_with(ConsumerIdentifier.value, q),
            )
        )
    return or_(*terms)


def _filtered(
    session: Session,
    scope: Scope,
    q: str | None,
    tier: str | None,
    store_id: int | None,
    guide_id: int | None,
    now: datetime,
    brand_id: int | None = None,
) -> Select[Membership]:
    query = member_query(session=session, scope=scope, now=now)
    if brand_id is not None:
        query = query.where(Membership.brand_id == brand_id)
    text = (q or "").strip()[:MAX_QUERY]
    if text:
        query = query.where(_matches(text))
    if tier:
        query = query.where(Membership.tier == tier)
    if store_id is not None or guide_id is not None:
        bound = exists().where(MemberBinding.membership_id == Membership.id, active_binding(now))
        if store_id is not None:
            bound = bound.where(MemberBinding.store_id == store_id)
        if guide_id is not None:
            bound = bound.where(MemberBinding.guide_id == guide_id)
        query = query.where(bound)
    return query


def search_members(
    *,
    session: Session,
    scope: Scope,
    q: str | None = None,
    tier: str | None = None,
    store_id: int | None = None,
    guide_id: int | None = None,
    brand_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
    now: datetime | None = None,
) -> tuple[list[RosterRow], bool]:
    """One page of the members the caller may see, most recently active first; more after?"""
    now = now or utcnow()
    latest = _latest(session).label("last_activity")
    filtered = _filtered(session, scope, q, tier, store_id, guide_id, now, brand_id)
    query = filtered.add_columns(latest).order_by(latest.desc(), Membership.id.desc())
    rows = list(session.execute(query.offset(max(0, offset)).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    members = [row[0] for row in rows]
    views = member_views(session=session, scope=scope, members=members, now=now)
    names = consumer_names(session=session, consumer_ids={m.consumer_id for m in members})
    return [
        RosterRow(member=view, name=names.get(view.consumer_id), last_activity=row[1])
        for view, row in zip(views, rows, strict=True)
    ], more


def count_members(
    *,
    session: Session,
    scope: Scope,
    store_id: int | None = None,
    guide_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """How many members the caller sees (actively bound to ``store_id``/``guide_id``)."""
    query = _filtered(session, scope, None, None, store_id, guide_id, now or utcnow())
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def guide_loads(
    *, session: Session, scope: Scope, guide_ids: list[int], now: datetime | None = None
) -> dict[int, int]:
    """Members actively bound to each of ``guide_ids`` that the caller sees."""
    if not guide_ids:
        return {}
    visible = member_query(session=session, scope=scope, now=now).with_only_columns(Membership.id)
    rows = session.execute(
        select(MemberBinding.guide_id, func.count())
        .where(
            MemberBinding.guide_id.in_(guide_ids),
            active_binding(now or utcnow()),
            MemberBinding.membership_id.in_(visible),
        )
        .group_by(MemberBinding.guide_id)
    )
    return {int(guide_id): int(n) for guide_id, n in rows if guide_id is not None}


def consumer_names(*, session: Session, consumer_ids: set[int]) -> dict[int, str]:
    if not consumer_ids:
        return {}
    rows = session.execute(
        select(Consumer.id, Consumer.display_name).where(
            Consumer.id.in_(consumer_ids), Consumer.display_name.is_not(None)
        )
    )
    return {int(consumer_id): str(name) for consumer_id, name in rows}


def member_name(*, session: Session, member: MemberRead) -> str | None:
    return consumer_names(session=session, consumer_ids={member.consumer_id}).get(
        member.consumer_id
    )


def set_consumer_name(*, session: Session, consumer_id: int, display_name: str | None) -> None:
    """Record how a consumer is called (from sign-up or the till); None forgets it."""
    consumer = session.get(Consumer, consumer_id)
    if consumer is None:
        raise errors.ConsumerNotFound()
    consumer.display_name = (display_name or "").strip()[:200] or None
    session.flush()
