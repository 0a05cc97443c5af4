"""Paid vouchers: a member buys a coupon worth ``amount`` for ``price``.

The coupon is counted against the template's limits first (the claim's guarded UPDATEs),
then the price is charged by ``charge`` inside the same transaction (the caller's: the
cloud store page charges through the payments sandbox; promotions sit below payments and
never import it). A declined or unconfirmed charge raises and the transaction rolls the
coupon back, so nothing is issued unpaid and nothing is over-issued.
The coupon records what was paid (``price_paid``) next to its face value, so settlement
sees the funder's real cost: the face value it takes off an order less the price.
"""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.org import service as org_service
from newretail.promotions import errors
from newretail.promotions.discounts import Kind
from newretail.promotions.models import ClaimChannel, Coupon, CouponTemplate
from newretail.promotions.shapes import terms_of
from newretail.promotions.wallet import issue

# (amount in fen, currency) -> None when paid, else why not.
Charge = Callable[[int, str], str | None]


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
    refused = charge(terms.price, brand.currency)
    if refused is not None:
        raise errors.VoucherNotPaid(refused)
    coupon.price_paid = terms.price
    session.flush()
    return coupon
