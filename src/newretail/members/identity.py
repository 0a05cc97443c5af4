"""Consumers and the identifiers that recognise them: sign-in, linking, lookup.

A consumer is platform-wide; a brand's staff only ever see consumers who hold a
membership of their brand. An identifier already held by another consumer triggers a
merge when the rules allow one (see ``merges``); otherwise it stays where it is.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel import visibility
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import SYSTEM, Scope
from newretail.members import errors, merges
from newretail.members.access import (
    BRAND_MEMBERS,
    live_consumer_id,
    member_query,
    own_consumer_id,
    phones_of,
)
from newretail.members.models import Consumer, ConsumerIdentifier, Membership
from newretail.members.phones import normalise_phone
from newretail.members.rules import IdentifierKind
from newretail.members.schemas import ConsumerMeRead, ConsumerRead, IdentifierRead
from newretail.members.views import member_views, shown_phone


def _owner(session: Session, kind: str, value: str) -> ConsumerIdentifier | None:
    return session.scalar(
        select(ConsumerIdentifier).where(
            ConsumerIdentifier.kind == kind, ConsumerIdentifier.value == value
        )
    )


def _new_consumer(
    session: Session, kind: str, value: str, *, verified: bool, now: datetime
) -> tuple[int, bool]:
    """A new consumer holding one identifier; if a concurrent request won, theirs."""
    try:
        with session.begin_nested():
            consumer = Consumer(created_at=now)
            session.add(consumer)
            session.flush()
            session.add(
                ConsumerIdentifier(
                    consumer_id=consumer.id,
                    kind=kind,
                    value=value,
                    verified=verified,
                    created_at=now,
                )
            )
            session.flush()
            return consumer.id, True
    except IntegrityError:
        existing = _owner(session, kind, value)
        if existing is None:
            raise
        return _live(session, existing.consumer_id), False


def live_consumer(session: Session, consumer_id: int) -> int:
    """The consumer record ``consumer_id`` lives on as (itself unless merged away)."""
    return _live(session, consumer_id)


def _live(session: Session, consumer_id: int) -> int:
    live = live_consumer_id(session=session, consumer_id=consumer_id)
    if live is None:
        raise errors.ConsumerNotFound()
    return live


def consumer_for_phone(
    *, session: Session, phone: str, verified: bool, now: datetime | None = None
) -> tuple[int, bool]:
    """The consumer holding ``phone`` (E.164), created if none: (consumer id, created)."""
    now = now or utcnow()
    existing = _owner(session, IdentifierKind.PHONE.value, phone)
    if existing is None:
        return _new_consumer(session, IdentifierKind.PHONE.value, phone, verified=verified, now=now)
    if verified and not existing.verified:
        existing.verified = True
        session.flush()
    return _live(session, existing.consumer_id), False


def link_identifier(
    *,
    session: Session,
    scope: Scope,
    consumer_id: int,
    kind: IdentifierKind,
    value: str,
    now: datetime | None = None,
    record_refusal: bool = False,
) -> int:
    """Attach an unverified identifier; returns the consumer it belongs to afterwards.

    If another consumer holds it, the two are merged when the rules allow, and the
    survivor is returned; when they do not, the identifier stays with its holder.
    """
    now = now or utcnow()
    if kind == IdentifierKind.PHONE:
        value = normalise_phone(value)
    existing = _owner(session, kind.value, value)
    if existing is None:
        try:
            with session.begin_nested():
                session.add(
                    ConsumerIdentifier(
                        consumer_id=consumer_id, kind=kind.value, value=value, created_at=now
                    )
                )
                session.flush()
            return consumer_id
        except IntegrityError:
            existing = _owner(session, kind.value, value)
            if existing is None:
                raise
    holder = _live(session, existing.consumer_id)
    if holder == consumer_id:
        return consumer_id
    _, merge = merges.try_merge(
        session=session,
        scope=scope,
        consumer_id=consumer_id,
        other_id=holder,
        reason=f"shared_{kind.value}",
        now=now,
        record_refusal=record_refusal,
    )
    return merge.target_id if merge is not None else consumer_id


def sign_in(
    *,
    session: Session,
    phone: str,
    extra: Sequence[tuple[IdentifierKind, str]] = (),
    now: datetime | None = None,
) -> tuple[int, bool]:
    """The consumer of a phone just proven by a code (signed up if new), with extra ids linked."""
    now = now or utcnow()
    consumer_id, created = consumer_for_phone(session=session, phone=phone, verified=True, now=now)
    scope = Scope(actor_type="consumer", actor_id=consumer_id, roles=frozenset())
    for kind, value in extra:
        consumer_id = link_identifier(
            session=session, scope=scope, consumer_id=consumer_id, kind=kind, value=value, now=now
        )
    return consumer_id, created


def identify(
    *,
    session: Session,
    identifiers: Sequence[tuple[IdentifierKind, str]],
    now: datetime | None = None,
) -> int:
    """The consumer recognised by any of ``identifiers`` (created if none), all linked to it.

    For touchpoint scans and event collection: an anonymous or device id seen for the first
    time becomes a new consumer, which merges with a known one when they meet.
    """
    if not identifiers:
        raise ValueError("identify needs at least one identifier")
    now = now or utcnow()
    normalised = [
        (kind, normalise_phone(value) if kind == IdentifierKind.PHONE else value)
        for kind, value in identifiers
    ]
    known = [_owner(session, kind.value, value) for kind, value in normalised]
    holders = [_live(session, ident.consumer_id) for ident in known if ident is not None]
    if holders:
        consumer_id = holders[0]
    else:
        kind, value = normalised[0]
        consumer_id, _ = _new_consumer(session, kind.value, value, verified=False, now=now)
    for kind, value in normalised:
        consumer_id = link_identifier(
            session=session, scope=SYSTEM, consumer_id=consumer_id, kind=kind, value=value, now=now
        )
    return consumer_id


# ---- reading --------------------------------------------------------------------------


def me(*, session: Session, scope: Scope) -> ConsumerMeRead:
    consumer_id = own_consumer_id(session=session, scope=scope)
    consumer = session.get(Consumer, consumer_id)
    if consumer is None:
        raise errors.ConsumerGone()
    identifiers = session.scalars(
        select(ConsumerIdentifier)
        .where(ConsumerIdentifier.consumer_id == consumer_id)
        .order_by(ConsumerIdentifier.id)
    )
    members = list(
        session.scalars(member_query(session=session, scope=scope).order_by(Membership.id))
    )
    return ConsumerMeRead(
        id=consumer.id,
        phone=phones_of(session=session, consumer_ids=[consumer_id]).get(consumer_id),
        created_at=consumer.created_at,
        memberships=member_views(session=session, scope=scope, members=members),
        identifiers=[IdentifierRead.model_validate(i) for i in identifiers],
    )


def add_identifier(
    *, session: Session, scope: Scope, kind: IdentifierKind, value: str
) -> ConsumerMeRead:
    """A signed-in consumer links a union, device or anonymous id to themselves."""
    consumer_id = own_consumer_id(session=session, scope=scope)
    link_identifier(session=session, scope=scope, consumer_id=consumer_id, kind=kind, value=value)
    return me(session=session, scope=scope)


def lookup(
    *, session: Session, scope: Scope, phone: str | None, cursor: str | None, limit: int
) -> tuple[list[ConsumerRead], str | None]:
    """Consumers who are members of the caller's brand; by exact phone across the brand.

    Without a phone, a store-level caller sees only the consumers of members they may read.
    """
    if scope.actor_type == "consumer":
        raise errors.ConsumerNotFound("Consumers read themselves at /consumers/me.")
    visible = member_query(session=session, scope=scope)
    if phone is not None:
        visible = visibility.restrict(select(Membership), scope, BRAND_MEMBERS)
    visible_sub = visible.subquery()
    query = select(Consumer).where(
        Consumer.merged_into_id.is_(None),
        exists().where(visible_sub.c.consumer_id == Consumer.id),
    )
    if phone is not None:
        query = query.where(
            exists().where(
                ConsumerIdentifier.consumer_id == Consumer.id,
                ConsumerIdentifier.kind == IdentifierKind.PHONE.value,
                ConsumerIdentifier.value == normalise_phone(phone),
            )
        )
    consumers, next_cursor = paginate(
        session=session, query=query, id_column=Consumer.id, cursor=cursor, limit=limit
    )
    return _consumer_views(session, scope, consumers), next_cursor


def _consumer_views(
    session: Session, scope: Scope, consumers: list[Consumer]
) -> list[ConsumerRead]:
    ids = [c.id for c in consumers]
    phones = phones_of(session=session, consumer_ids=ids)
    query = select(Membership).where(Membership.consumer_id.in_(ids)).order_by(Membership.id)
    query = visibility.restrict(query, scope, BRAND_MEMBERS)
    members = list(session.scalars(query))
    views = member_views(session=session, scope=scope, members=members)
    return [
        ConsumerRead(
            id=c.id,
            phone=shown_phone(scope, phones.get(c.id)),
            created_at=c.created_at,
            memberships=[v for v in views if v.consumer_id == c.id],
        )
        for c in consumers
    ]
