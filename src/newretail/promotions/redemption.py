"""Pricing a cart with promotions and coupons, and redeeming coupons in two phases.

    price_cart   the best combination (and the next two) of the brand's automatic
                 promotions and the member's coupons for a cart; reads only
    reserve      check an exact combination on the cart, then move its coupons
                 claimed/released -> reserved under an order's reference
    commit       reserved -> redeemed, when the order is paid (idempotent)
    release      reserved -> released, back in the wallet, when the order is not paid
    release_lapsed   the worker's job: reservations past their time go back to the wallet
    restore      redeemed -> released, when an order is refunded in full and the coupon's
                 template says a return gives it back (``ReturnRule.RESTORE``)

Coupons move by guarded UPDATEs from the states they were read in, so one coupon is never
reserved by two orders at once, and a job or event run twice moves nothing the second time.

A reservation holds until ``until`` (by default the order payment window and a grace
period: the order's own expiry releases it first, through its cancellation, so the lapse
only frees coupons whose order never came to pay or cancel).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.config import Settings, get_settings
from newretail.db import Database, utcnow
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import SYSTEM
from newretail.members import service as members_service
from newretail.org import service as org_service
from newretail.promotions import errors, rules
from newretail.promotions.eligibility import Context, Line, Offer, Reason
from newretail.promotions.gifts import out_of_stock
from newretail.promotions.models import (
    USABLE,
    Coupon,
    CouponStatus,
    CouponTemplate,
    Promotion,
    ReturnRule,
)
from newretail.promotions.models import Status as OfferStatus
from newretail.promotions.rules import Combination, Limits, Quote, SelectionRefused
from newretail.promotions.shapes import coupon_offer, promotion_offer
from newretail.promotions.tail import NO_TAIL, Tail

_NO_SYNC = {"synchronize_session": False}
RESERVATION_GRACE = timedelta(minutes=10)
LAPSE_BATCH = 500


@dataclass(frozen=True, slots=True)
class CartItem:
    sku_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Priced:
    """A cart as priced: its lines (in the caller's order), the context and every offer."""

    lines: list[Line]
    context: Context
    offers: list[Offer]
    tail: Tail = NO_TAIL  # the member's points (and a pre-sale deposit credit) after discounts


class SkuNotSold(DomainError):
    code = "sku_not_sold"
    status = 409
    default_detail = "A SKU of the cart is not sold by this store in this channel."


def load(
    *,
    session: Session,
    brand_id: int,
    store_id: int,
    channel: str,
    member_id: int | None,
    tier: str | None,
    items: Sequence[CartItem],
    now: datetime | None = None,
    points: int | None = None,
) -> Priced:
    """Resolve the cart's prices and categories and gather the offers it may use, and the
    member's points (at most ``points`` of them when given)."""
    now = now or utcnow()
    store = org_service.get_store(session=session, scope=SYSTEM, store_id=store_id)
    sku_ids = {item.sku_id for item in items}
    resolved = catalog_service.resolve_offers(
        session=session, brand_id=brand_id, store_id=store_id, channel=channel, sku_ids=sku_ids
    )
    categories = catalog_service.sku_categories(session=session, brand_id=brand_id, sku_ids=sku_ids)
    lines: list[Line] = []
    for item in items:
        offer = resolved.get(item.sku_id)
        if offer is None or not offer.active or offer.price is None or not offer.available:
            raise SkuNotSold(f"SKU {item.sku_id} is not sold here in {channel}.")
        lines.append(
            Line(item.sku_id, categories.get(item.sku_id, frozenset()), item.quantity, offer.price)
        )
    offers = _offers(session, brand_id, member_id)
    gifts_out = out_of_stock(
        session=session, brand_id=brand_id, store_id=store_id, offers=offers, cart=lines
    )
    at = now.astimezone(ZoneInfo(store.timezone))
    held = member_tail(session=session, brand_id=brand_id, member_id=member_id, chosen=points)
    return Priced(lines, Context(store_id, channel, at, tier, gifts_out), offers, held)


def member_tail(
    *, session: Session, brand_id: int, member_id: int | None, chosen: int | None
) -> Tail:
    """The member's points as a combination may use them (none for a guest)."""
    if member_id is None or chosen == 0:
        return NO_TAIL
    found = members_service.redeemable(session=session, brand_id=brand_id, member_id=member_id)
    if found.balance <= 0:
        return NO_TAIL
    return Tail(
        balance=found.balance, chosen=chosen, per_yuan=found.per_yuan, cap_pct=found.cap_pct
    )


def _offers(session: Session, brand_id: int, member_id: int | None) -> list[Offer]:
    promotions = session.scalars(
        select(Promotion).where(
            Promotion.brand_id == brand_id, Promotion.status == OfferStatus.ACTIVE.value
        )
    )
    offers = [promotion_offer(p) for p in promotions]
    if member_id is None:
        return offers
    wallet = session.execute(
        select(Coupon, CouponTemplate)
        .join(CouponTemplate, CouponTemplate.id == Coupon.template_id)
        .where(
            Coupon.membership_id == member_id,
            Coupon.brand_id == brand_id,
            Coupon.status.in_(USABLE),
        )
        .order_by(Coupon.id)
    )
    return offers + [coupon_offer(c, t) for c, t in wallet]


def price_cart(priced: Priced, limits: Limits = Limits()) -> Quote:
    """The best combination for the cart, the next two, and why every other offer is out."""
    return rules.quote(priced.lines, priced.offers, priced.context, limits, tail=priced.tail)


_REFUSALS: dict[Reason, type[DomainError]] = {
    Reason.EXPIRED: errors.CouponExpired,
    Reason.NOT_STARTED: errors.CouponExpired,
    Reason.THRESHOLD_NOT_MET: errors.ThresholdNotMet,
    Reason.STACKING_CONFLICT: errors.ExclusiveConflict,
    Reason.ORDER_LIMIT: errors.OrderLimit,
}


def reserve(
    *,
    session: Session,
    priced: Priced,
    member_id: int | None,
    keys: Sequence[str],
    reference: str,
    limits: Limits = Limits(),
    until: datetime | None = None,
) -> Combination:
    """Check exactly the offers ``keys`` on the cart and reserve their coupons for ``reference``
    (until ``until``, by default the payment window and a grace period from now)."""
    combination = select_exactly(priced, keys, limits)
    _lock_coupons(session, priced, member_id, combination, reference, until)
    return combination


def select_exactly(priced: Priced, keys: Sequence[str], limits: Limits = Limits()) -> Combination:
    """The combination of exactly the offers ``keys`` on the cart, or the error saying why not."""
    by_key = {offer.key: offer for offer in priced.offers}
    missing = [key for key in keys if key not in by_key]
    if missing:
        raise errors.CouponUnavailable(f"{missing[0]} is not available to this cart.")
    try:
        return rules.price_selection(
            priced.lines, [by_key[key] for key in set(keys)], priced.context, limits, priced.tail
        )
    except SelectionRefused as refused:
        error = _REFUSALS.get(refused.reason, errors.CouponNotApplicable)
        against = f" (with {refused.other})" if refused.other else ""
        raise error(f"{refused.key}: {refused.reason.value}{against}.") from None


def hold(
    *,
    session: Session,
    priced: Priced,
    member_id: int | None,
    combination: Combination,
    reference: str,
    until: datetime | None = None,
) -> None:
    """Reserve the coupons of a combination already checked on the cart for ``reference``."""
    _lock_coupons(session, priced, member_id, combination, reference, until)


def default_hold(now: datetime) -> datetime:
    """Until when a reservation holds unless told: the order payment window and a grace."""
    return now + timedelta(seconds=get_settings().order_payment_window_seconds) + RESERVATION_GRACE


def _lock_coupons(
    session: Session,
    priced: Priced,
    member_id: int | None,
    combination: Combination,
    reference: str,
    until: datetime | None,
) -> None:
    # A gift coupon holds the gift's worth: what it costs its funder, as a discount does.
    discounts = {
        int(a.key.split(":")[1]): a.saving + a.gift
        for a in combination.applied
        if a.key.startswith("coupon:")
    }
    now = priced.context.at
    for coupon_id in sorted(discounts):  # in key order, so two reservations never deadlock
        done = session.execute(
            update(Coupon)
            .where(
                Coupon.id == coupon_id,
                Coupon.membership_id == member_id,
                Coupon.status.in_(USABLE),
                Coupon.valid_until > now,
            )
            .values(
                status=CouponStatus.RESERVED.value,
                reference=reference,
                discount=discounts[coupon_id],
                store_id=priced.context.store_id,
                reserved_at=now,
                reserved_until=until or default_hold(now),
            )
            .returning(Coupon.id)
            .execution_options(**_NO_SYNC)
        ).first()
        if done is None:
            raise errors.CouponUnavailable(f"coupon:{coupon_id} is reserved or used already.")


def commit(*, session: Session, reference: str, now: datetime | None = None) -> list[Coupon]:
    """The coupons reserved for ``reference`` are redeemed; a second call changes nothing."""
    now = now or utcnow()
    session.execute(
        update(Coupon)
        .where(Coupon.reference == reference, Coupon.status == CouponStatus.RESERVED.value)
        .values(status=CouponStatus.REDEEMED.value, redeemed_at=now)
        .execution_options(**_NO_SYNC)
    )
    redeemed = list(
        session.scalars(
            select(Coupon)
            .where(Coupon.reference == reference, Coupon.status == CouponStatus.REDEEMED.value)
            .order_by(Coupon.id)
            .execution_options(populate_existing=True)
        )
    )
    if not redeemed:
        raise errors.ReservationNotFound()
    return redeemed


def redeem(*, session: Session, reference: str, now: datetime | None = None) -> list[Coupon]:
    """The coupons reserved for ``reference`` that this call redeems (none the second time)."""
    ids = session.scalars(
        update(Coupon)
        .where(Coupon.reference == reference, Coupon.status == CouponStatus.RESERVED.value)
        .values(status=CouponStatus.REDEEMED.value, redeemed_at=now or utcnow())
        .returning(Coupon.id)
        .execution_options(**_NO_SYNC)
    ).all()
    if not ids:
        return []
    return list(
        session.scalars(
            select(Coupon)
            .where(Coupon.id.in_(ids))
            .order_by(Coupon.id)
            .execution_options(populate_existing=True)
        )
    )


def release(*, session: Session, reference: str, now: datetime | None = None) -> int:
    """The coupons reserved for ``reference`` go back to the wallet; how many did."""
    result = session.execute(
        update(Coupon)
        .where(Coupon.reference == reference, Coupon.status == CouponStatus.RESERVED.value)
        .values(**_back_in_wallet(now or utcnow()))
        .execution_options(**_NO_SYNC)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _back_in_wallet(now: datetime) -> dict[str, object]:
    return {
        "status": CouponStatus.RELEASED.value,
        "reference": None,
        "discount": None,
        "store_id": None,
        "reserved_until": None,
        "released_at": now,
    }


def release_lapsed(*, session: Session, now: datetime, limit: int = LAPSE_BATCH) -> int:
    """Up to ``limit`` reservations past their time go back to the wallet; how many did.

    Set-based and safe in several workers at once: on PostgreSQL each takes coupons the
    others have not locked (``SKIP LOCKED``), and the status change is guarded.
    """
    due = (
        select(Coupon.id)
        .where(Coupon.status == CouponStatus.RESERVED.value, Coupon.reserved_until <= now)
        .order_by(Coupon.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(due))
    if not ids:
        return 0
    released = session.scalars(
        update(Coupon)
        .where(Coupon.id.in_(ids), Coupon.status == CouponStatus.RESERVED.value)
        .values(**_back_in_wallet(now))
        .returning(Coupon.id)
        .execution_options(**_NO_SYNC)
    ).all()
    return len(released)


def release_lapsed_job(database: Database, settings: Settings) -> int:
    """Worker job: one batch of lapsed coupon reservations, in its own transaction."""
    with database.transaction() as session:
        return release_lapsed(session=session, now=utcnow())


def restore(*, session: Session, reference: str, now: datetime | None = None) -> int:
    """An order refunded in full: its redeemed coupons whose template gives them back on a
    return, and that are still valid, go back to the wallet; how many did."""
    now = now or utcnow()
    restorable = select(CouponTemplate.id).where(
        CouponTemplate.return_rule == ReturnRule.RESTORE.value
    )
    result = session.execute(
        update(Coupon)
        .where(
            Coupon.reference == reference,
            Coupon.status == CouponStatus.REDEEMED.value,
            Coupon.valid_until > now,
            Coupon.template_id.in_(restorable),
        )
        .values(**_back_in_wallet(now))
        .execution_options(**_NO_SYNC)
    )
    return int(getattr(result, "rowcount", 0) or 0)
