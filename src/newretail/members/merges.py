"""Merging two consumer records into one person, logged with what moved, and undoing it.

The rules (``rules.decide_merge``) say whether and which record survives. A merge moves
the absorbed consumer's identifiers and memberships to the survivor and leaves the
absorbed record pointing at it; undoing moves exactly those rows back. A pair whose merge
was undone is never merged again automatically.
"""

from datetime import datetime

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.audit.models import AuditEntry
from newretail.db import utcnow
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Role, Scope
from newretail.members import errors, rules
from newretail.members.access import live_consumer_id
from newretail.members.models import Consumer, ConsumerIdentifier, ConsumerMerge, Membership
from newretail.members.rules import STRONG_KINDS, ConsumerFacts, MergeDecision
from newretail.observability import log
from newretail.outbox import service as outbox_service


def _facts(session: Session, consumer_id: int) -> ConsumerFacts:
    kinds = session.scalars(
        select(ConsumerIdentifier.kind).where(
            ConsumerIdentifier.consumer_id == consumer_id,
            ConsumerIdentifier.verified.is_(True),
            ConsumerIdentifier.kind.in_([k.value for k in STRONG_KINDS]),
        )
    )
    brands = session.scalars(
        select(Membership.brand_id).where(Membership.consumer_id == consumer_id)
    )
    return ConsumerFacts(consumer_id, frozenset(kinds), frozenset(brands))


def _separated_before(session: Session, a: int, b: int) -> bool:
    pair = or_(
        and_(ConsumerMerge.source_id == a, ConsumerMerge.target_id == b),
        and_(ConsumerMerge.source_id == b, ConsumerMerge.target_id == a),
    )
    return bool(session.scalar(select(exists().where(pair, ConsumerMerge.undone_at.is_not(None)))))


def _lock(session: Session, *consumer_ids: int) -> None:
    """Lock the consumer rows in id order, so two merges of one pair cannot interleave."""
    session.execute(
        select(Consumer.id)
        .where(Consumer.id.in_(sorted(consumer_ids)))
        .order_by(Consumer.id)
        .with_for_update()
    )


def decide(*, session: Session, consumer_id: int, other_id: int) -> MergeDecision:
    if _separated_before(session, consumer_id, other_id):
        return MergeDecision(False, "undone_before")
    return rules.decide_merge(_facts(session, consumer_id), _facts(session, other_id))


def try_merge(
    *,
    session: Session,
    scope: Scope,
    consumer_id: int,
    other_id: int,
    reason: str,
    now: datetime | None = None,
    record_refusal: bool = False,
) -> tuple[MergeDecision, ConsumerMerge | None]:
    """Merge two live consumers if the rules allow; the decision says why not otherwise.

    With ``record_refusal`` a refusal that keeps two people apart (two members of one brand,
    two verified phones) is written to the audit log, for identities met in collected events.
    """
    _lock(session, consumer_id, other_id)
    decision = decide(session=session, consumer_id=consumer_id, other_id=other_id)
    if not decision.allowed:
        log.info("consumer_merge_refused", a=consumer_id, b=other_id, rule=decision.reason)
        if record_refusal and decision.reason in rules.PEOPLE_APART:
            _record_refusal(session, scope, consumer_id, other_id, decision.reason, reason)
        return decision, None
    merge = _move(session, scope, decision, reason, now or utcnow())
    return decision, merge


def _move(
    session: Session, scope: Scope, decision: MergeDecision, reason: str, now: datetime
) -> ConsumerMerge:
    survivor, absorbed = decision.survivor_id, decision.absorbed_id
    identifier_ids = list(
        session.scalars(
            select(ConsumerIdentifier.id).where(ConsumerIdentifier.consumer_id == absorbed)
        )
    )
    membership_ids = list(
        session.scalars(select(Membership.id).where(Membership.consumer_id == absorbed))
    )
    _reassign(session, identifier_ids, membership_ids, frm=absorbed, to=survivor)
    session.execute(update(Consumer).where(Consumer.id == absorbed).values(merged_into_id=survivor))
    merge = ConsumerMerge(
        source_id=absorbed,
        target_id=survivor,
        reason=reason,
        moved={"identifier_ids": identifier_ids, "membership_ids": membership_ids},
        actor_type=scope.actor_type,
        actor_id=scope.actor_id,
        at=now,
    )
    session.add(merge)
    session.flush()
    _record(session, scope, merge, "consumer.merged")
    return merge


