"""Who is in an audience: recomputed from the warehouse, kept with entered and left times.

The worker recomputes every audience after each warehouse sync (``refresh_stale``); a brand
admin may ask for it at once (``refresh``). Readers (targets for coupons, guide tasks and
messages; the export) read the stored membership, never the warehouse.
"""

from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from newretail.analytics.audiences.definitions import get_audience, rule_of
from newretail.analytics.audiences.models import Audience, AudienceMembership
from newretail.analytics.audiences.query import audience_people
from newretail.analytics.audiences.rules import Changes, Who, changes
from newretail.analytics.reports.access import analysed_brand
from newretail.analytics.reports.source import Readable, aware
from newretail.kernel.scope import Scope


def _inside(session: Session, audience_id: int) -> dict[str, AudienceMembership]:
    rows = session.scalars(
        select(AudienceMembership).where(
            AudienceMembership.audience_id == audience_id, AudienceMembership.left_at.is_(None)
        )
    )
    return {row.person_id: row for row in rows}


def recompute(
    *, session: Session, warehouse: Readable, audience: Audience, now: datetime
) -> Changes:
    """Bring the stored membership in line with the rule as of ``now``."""
    current = audience_people(warehouse, rule_of(audience), brand_id=audience.brand_id, now=now)
    inside = _inside(session, audience.id)
    found = changes(current, {p: Who(r.member_id, r.marketing_consent) for p, r in inside.items()})
    session.add_all(
        AudienceMembership(
            audience_id=audience.id,
            brand_id=audience.brand_id,
            person_id=person,
            member_id=who.member_id,
            marketing_consent=who.marketing_consent,
            entered_at=now,
        )
        for person, who in found.entered.items()
    )
    for person, who in found.stayed.items():
        inside[person].member_id = who.member_id
        inside[person].marketing_consent = who.marketing_consent
    if found.left:
        session.execute(
            update(AudienceMembership)
            .where(
                AudienceMembership.audience_id == audience.id,
                AudienceMembership.left_at.is_(None),
                AudienceMembership.person_id.in_(found.left),
            )
            .values(left_at=now)
        )
    audience.size = len(current)
    audience.computed_at = now
    session.flush()
    return found


def refresh(
    *, session: Session, scope: Scope, warehouse: Readable, audience_id: int, now: datetime
) -> Audience:
    audience = get_audience(session=session, scope=scope, audience_id=audience_id)
    analysed_brand(scope, audience.brand_id)
    recompute(session=session, warehouse=warehouse, audience=audience, now=now)
    return audience


def last_synced(warehouse: Readable) -> datetime | None:
    """When the warehouse last took in new rows."""
    rows = warehouse.query("SELECT max(synced_at) FROM sync_state", [])
    value = rows[0][0] if rows else None
    return None if value is None else aware(value)


def any_live_audience(*, session: Session) -> bool:
    return (
        session.scalar(select(Audience.id).where(Audience.archived_at.is_(None)).limit(1))
        is not None
    )


def refresh_stale(*, session: Session, warehouse: Readable, now: datetime) -> int:
    """Recompute every live audience not computed since the warehouse's last sync."""
    synced = last_synced(warehouse)
    stale = select(Audience).where(Audience.archived_at.is_(None))
    done = 0
    for audience in session.scalars(stale.order_by(Audience.id)).all():
        if audience.computed_at is None or (synced is not None and audience.computed_at < synced):
            recompute(session=session, warehouse=warehouse, audience=audience, now=now)
            done += 1
    return done


def current_members(
    *, session: Session, scope: Scope, audience_id: int
) -> list[AudienceMembership]:
    audience = get_audience(session=session, scope=scope, audience_id=audience_id)
    rows = session.scalars(
        select(AudienceMembership)
        .where(AudienceMembership.audience_id == audience.id, AudienceMembership.left_at.is_(None))
        .order_by(AudienceMembership.person_id)
    )
    return list(rows)


def history(*, session: Session, scope: Scope, audience_id: int) -> list[AudienceMembership]:
    """Every entry and exit, oldest first."""
    audience = get_audience(session=session, scope=scope, audience_id=audience_id)
    rows = session.scalars(
        select(AudienceMembership)
        .where(AudienceMembership.audience_id == audience.id)
        .order_by(AudienceMembership.entered_at, AudienceMembership.id)
    )
    return list(rows)


def _targets(audience_id: int, marketing: bool) -> Select[int | None]:
    """The member ids now in the audience (people without a membership are never targets:
    they have no member id); ``marketing``: only those who accept marketing."""
    query = select(AudienceMembership.member_id).where(
        AudienceMembership.audience_id == audience_id,
        AudienceMembership.left_at.is_(None),
        AudienceMembership.member_id.is_not(None),
    )
    return query.where(AudienceMembership.marketing_consent.is_(True)) if marketing else query


def target_member_ids(
    *, session: Session, scope: Scope, audience_id: int, marketing: bool = True
) -> list[int]:
    """The members now in the audience, to send coupons, guide tasks or messages to.

    ``marketing`` keeps only those who accept marketing.
    """
    audience = get_audience(session=session, scope=scope, audience_id=audience_id)
    query = _targets(audience.id, marketing).order_by(AudienceMembership.member_id)
    return [int(member) for member in session.scalars(query) if member is not None]


def count_targets(*, session: Session, audience_id: int) -> int:
    """How many members now in the audience accept marketing (each once)."""
    members = _targets(audience_id, marketing=True).distinct().subquery()
    return int(session.scalar(select(func.count()).select_from(members)) or 0)


def targets_after(*, session: Session, audience_id: int, after: int, limit: int) -> list[int]:
    """The next ``limit`` members now in the audience who accept marketing, by id, after
    ``after`` (each once): a large audience walked a part at a time."""
    query = (
        _targets(audience_id, marketing=True)
        .where(AudienceMembership.member_id > after)
        .distinct()
        .order_by(AudienceMembership.member_id)
        .limit(limit)
    )
    return [int(member) for member in session.scalars(query) if member is not None]
