"""What the warehouse copies from the transactional database, read in bulk, read-only.

This is an extract, not a use case: it reads the orders' and memberships' tables directly,
a page of rows per query, because a service call per row would load the transactional
database with exactly the work the warehouse exists to take off it.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from newretail.analytics.events.models import AnalyticsEvent
from newretail.members.access import active_binding
from newretail.members.models import MemberBinding, Membership
from newretail.orders.models import Order

E = AnalyticsEvent


def event_rows(session: Session, *, after: int, limit: int) -> list[tuple[Any, ...]]:
    """Events past the watermark, in id order, as warehouse ``events`` rows."""
    rows = session.execute(
        select(
            E.brand_id, E.id, E.message_id, E.event, E.channel, E.person_key, E.ts,
            E.received_at, E.store_id, E.district_id, E.guide_id, E.popup_id, E.code,
            E.campaign, E.lat, E.lng, E.order_id, E.revenue_fen, E.properties,
        )
        .where(E.id > after)
        .order_by(E.id)
        .limit(limit)
    )  # fmt: skip
    return [tuple(r) for r in rows]


def signed_in_anonymous_ids(session: Session, *, after: int, upto: int) -> set[tuple[int, str]]:
    """(brand, anonymous id) of the events in (after, upto] that named a member too: those
    anonymous ids may have become the member without any merge."""
    rows = session.execute(
        select(E.brand_id, E.anonymous_id)
        .where(E.id > after, E.id <= upto, E.user_id.is_not(None), E.anonymous_id.is_not(None))
        .distinct()
    )
    return {(brand_id, anonymous_id) for brand_id, anonymous_id in rows if anonymous_id}


def _order_key(member_id: int | None, consumer_id: int | None, order_id: int) -> str:
    if member_id is not None:
        return f"member:{member_id}"
    if consumer_id is not None:
        return f"consumer:{consumer_id}"
    return f"anon:order-{order_id}"


def order_rows(
    session: Session, *, after: int, changed_since: datetime | None, limit: int
) -> list[tuple[Any, ...]]:
    """Orders past the watermark, and those changed since the last copy (paid, refunded)."""
    changed = Order.id > after
    if changed_since is not None:
        changed = or_(changed, Order.updated_at >= changed_since)
    rows = session.execute(
        select(
            Order.brand_id, Order.id, Order.member_id, Order.consumer_id, Order.channel,
            Order.store_id, Order.referring_guide_id, Order.bound_guide_id, Order.created_at,
            Order.paid_at, Order.total, Order.status,
        )
        .where(changed)
        .order_by(Order.id)
        .limit(limit)
    )  # fmt: skip
    return [
        (b, oid, oid, _order_key(mid, cid, oid), mid, ch, store, ref or bound, at, paid, total, st)
        for b, oid, mid, cid, ch, store, ref, bound, at, paid, total, st in rows
    ]


def member_rows(
    session: Session, *, after: int, changed_since: datetime | None, limit: int, now: datetime
) -> list[tuple[Any, ...]]:
    """Members past the watermark, and those whose consents changed since the last copy."""
    changed = Membership.id > after
    if changed_since is not None:
        changed = or_(changed, Membership.consent_updated_at >= changed_since)
    members = session.execute(
        select(
            Membership.brand_id, Membership.id, Membership.join_store_id, Membership.joined_at,
            Membership.consent_analytics, Membership.consent_marketing,
        )
        .where(changed)
        .order_by(Membership.id)
        .limit(limit)
    ).all()  # fmt: skip
    guides = _guides(session, [m[1] for m in members], now)
    return [
        (brand, mid, f"member:{mid}", store, guides.get(mid), joined, analytics, marketing)
        for brand, mid, store, joined, analytics, marketing in members
    ]


def _guides(session: Session, member_ids: Sequence[int], now: datetime) -> dict[int, int]:
    found: dict[int, int] = {}
    for start in range(0, len(member_ids), 500):
        rows = session.execute(
            select(MemberBinding.membership_id, MemberBinding.guide_id).where(
                MemberBinding.membership_id.in_(member_ids[start : start + 500]),
                MemberBinding.guide_id.is_not(None),
                active_binding(now),
            )
        )
        found.update({mid: gid for mid, gid in rows if gid is not None})
    return found
