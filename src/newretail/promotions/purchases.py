"""Paid vouchers: a member buys a coupon worth ``amount`` for ``price``.

The coupon is counted against the template's limits first (the claim's guarded UPDATEs),
then the price is charged by ``charge`` inside the same transaction (the caller's: the
cloud store page charges through the payments sandbox; promotions sit below payments and
never import it). A declined or unconfirmed charge raises and the transaction rolls the
coupon back, so nothing is issued unpaid and nothing is over-issued.
The coupon records what was paid (``price_paid``) next to its face value, so settlement
sees the funder's real cost: the face value it takes off an order less the price, and the
payment that bought it (``payment_ref``, "provider:reference").

``buy_back``: an unused paid voucher (claimed, or back in the wallet) is voided by one
guarded UPDATE and its price given back by ``refund`` (the caller's: the payments
service refunds through the provider that charged); its place returns to the template's
quantity and budget and to the member's claim count, so it may be sold again. Asking
again returns the voided coupon and refunds nothing; a coupon used or held by an order is
refused (``voucher_used``), as is an expired one (``coupon_expired``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel import visibility
from newretail.kernel.scope import Role, Scope
from newretail.members import service as members_service
from newretail.org import service as org_service
from newretail.promotions import errors
from newretail.promotions.discounts import Kind
from newretail.promotions.models import USABLE, ClaimChannel, Coupon, CouponStatus, CouponTemplate
from newretail.promotions.shapes import terms_of
from newretail.promotions.wallet import COUPONS, issue, uncount_issue, wallet_query


@dataclass(frozen=True, slots=True)
class Charged:
    refused: str | None  # None: paid
    payment_ref: str | None = None  # "provider:reference" of the payment


# (amount in fen, currency) -> what the charge did
Charge = Callable[[int, str], Charged]
# (payment_ref, amount in fen) -> the refund's "provider:reference"
Refund = Callable[[str, int], str]


def buy_voucher(
    *,
    session: Session,
    scope: Scope,
    template_id: int,
    charge: Charge,
    now: datetime | None = None,
) -> Coupon:
    """A consumer buys one paid voucher of ``template_id`` for themself."""
    if scope.actor_type != "consumer":
        raise errors.MemberRequired("A member buys a voucher for themself.")
    template = session.get(CouponTemplate, template_id)
    if template is None:
        raise errors.TemplateNotFound()
    terms = terms_of(template.kind, template.terms)
    if terms.kind is not Kind.PAID:
        raise errors.InvalidTerms("Only a paid voucher is bought; claim the others.")
    consumer_id = members_service.live_consumer_id(session=session, consumer_id=scope.actor_id or 0)
    member = consumer_id and members_service.find_membership(
        session=session, brand_id=template.brand_id, consumer_id=consumer_id
    )
    if not member:
        raise errors.MemberRequired()
    coupon = issue(
        session=session,
        template=template,
        member=member,
        now=now or utcnow(),
        channel=ClaimChannel.PURCHASE,
    )
    brand = org_service.live_brand(session=session, brand_id=template.brand_id)
    if brand is None:
        raise errors.TemplateNotFound()
    charged = charge(terms.price, brand.currency)
    if charged.refused is not None:
        raise errors.VoucherNotPaid(charged.refused)
    coupon.price_paid = terms.price
    coupon.payment_ref = charged.payment_ref
    session.flush()
    return coupon


def buy_back(
    *,
    session: Session,
    scope: Scope,
    coupon_id: int,
    refund: Refund,
    now: datetime | None = None,
) -> Coupon:
    """The caller's unused paid voucher voided and its price given back, once (a member's
    own, or staff of the brand for a member: a brand admin or a store manager)."""
    if scope.actor_type == "consumer":
        query = wallet_query(session=session, scope=scope, member_id=None)
    else:
        query = visibility.restrict(select(Coupon), scope, COUPONS)
    coupon = session.scalar(query.where(Coupon.id == coupon_id))
    if coupon is None:
        raise errors.CouponNotFound()
    if scope.actor_type != "consumer":
        scope.require(Role.BRAND_ADMIN, Role.STORE_MANAGER)
    if coupon.status == CouponStatus.VOIDED.value:
        return coupon
    if coupon.price_paid is None or coupon.payment_ref is None:
        raise errors.NotAPaidVoucher()
    now = now or utcnow()
    voided = session.execute(
        update(Coupon)
        .where(Coupon.id == coupon.id, Coupon.status.in_(USABLE), Coupon.valid_until > now)
        .values(status=CouponStatus.VOIDED.value, voided_at=now)
        .returning(Coupon.id)
        .execution_options(synchronize_session=False)
    ).first()
    session.refresh(coupon)
    if voided is None:
        if coupon.status == CouponStatus.VOIDED.value:
            return coupon  # another request bought it back a moment ago
        if coupon.status in USABLE or coupon.status == CouponStatus.EXPIRED.value:
            raise errors.CouponExpired()
        raise errors.VoucherUsed(f"The voucher is {coupon.status}.")
    uncount_issue(session, coupon)
    coupon.refund_ref = refund(coupon.payment_ref, coupon.price_paid)
    session.flush()
    return coupon
