"""Members' wallets: claiming coupons, listing them, and the expiry job.

A claim passes three limits: the member's own (``per_member_limit``), the template's
quantity and its budget (each coupon holds its face value against it). Each is a guarded
UPDATE whose WHERE clause is the limit, so two claims for the last coupon never both pass:
on PostgreSQL the second waits for the first row lock and re-checks the guard; on SQLite
writers queue. The member's counter row is updated before the template's, which every
claimant shares (the hot row last: its lock is held for the shortest time). A refused
guard raises, and the request's transaction rolls back whatever the claim had done.
"""

from datetime import datetime, timedelta

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.kernel import upserts, visibility
from newretail.kernel.scope import Role, Scope
from newretail.members import service as members_service
from newretail.members.models import Membership
from newretail.promotions import errors
from newretail.promotions.definitions import get_template
from newretail.promotions.discounts import Kind, face_value
from newretail.promotions.models import (
    USABLE,
    ClaimChannel,
    Coupon,
    CouponClaimCount,
    CouponStatus,
    CouponTemplate,
    Status,
)
from newretail.promotions.schemas import ClaimCreate
from newretail.promotions.shapes import terms_of

COUPONS = visibility.Ladder(brand=Coupon.brand_id, consumers=(Coupon.consumer_id,))
ISSUERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER, Role.GUIDE)
C = ClaimChannel
CONSUMER_CHANNELS = (C.CLOUD_STORE, C.CODE_SCAN, C.DISTRICT_PAGE)
STAFF_CHANNELS = (C.GUIDE_PUSH, C.POS, C.CODE_SCAN)
_NO_SYNC = {"synchronize_session": False}


def claim(
    *, session: Session, scope: Scope, data: ClaimCreate, now: datetime | None = None
) -> Coupon:
    """Put one coupon of a template in a member's wallet, within every limit."""
    channel = _channel(scope, data.channel)
    template, member = _template_and_member(session, scope, data)
    if template.kind == Kind.PAID.value:
        raise errors.ClaimClosed("A paid voucher is bought, not claimed.")
    return issue(
        session=session, template=template, member=member, now=now or utcnow(), channel=channel
    )


def _channel(scope: Scope, asked: ClaimChannel | None) -> ClaimChannel:
    """The claim's channel: what the caller says, among those open to them."""
    allowed = CONSUMER_CHANNELS if scope.actor_type == "consumer" else STAFF_CHANNELS
    if asked is None:
        return allowed[0]
    if asked not in allowed:
        raise errors.ChannelNotAllowed(f"{asked.value} is not a channel open to this caller.")
    return asked


def issue(
    *,
    session: Session,
    template: CouponTemplate,
    member: Membership,
    now: datetime,
    channel: ClaimChannel,
    package_claim_id: int | None = None,
) -> Coupon:
    """One coupon of ``template`` for ``member``, past the member's limit and then the
    template's quantity and budget (guarded); ``ClaimClosed`` outside its claim window."""
    check_open(template, now)
    if template.per_member_limit is not None:
        count_member_claims(session, template, member.id)
    count_issue(session, template)
    coupon = new_coupon(template, member, now, channel)
    coupon.package_claim_id = package_claim_id
    session.add(coupon)
    session.flush()
    return coupon


def check_open(template: CouponTemplate, now: datetime) -> None:
    """``ClaimClosed`` unless coupons of ``template`` may be issued at ``now``."""
    if template.status != Status.ACTIVE.value or not _claimable(template, now):
        raise errors.ClaimClosed()
    if _validity(template, now)[1] <= now:
        raise errors.ClaimClosed("The coupons of this template are no longer valid.")


def _validity(template: CouponTemplate, now: datetime) -> tuple[datetime, datetime]:
    valid_from = template.valid_from or now
    return valid_from, template.valid_until or now + timedelta(days=template.valid_days or 0)


def new_coupon(
    template: CouponTemplate, member: Membership, now: datetime, channel: ClaimChannel
) -> Coupon:
    """A coupon row for a claim already counted against every limit (not yet added)."""
    valid_from, valid_until = _validity(template, now)
    return Coupon(
        brand_id=template.brand_id,
        template_id=template.id,
        membership_id=member.id,
        consumer_id=member.consumer_id,
        valid_from=valid_from,
        valid_until=valid_until,
        claimed_at=now,
        channel=channel.value,
    )


def _own_consumer(session: Session, scope: Scope) -> int:
    found = members_service.live_consumer_id(session=session, consumer_id=scope.actor_id or 0)
    if found is None:
        raise errors.MemberRequired()
    return found


def _claimable(template: CouponTemplate, now: datetime) -> bool:
    return template.starts_at <= now and (template.ends_at is None or now < template.ends_at)


def _template_and_member(
    session: Session, scope: Scope, data: ClaimCreate
) -> tuple[CouponTemplate, Membership]:
    if scope.actor_type == "consumer":
        template = session.get(CouponTemplate, data.template_id)
        if template is None:
            raise errors.TemplateNotFound()
        consumer_id = _own_consumer(session, scope)
        member = members_service.find_membership(
            session=session, brand_id=template.brand_id, consumer_id=consumer_id
        )
        if member is None:
            raise errors.MemberRequired()
        return template, member
    scope.require(*ISSUERS)
    if data.member_id is None:
        raise errors.MemberRequired("Say which member the coupon is for (member_id).")
    template = get_template(session=session, scope=scope, template_id=data.template_id)
    member = members_service.get_brand_member(
        session=session, scope=scope, member_id=data.member_id
    )
    if member.brand_id != template.brand_id:
        raise errors.MemberRequired()
    return template, member


