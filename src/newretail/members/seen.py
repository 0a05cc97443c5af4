"""Identities seen together in collected events, for the data bank: which member an event
names, identifiers linked in bulk through the same merge rules (``identity.link_identifier``,
``merges``), who each anonymous id or consumer is now for a brand's analytics, and which
anonymous ids are members' who refuse analytics (their events are not kept).
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel import upserts
from newretail.kernel.scope import SYSTEM
from newretail.members.access import live_consumer_id
from newretail.members.identity import link_identifier, live_consumer
from newretail.members.models import Consumer, ConsumerIdentifier, ConsumerMerge, Membership
from newretail.members.rules import IdentifierKind


@dataclass(frozen=True)
class MemberFacts:
    consumer_id: int
    analytics_consent: bool


def member_facts(
    *, session: Session, brand_id: int, member_ids: Collection[int]
) -> dict[int, MemberFacts]:
    """The brand's members among ``member_ids``: their consumer and analytics consent."""
    rows = session.execute(
        select(Membership.id, Membership.consumer_id, Membership.consent_analytics).where(
            Membership.brand_id == brand_id, Membership.id.in_(list(member_ids))
        )
    )
    return {mid: MemberFacts(cid, bool(consent)) for mid, cid, consent in rows}


def link_seen(
    *,
    session: Session,
    links: Iterable[tuple[int, IdentifierKind, str]],
    now: datetime | None = None,
) -> int:
    """Attach identifiers seen with a known consumer (an anonymous id signing in, a device).

    One lookup for all of them; only an identifier that is new, or held by another consumer,
    goes through ``link_identifier`` (and so through the merge rules). A merge the rules
    refuse is recorded. Returns how many identifiers changed hands or were added.
    """
    wanted = {(consumer_id, kind, value) for consumer_id, kind, value in links}
    if not wanted:
        return 0
    now = now or utcnow()
    holders = _holders(session, {(kind.value, value) for _, kind, value in wanted})
    ordered = sorted(wanted, key=lambda w: (w[0], w[1].value, w[2]))
    fresh: dict[tuple[str, str], int] = {}
    for consumer_id, kind, value in ordered:
        if (kind.value, value) not in holders:
            fresh.setdefault((kind.value, value), consumer_id)
    _add_fresh(session, fresh, now)
    holders.update(_holders(session, set(fresh)))
    changed = sum(holders.get(key) == cid for key, cid in fresh.items())
    for consumer_id, kind, value in ordered:
        if holders.get((kind.value, value)) == consumer_id:
            continue
        holder = link_identifier(
            session=session,
            scope=SYSTEM,
            consumer_id=live_consumer(session, consumer_id),
            kind=kind,
            value=value,
            now=now,
            record_refusal=True,
        )
        holders[(kind.value, value)] = holder
        changed += 1
    return changed


def _add_fresh(session: Session, fresh: dict[tuple[str, str], int], now: datetime) -> None:
    """Identifiers nobody holds yet, added in one statement (a racing holder wins, no error).

    Only for live consumers: one merged away since gets its identifier through the merge
    rules below instead.
    """
    live = set(
        session.scalars(
            select(Consumer.id).where(
                Consumer.id.in_(set(fresh.values())), Consumer.merged_into_id.is_(None)
            )
        )
    )
    rows = [
        {"consumer_id": cid, "kind": kind, "value": value, "verified": False, "created_at": now}
        for (kind, value), cid in fresh.items()
        if cid in live
    ]
    for start in range(0, len(rows), 500):
        statement = upserts.insert(session, ConsumerIdentifier).values(rows[start : start + 500])
        session.execute(statement.on_conflict_do_nothing(index_elements=["kind", "value"]))


