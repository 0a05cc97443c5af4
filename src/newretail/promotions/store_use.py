"""Service and free-trial vouchers: no cart discount; staff redeem them at a store.

The redemption is one guarded UPDATE from the usable states (claimed or released, within
its validity), so two tills redeeming the same voucher at once get one success and one
``coupon_unavailable``. The voucher records the store and its worth (``amount``) as what
it took off, so the redemption report and settlement count it like any other coupon.
"""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel.scope import Role, Scope
from newretail.org import service as org_service
from newretail.promotions import errors
from newretail.promotions.discounts import Kind
from newretail.promotions.models import USABLE, Coupon, CouponStatus, CouponTemplate
from newretail.promotions.shapes import reach_of, terms_of

REDEEMERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER, Role.GUIDE, Role.CASHIER)


def redeem_at_store(
    *, session: Session, scope: Scope, coupon_id: int, store_id: int, now: datetime | None = None
) -> Coupon:
    """Staff of ``store_id`` use a member's service voucher, once."""
    now = now or utcnow()
    found = session.execute(
        select(Coupon, CouponTemplate)
        .join(CouponTemplate, CouponTemplate.id == Coupon.template_id)
        .where(Coupon.id == coupon_id)
    ).first()
    # The member shows the voucher at the counter: staff of the brand's store use it there.
    store = org_service.get_store(session=session, scope=scope, store_id=store_id)
    if found is None or found[0].brand_id != store.brand_id:
        raise errors.CouponNotFound()
    # Roles are asked after the store: another brand's caller learns nothing but "not found".
    scope.require(*REDEEMERS)
    coupon, template = found
    terms = terms_of(template.kind, template.terms)
    if terms.kind is not Kind.SERVICE:
        raise errors.CouponNotApplicable("Only a service voucher is redeemed at a store.")
    stores = reach_of(template.reach).stores
    if stores and store_id not in stores:
        raise errors.CouponNotApplicable("This voucher is not valid in this store.")
    if not coupon.valid_from <= now < coupon.valid_until:
        raise errors.CouponExpired()
    done = session.execute(
        update(Coupon)
        .where(Coupon.id == coupon.id, Coupon.status.in_(USABLE), Coupon.valid_until > now)
        .values(
            status=CouponStatus.REDEEMED.value,
            store_id=store_id,
            discount=terms.amount,
            redeemed_at=now,
        )
        .returning(Coupon.id)
        .execution_options(synchronize_session=False)
    ).first()
    if done is None:
        raise errors.CouponUnavailable("This voucher was used already.")
    session.refresh(coupon)
    return coupon