def count_member_claims(
    session: Session, template: CouponTemplate, member_id: int, count: int = 1
) -> None:
    """``count`` more coupons of ``template`` for the member, within their limit (guarded)."""
    session.execute(
        upserts.insert(session, CouponClaimCount)
        .values(template_id=template.id, membership_id=member_id, claimed=0)
        .on_conflict_do_nothing(index_elements=["template_id", "membership_id"])
    )
    counted = session.execute(
        update(CouponClaimCount)
        .where(
            CouponClaimCount.template_id == template.id,
            CouponClaimCount.membership_id == member_id,
            CouponClaimCount.claimed + count <= template.per_member_limit,
        )
        .values(claimed=CouponClaimCount.claimed + count)
        .returning(CouponClaimCount.claimed)
        .execution_options(**_NO_SYNC)
    ).first()
    if counted is None:
        raise errors.MemberLimitReached()


def count_issue(session: Session, template: CouponTemplate, count: int = 1) -> None:
    """``count`` more coupons of ``template``, within its quantity and budget (guarded)."""
    face = (face_value(terms_of(template.kind, template.terms)) or 0) * count
    t = CouponTemplate
    issued = session.execute(
        update(t)
        .where(
            t.id == template.id,
            t.status == Status.ACTIVE.value,
            (t.total_quantity.is_(None)) | (t.issued + count <= t.total_quantity),
            (t.budget.is_(None)) | (t.budget_used + face <= t.budget),
        )
        .values(issued=t.issued + count, budget_used=t.budget_used + face)
        .returning(t.issued, t.total_quantity, t.budget_used, t.budget)
        .execution_options(**_NO_SYNC)
    ).first()
    if issued is not None:
        return
    session.refresh(template)
    if template.total_quantity is not None and template.issued + count > template.total_quantity:
        raise errors.CouponsExhausted()
    if template.budget is not None and template.budget_used + face > template.budget:
        raise errors.BudgetExhausted()
    raise errors.ClaimClosed()


def uncount_issue(session: Session, coupon: Coupon) -> None:
    """A voided coupon's place given back: its template's quantity and budget, and its
    member's claim count, each guarded never to go below nothing (buying a voucher back
    returns it, as a sold item returns to stock)."""
    template = session.get(CouponTemplate, coupon.template_id)
    if template is None:
        return
    face = face_value(terms_of(template.kind, template.terms)) or 0
    t = CouponTemplate
    session.execute(
        update(t)
        .where(t.id == template.id, t.issued >= 1, t.budget_used >= face)
        .values(issued=t.issued - 1, budget_used=t.budget_used - face)
        .execution_options(**_NO_SYNC)
    )
    c = CouponClaimCount
    session.execute(
        update(c)
        .where(
            c.template_id == template.id,
            c.membership_id == coupon.membership_id,
            c.claimed >= 1,
        )
        .values(claimed=c.claimed - 1)
        .execution_options(**_NO_SYNC)
    )
    session.refresh(template)


def wallet_query(*, session: Session, scope: Scope, member_id: int | None) -> Select[Coupon]:
    """A consumer's own coupons, or (staff) a member's."""
    if scope.actor_type == "consumer":
        consumer_id = _own_consumer(session, scope)
        return visibility.restrict(select(Coupon), scope, COUPONS, consumer_id=consumer_id)
    if member_id is None:
        raise errors.MemberRequired("Say whose wallet (member_id).")
    member = members_service.get_brand_member(session=session, scope=scope, member_id=member_id)
    return visibility.restrict(select(Coupon), scope, COUPONS).where(
        Coupon.membership_id == member.id
    )


def list_wallet(
    *,
    session: Session,
    scope: Scope,
    member_id: int | None = None,
    brand_id: int | None = None,
    status: CouponStatus | None = None,
) -> list[Coupon]:
    query = wallet_query(session=session, scope=scope, member_id=member_id)
    if brand_id is not None:
        query = query.where(Coupon.brand_id == brand_id)
    if status is not None:
        query = query.where(Coupon.status == status.value)
    return list(session.scalars(query.order_by(Coupon.valid_until, Coupon.id).limit(500)))


def expire_coupons_job(database: Database, settings: Settings) -> int:
    """Worker job: one round of coupon expiry in its own transaction."""
    with database.transaction() as session:
        return expire_coupons(session=session)


def expire_coupons(*, session: Session, now: datetime | None = None) -> int:
    """Worker job: coupons past their validity that were never used become expired."""
    now = now or utcnow()
    result = session.execute(
        update(Coupon)
        .where(Coupon.status.in_(USABLE), Coupon.valid_until <= now)
        .values(status=CouponStatus.EXPIRED.value, expired_at=now)
        .execution_options(**_NO_SYNC)
    )
    return int(getattr(result, "rowcount", 0) or 0)