def _holders(session: Session, identifiers: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    by_kind: dict[str, list[str]] = {}
    for kind, value in identifiers:
        by_kind.setdefault(kind, []).append(value)
    for kind, values in by_kind.items():
        for start in range(0, len(values), 500):
            rows = session.execute(
                select(ConsumerIdentifier.value, ConsumerIdentifier.consumer_id).where(
                    ConsumerIdentifier.kind == kind,
                    ConsumerIdentifier.value.in_(values[start : start + 500]),
                )
            )
            found.update({(kind, value): cid for value, cid in rows})
    return found


def persons_of_anonymous_ids(
    *, session: Session, brand_id: int, anonymous_ids: Collection[str]
) -> dict[str, str]:
    """Who each known anonymous id is now, for the brand's analytics.

    ``member:<id>`` when the consumer holding it is a member of the brand, else
    ``consumer:<id>``; an id no consumer holds is absent (it is a person of its own).
    Identifiers move with merges and back with undo, so this always follows the merge log.
    """
    holders = _holders(session, {(IdentifierKind.ANONYMOUS.value, a) for a in anonymous_ids})
    consumer_ids = sorted(set(holders.values()))
    members: dict[int, int] = {}
    for start in range(0, len(consumer_ids), 500):
        rows = session.execute(
            select(Membership.consumer_id, Membership.id).where(
                Membership.brand_id == brand_id,
                Membership.consumer_id.in_(consumer_ids[start : start + 500]),
            )
        )
        members.update({cid: mid for cid, mid in rows})
    return {
        value: f"member:{members[cid]}" if cid in members else f"consumer:{cid}"
        for (_, value), cid in holders.items()
    }


def persons_of_consumers(
    *, session: Session, brand_id: int, consumer_ids: Collection[int]
) -> dict[int, str]:
    """Who each consumer is now for the brand's analytics (after merges): as above."""
    persons: dict[int, str] = {}
    for consumer_id in sorted(set(consumer_ids)):
        live = live_consumer_id(session=session, consumer_id=consumer_id)
        if live is None:
            continue
        member = session.scalar(
            select(Membership.id).where(
                Membership.brand_id == brand_id, Membership.consumer_id == live
            )
        )
        persons[consumer_id] = f"member:{member}" if member is not None else f"consumer:{live}"
    return persons


def touched_consumers(
    *,
    session: Session,
    merges_after: int,
    undone_since: datetime | None,
    member_ids: Collection[int],
) -> tuple[int, set[int]]:
    """Consumers who may be someone else now: merged after ``merges_after``, parted since
    ``undone_since``, or holding one of ``member_ids`` (just joined); and the last merge id."""
    changed = ConsumerMerge.id > merges_after
    if undone_since is not None:
        changed = or_(changed, ConsumerMerge.undone_at >= undone_since)
    consumers: set[int] = set()
    for source, target in session.execute(
        select(ConsumerMerge.source_id, ConsumerMerge.target_id).where(changed)
    ):
        consumers |= {source, target}
    ordered = sorted(set(member_ids))
    for start in range(0, len(ordered), 500):
        consumers |= set(
            session.scalars(
                select(Membership.consumer_id).where(
                    Membership.id.in_(ordered[start : start + 500])
                )
            )
        )
    last = session.scalar(select(func.max(ConsumerMerge.id))) or 0
    return int(last), consumers


def anonymous_ids_of(*, session: Session, consumer_ids: Collection[int]) -> set[str]:
    """The anonymous ids the consumers hold now."""
    ordered = sorted(set(consumer_ids))
    found: set[str] = set()
    for start in range(0, len(ordered), 500):
        found |= set(
            session.scalars(
                select(ConsumerIdentifier.value).where(
                    ConsumerIdentifier.kind == IdentifierKind.ANONYMOUS.value,
                    ConsumerIdentifier.consumer_id.in_(ordered[start : start + 500]),
                )
            )
        )
    return found


def held_by_refusers(
    *, session: Session, brand_id: int, anonymous_ids: Collection[str]
) -> set[str]:
    """The anonymous ids held by a member of the brand who refuses analytics."""
    ordered = sorted(set(anonymous_ids))
    found: set[str] = set()
    for start in range(0, len(ordered), 500):
        found |= set(
            session.scalars(
                select(ConsumerIdentifier.value)
                .join(Membership, Membership.consumer_id == ConsumerIdentifier.consumer_id)
                .where(
                    ConsumerIdentifier.kind == IdentifierKind.ANONYMOUS.value,
                    ConsumerIdentifier.value.in_(ordered[start : start + 500]),
                    Membership.brand_id == brand_id,
                    Membership.consent_analytics.is_(False),
                )
            )
        )
    return found


def refusers_identified(*, session: Session, after: int) -> tuple[int, set[tuple[int, int, str]]]:
    """Anonymous ids attached since identifier ``after`` to a member who refuses analytics,
    as (brand, member, anonymous id), and the last identifier's id.

    Attached however: an event that named the member, a sign-in, a link by hand. Ids that
    moved with a merge keep their number; ``touched_consumers`` finds those.
    """
    last = int(session.scalar(select(func.max(ConsumerIdentifier.id))) or 0)
    rows = session.execute(
        select(Membership.brand_id, Membership.id, ConsumerIdentifier.value)
        .join(Membership, Membership.consumer_id == ConsumerIdentifier.consumer_id)
        .where(
            ConsumerIdentifier.id > after,
            ConsumerIdentifier.id <= last,
            ConsumerIdentifier.kind == IdentifierKind.ANONYMOUS.value,
            Membership.consent_analytics.is_(False),
        )
    )
    return last, {(brand_id, member_id, value) for brand_id, member_id, value in rows}
