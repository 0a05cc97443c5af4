"""Checking an offer's terms against its kind, and turning stored rows into pure offers."""

from datetime import datetime
from typing import Any

from newretail.promotions import errors
from newretail.promotions.discounts import Kind, Terms
from newretail.promotions.eligibility import Offer, Reach, Stacking, Window
from newretail.promotions.models import Coupon, CouponTemplate, Promotion
from newretail.promotions.schemas import ReachBody, TermsBody

_PERCENT_KINDS = (Kind.NTH_ITEM, Kind.PERCENT)


def check_terms(kind: Kind, terms: TermsBody, reach: ReachBody) -> None:
    """Refuse terms that do not make an offer of ``kind`` (422 with a code saying why)."""
    if kind in _PERCENT_KINDS or (kind is Kind.TIER_PRICE and terms.unit_price is None):
        if terms.percent_off > 100:
            raise errors.PercentageOver100()
        if terms.percent_off < 1:
            raise errors.InvalidTerms(f"A {kind.value} offer needs percent_off from 1 to 100.")
    problem = _problem(kind, terms, reach)
    if problem:
        raise errors.InvalidTerms(problem)


def _problem(kind: Kind, terms: TermsBody, reach: ReachBody) -> str | None:
    if kind is Kind.SPEND_SAVE and not terms.tiers:
        return "A spend_save promotion needs at least one tier (threshold, off)."
    if kind in (Kind.NTH_ITEM, Kind.SET_PRICE, Kind.BUY_GET) and terms.every < 1:
        return f"A {kind.value} promotion needs every >= 1."
    if kind is Kind.BUY_GET and terms.free < 1:
        return "A buy_get promotion needs free >= 1."
    if kind is Kind.TIER_PRICE and not reach.tiers:
        return "A tier_price promotion names the member tiers it is for (reach.tiers)."
    if kind in (Kind.FIXED, Kind.THRESHOLD, Kind.PAID, Kind.FREE_GIFT) and terms.amount < 1:
        return f"A {kind.value} coupon needs an amount >= 1."
    if kind is Kind.PAID and not 1 <= terms.price <= terms.amount:
        return "A paid voucher sells for a price from 1 fen up to its face value (amount)."
    if kind is Kind.FREE_GIFT and terms.gift_sku_id is None:
        return "A free_gift coupon names the SKU it gives (gift_sku_id) and its worth (amount)."
    if kind is Kind.THRESHOLD and terms.threshold < 1:
        return "A threshold coupon needs a threshold >= 1."
    return None


def check_dates(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise errors.DatesReversed()


def check_hours(from_minute: int | None, until_minute: int | None) -> None:
    """Daily hours come as a pair (``until`` before ``from`` runs past midnight)."""
    if (from_minute is None) != (until_minute is None) or (
        from_minute is not None and from_minute == until_minute
    ):
        raise errors.InvalidTerms("Give both from_minute and until_minute, and not equal.")


def terms_of(kind: str, terms: dict[str, Any]) -> Terms:
    body = TermsBody.model_validate(terms)
    return Terms(
        kind=Kind(kind),
        tiers=tuple((t.threshold, t.off) for t in body.tiers),
        threshold=body.threshold,
        amount=body.amount,
        percent_off=body.percent_off,
        max_off=body.max_off,
        every=body.every,
        free=body.free,
        set_price=body.set_price,
        unit_price=body.unit_price,
        price=body.price,
        gift_sku_id=body.gift_sku_id,
    )


def reach_of(reach: dict[str, Any]) -> Reach:
    body = ReachBody.model_validate(reach)
    return Reach(
        stores=frozenset(body.stores),
        channels=frozenset(c.value for c in body.channels),
        tiers=frozenset(body.tiers),
        categories=frozenset(body.categories),
        skus=frozenset(body.skus),
        exclude_categories=frozenset(body.exclude_categories),
        exclude_skus=frozenset(body.exclude_skus),
    )


def promotion_offer(row: Promotion) -> Offer:
    return Offer(
        key=f"promotion:{row.id}",
        terms=terms_of(row.kind, row.terms),
        stacking=Stacking(row.stacking),
        priority=row.priority,
        reach=reach_of(row.reach),
        window=Window(row.starts_at, row.ends_at, row.from_minute, row.until_minute),
        ident=row.id,
    )


def coupon_offer(coupon: Coupon, template: CouponTemplate) -> Offer:
    return Offer(
        key=f"coupon:{coupon.id}",
        terms=terms_of(template.kind, template.terms),
        stacking=Stacking(template.stacking),
        priority=template.priority,
        reach=reach_of(template.reach),
        window=Window(coupon.valid_from, coupon.valid_until),
        template=f"template:{template.id}",
        per_order=template.per_order,
        ident=coupon.id,
    )
