"""Re-targeting at work: geo events of an audience's members near a store become offers.

Each rule reads the warehouse's events with a position past its watermark; a member of its
audience (the stored membership, kept current after each sync) near one of the brand's open
stores gets the offer, once per period: the send row is unique per rule, member and period,
given with the coupon and the message all or none (``audiences.offers``), so a refused offer
(no marketing consent, a limit reached, a coupon run out) leaves nothing behind. The message
is a marketing one: the notifier holds it through the brand's quiet hours.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.analytics.audiences import offers
from newretail.analytics.audiences.models import AudienceMembership
from newretail.analytics.reports.source import Readable, aware
from newretail.analytics.retarget import rules, templates
from newretail.analytics.retarget.models import RetargetRule, RetargetSend
from newretail.kernel.scope import SYSTEM
from newretail.observability import log
from newretail.org import service as org_service

BATCH = 5_000
MAX_STORES = 200
_GEO_EVENTS = (
    "SELECT e.seq, coalesce(p.person_id, e.person_key), e.ts, e.lat, e.lng FROM events e "
    "LEFT JOIN persons p ON p.brand_id = e.brand_id AND p.person_key = e.person_key "
    "WHERE e.brand_id = ? AND e.seq > ? AND e.lat IS NOT NULL AND e.lng IS NOT NULL "
    "ORDER BY e.seq LIMIT ?"
)


def _members_inside(session: Session, audience_id: int) -> dict[str, int]:
    rows = session.execute(
        select(AudienceMembership.person_id, AudienceMembership.member_id).where(
            AudienceMembership.audience_id == audience_id,
            AudienceMembership.left_at.is_(None),
            AudienceMembership.member_id.is_not(None),
        )
    )
    return {person: int(member) for person, member in rows if member is not None}


def _stores(session: Session, brand_id: int) -> list[rules.StorePoint]:
    found, _ = org_service.list_stores(
        session=session,
        scope=SYSTEM,
        cursor=None,
        limit=MAX_STORES,
        brand_id=brand_id,
        status="open",
    )
    return [rules.StorePoint(s.id, s.name, s.lat, s.lng) for s in found]


def run_rule(*, session: Session, warehouse: Readable, rule: RetargetRule, now: datetime) -> int:
    """Look at the rule's new geo events; answers the offers sent."""
    events = warehouse.query(_GEO_EVENTS, [rule.brand_id, rule.watermark, BATCH])
    if not events:
        return 0
    rule.watermark = int(events[-1][0])
    inside = _members_inside(session, rule.audience_id)
    stores = _stores(session, rule.brand_id) if inside else []
    sent = 0
    for seq, person, ts, lat, lng in events:
        at, member_id = aware(ts), inside.get(str(person))
        if member_id is None or not rules.fresh(at, now):
            continue
        if not rules.in_force(at, starts_at=rule.starts_at, ends_at=rule.ends_at):
            continue
        store = rules.nearest_within(float(lat), float(lng), stores, rule.radius_m)
        if store is None:
            continue
        period = rules.period_index(at, starts_at=rule.starts_at, period_hours=rule.period_hours)
        sent += _offer(session, rule, member_id, period, store, int(seq), now)
    session.flush()
    return sent


def _offer(
    session: Session,
    rule: RetargetRule,
    member_id: int,
    period: int,
    store: rules.StorePoint,
    seq: int,
    now: datetime,
) -> int:
    done = select(RetargetSend.id).where(
        RetargetSend.rule_id == rule.id,
        RetargetSend.member_id == member_id,
        RetargetSend.period_index == period,
    )
    if session.scalar(done) is not None:
        return 0
    consumers = offers.consumers_of(session=session, brand_id=rule.brand_id, member_ids=[member_id])
    if member_id not in consumers:
        return 0
    given = offers.give(
        session=session,
        offer=offers.Offer(
            brand_id=rule.brand_id,
            coupon_template_id=rule.coupon_template_id,
            template=rule.template,
            variables=templates.variables(rule.variables, store.name),
        ),
        member_id=member_id,
        consumer_id=consumers[member_id],
        send_row=RetargetSend(
            rule_id=rule.id,
            brand_id=rule.brand_id,
            member_id=member_id,
            period_index=period,
            store_id=store.store_id,
            event_seq=seq,
            sent_at=now,
        ),
        dedupe_key=f"retarget:{rule.id}:{member_id}:{period}",
        now=now,
    )
    if given.refused is not None:
        log.info(
            "retarget_offer_skipped", rule_id=rule.id, member_id=member_id, reason=given.refused
        )
        return 0
    return 1


def run_due(*, session: Session, warehouse: Readable, now: datetime) -> int:
    """Every active rule in force; answers the offers sent."""
    query = select(RetargetRule).where(RetargetRule.active.is_(True), RetargetRule.starts_at <= now)
    sent = 0
    for rule in session.scalars(query.order_by(RetargetRule.id)).all():
        if rule.ends_at is None or rule.ends_at > now:
            sent += run_rule(session=session, warehouse=warehouse, rule=rule, now=now)
    return sent


def any_active(*, session: Session) -> bool:
    found = session.scalar(select(RetargetRule.id).where(RetargetRule.active.is_(True)).limit(1))
    return found is not None
