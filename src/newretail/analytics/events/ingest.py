"""Keeping a batch of events: each judged alone, the batch's database checks done once,
the kept rows written in one bulk insert that skips messageIds already there.

``ingest`` is the one way in: the HTTP endpoint, the platform's own events (outbox) and the
simulator's bulk generator all go through it, so replaying any of them changes nothing.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from newretail.analytics.events import validate
from newretail.analytics.events.models import AnalyticsEvent, RejectedEvent
from newretail.analytics.events.rules import Clock, Reject
from newretail.analytics.events.schemas import BatchResult, RejectRead
from newretail.analytics.events.validate import Judged, Refusal, Sender
from newretail.config import Settings
from newretail.kernel import bulk
from newretail.members import service as members_service
from newretail.members.rules import IdentifierKind
from newretail.org import service as org_service

EVENTS = cast(Table, AnalyticsEvent.__table__)
REJECTS = cast(Table, RejectedEvent.__table__)
DEDUPE = EVENTS.c.dedupe_key


def clock_of(settings: Settings, received_at: datetime) -> Clock:
    return Clock(
        received_at=received_at,
        max_future=timedelta(seconds=settings.events_max_future_seconds),
        max_age=timedelta(days=settings.events_max_age_days),
    )


def ingest(
    *,
    session: Session,
    sender: Sender,
    events: Sequence[Any],
    clock: Clock,
    batch_sent_at: datetime | None = None,
    link_identities: bool = True,
) -> BatchResult:
    """Keep the valid events of a batch, quarantine the others; say what became of each."""
    judged: list[Judged] = []
    refused: list[Refusal] = []
    for index, raw in enumerate(events):
        verdict = validate.judge(
            index, raw, sender=sender, clock=clock, batch_sent_at=batch_sent_at
        )
        if isinstance(verdict, Judged):
            judged.append(verdict)
        else:
            refused.append(verdict)
    judged = _foreign_stores_refused(session, sender.brand_id, judged, refused)
    members = _members(session, sender.brand_id, judged)
    judged = _unknown_members_refused(judged, members, refused)
    if link_identities:
        _link(session, judged, members, clock.received_at)
    kept = _consenting(session, sender.brand_id, judged, members)
    written = bulk.insert_rows(session, EVENTS, [j.row for j in kept], skip_taken=DEDUPE)
    _quarantine(session, sender.brand_id, refused, clock.received_at)
    return BatchResult(
        accepted=written,
        duplicates=len(kept) - written,
        no_consent=len(judged) - len(kept),
        rejected=[
            RejectRead(index=r.index, message_id=r.message_id, code=r.code.value, detail=r.detail)
            for r in sorted(refused, key=lambda r: r.index)
        ],
    )


def _refuse(judged: Judged, code: Reject, detail: str) -> Refusal:
    row = judged.row
    payload = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
    return Refusal(judged.index, row["message_id"], row["event"], code, detail, payload)


def _foreign_stores_refused(
    session: Session, brand_id: int, judged: list[Judged], refused: list[Refusal]
) -> list[Judged]:
    named = {j.row["store_id"] for j in judged if j.row["store_id"] is not None}
    if not named:
        return judged
    own = set(org_service.store_ids_by_code(session=session, brand_id=brand_id).values())
    ok = []
    for j in judged:
        if j.row["store_id"] is not None and j.row["store_id"] not in own:
            refused.append(_refuse(j, Reject.FOREIGN_STORE, "The store is not one of the brand's."))
        else:
            ok.append(j)
    return ok


def _members(
    session: Session, brand_id: int, judged: list[Judged]
) -> dict[int, members_service.MemberFacts]:
    ids = {j.member_id for j in judged if j.member_id is not None}
    facts: dict[int, members_service.MemberFacts] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        facts.update(
            members_service.member_facts(
                session=session, brand_id=brand_id, member_ids=ordered[start : start + 500]
            )
        )
    return facts


def _unknown_members_refused(
    judged: list[Judged], members: dict[int, Any], refused: list[Refusal]
) -> list[Judged]:
    ok = []
    for j in judged:
        if j.member_id is not None and j.member_id not in members:
            refused.append(_refuse(j, Reject.UNKNOWN_MEMBER, "No member of the brand has this id."))
        else:
            ok.append(j)
    return ok


def _consenting(
    session: Session,
    brand_id: int,
    judged: list[Judged],
    members: dict[int, members_service.MemberFacts],
) -> list[Judged]:
    """The events to keep: none of a member who refuses analytics, nor of an anonymous id
    such a member holds (linked just now, if this batch showed it to be theirs)."""
    anonymous = {j.row["anonymous_id"] for j in judged if j.member_id is None}
    refusing = members_service.held_by_refusers(
        session=session, brand_id=brand_id, anonymous_ids=anonymous - {None}
    )
    return [
        j
        for j in judged
        if (
            members[j.member_id].analytics_consent
            if j.member_id is not None
            else j.row["anonymous_id"] not in refusing
        )
    ]


def _quarantine(
    session: Session, brand_id: int, refused: list[Refusal], received_at: datetime
) -> None:
    rows = [
        {
            "brand_id": brand_id,
            "message_id": (r.message_id or "")[:128] or None,
            "event": (r.event or "")[:64] or None,
            "code": r.code.value,
            "detail": r.detail[:500],
            "payload": r.payload,
            "received_at": received_at,
        }
        for r in refused
    ]
    bulk.insert_rows(session, REJECTS, rows)


def _link(
    session: Session,
    judged: list[Judged],
    members: dict[int, members_service.MemberFacts],
    now: datetime,
) -> None:
    """Identifiers seen together are one person's, as far as the merge rules allow.

    With a member: the event's anonymous id, device and union id are the member's, whether
    or not they consent to analytics (so that their anonymous events are known as theirs,
    and not kept when they refuse). Without:
    an anonymous id seen with a device, union id or phone is the consumer holding one of
    them (one is made if none does), so a known union id or phone brings the anonymous
    visitor to its member.
    """
    links: set[tuple[int, IdentifierKind, str]] = set()
    groups: set[tuple[tuple[IdentifierKind, str], ...]] = set()
    for j in judged:
        seen = _identifiers(j)
        if j.member_id is not None:
            consumer_id = members[j.member_id].consumer_id
            links |= {(consumer_id, kind, value) for kind, value in seen}
        elif len(seen) > 1:
            groups.add(tuple(sorted(seen)))
    members_service.link_seen(session=session, links=links, now=now)
    for group in sorted(groups):
        members_service.identify(session=session, identifiers=list(group), now=now)


def _identifiers(j: Judged) -> list[tuple[IdentifierKind, str]]:
    seen = []
    if j.row["anonymous_id"]:
        seen.append((IdentifierKind.ANONYMOUS, str(j.row["anonymous_id"])))
    device = j.row["properties"].get("device_id")
    if device:
        seen.append((IdentifierKind.DEVICE, str(device)))
    if j.union_id:
        seen.append((IdentifierKind.UNION_ID, j.union_id))
    if j.phone:
        seen.append((IdentifierKind.PHONE, j.phone))
    return seen