def _reassign(
    session: Session, identifier_ids: list[int], membership_ids: list[int], *, frm: int, to: int
) -> None:
    if identifier_ids:
        session.execute(
            update(ConsumerIdentifier)
            .where(ConsumerIdentifier.id.in_(identifier_ids), ConsumerIdentifier.consumer_id == frm)
            .values(consumer_id=to)
        )
    if membership_ids:
        session.execute(
            update(Membership)
            .where(Membership.id.in_(membership_ids), Membership.consumer_id == frm)
            .values(consumer_id=to)
        )


def _record(session: Session, scope: Scope, merge: ConsumerMerge, event: str) -> None:
    details = {"source_id": merge.source_id, "target_id": merge.target_id, **merge.moved}
    audit_service.write(
        session=session,
        scope=scope,
        action=event,
        target_type="consumer",
        target_id=merge.target_id,
        brand_id=None,
        details={**details, "merge_id": merge.id, "reason": merge.reason},
    )
    outbox_service.record(
        session=session,
        brand_id=None,
        type=event,
        resource_type="consumer",
        resource_id=merge.target_id,
        payload={"merge_id": merge.id, **details},
    )


def _record_refusal(
    session: Session, scope: Scope, consumer_id: int, other_id: int, rule: str, reason: str
) -> None:
    audit_service.write(
        session=session,
        scope=scope,
        action="consumer.merge_refused",
        target_type="consumer",
        target_id=consumer_id,
        brand_id=None,
        details={"consumer_id": consumer_id, "other_id": other_id, "rule": rule, "reason": reason},
    )


def refused_merges(*, session: Session, consumer_ids: list[int] | None = None) -> list[AuditEntry]:
    """Recorded refusals (newest last), for the consumers given or all."""
    query = select(AuditEntry).where(AuditEntry.action == "consumer.merge_refused")
    if consumer_ids is not None:
        query = query.where(AuditEntry.target_id.in_([str(c) for c in consumer_ids]))
    return list(session.scalars(query.order_by(AuditEntry.id)))


def merge_consumers(
    *, session: Session, scope: Scope, consumer_id: int, other_id: int, now: datetime | None = None
) -> ConsumerMerge:
    """An operator's merge; the same rules apply as to automatic ones."""
    scope.require(Role.PLATFORM_ADMIN)
    a = live_consumer_id(session=session, consumer_id=consumer_id)
    b = live_consumer_id(session=session, consumer_id=other_id)
    if a is None or b is None:
        raise errors.ConsumerNotFound()
    decision, merge = try_merge(
        session=session, scope=scope, consumer_id=a, other_id=b, reason="operator", now=now
    )
    if merge is None:
        raise errors.MergeRefused(f"These consumers may not be merged ({decision.reason}).")
    return merge


def get_merge(*, session: Session, scope: Scope, merge_id: int) -> ConsumerMerge:
    """Merges are platform records: for anyone else they do not exist."""
    merge = session.get(ConsumerMerge, merge_id)
    if merge is None or not scope.is_platform:
        raise errors.MergeNotFound()
    return merge


def list_merges(
    *, session: Session, scope: Scope, consumer_id: int | None, cursor: str | None, limit: int
) -> tuple[list[ConsumerMerge], str | None]:
    scope.require(Role.PLATFORM_ADMIN)
    query = select(ConsumerMerge)
    if consumer_id is not None:
        query = query.where(
            or_(ConsumerMerge.source_id == consumer_id, ConsumerMerge.target_id == consumer_id)
        )
    return paginate(
        session=session, query=query, id_column=ConsumerMerge.id, cursor=cursor, limit=limit
    )


def undo_merge(
    *, session: Session, scope: Scope, merge_id: int, now: datetime | None = None
) -> ConsumerMerge:
    """Move back exactly what the merge moved and make the absorbed consumer live again."""
    merge = get_merge(session=session, scope=scope, merge_id=merge_id)
    _lock(session, merge.source_id, merge.target_id)
    session.refresh(merge)
    if merge.undone_at is not None:
        raise errors.MergeAlreadyUndone()
    target = session.get(Consumer, merge.target_id, populate_existing=True)
    if target is None or target.merged_into_id is not None:
        raise errors.MergeUndoBlocked()
    _reassign(
        session,
        list(merge.moved.get("identifier_ids", [])),
        list(merge.moved.get("membership_ids", [])),
        frm=merge.target_id,
        to=merge.source_id,
    )
    session.execute(
        update(Consumer).where(Consumer.id == merge.source_id).values(merged_into_id=None)
    )
    merge.undone_at = now or utcnow()
    merge.undone_by = scope.actor_id
    session.flush()
    _record(session, scope, merge, "consumer.merge_undone")
    return merge
