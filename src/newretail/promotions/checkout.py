"""What checkout asks of promotions: a sale's offers, read cheaply, and their names and funders.

    sale_offers   the brand's active automatic promotions (per-process copies filed under
                  the brand's cache stamp, which the sale has just read), the buyer's
                  usable coupons (one read, members only) and their points (two reads,
                  members only); None when there are none of these
    choose        the best combination, or exactly the buyer's selection, re-checked
    SaleOffers.gifts   the gift lines a combination adds (a gift SKU the store has none
                  of is left out of every combination, so a chosen gift is on its shelf)

Every change to a promotion moves its brand's stamp in the changing transaction (the flush
hook below), so a process sees it at its first sale after the commit, as the catalog does.
The stamp is the catalog's too: a promotion change also makes the next sale read the
brand's catalog copies again, a fair price for changes made a few times a day.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.kernel import stamps
from newretail.promotions.discounts import Kind
from newretail.promotions.eligibility import Context, Line, Offer
from newretail.promotions.gifts import Gift, gifts_of, out_of_stock
from newretail.promotions.models import USABLE, Coupon, CouponTemplate, Funder, Promotion
from newretail.promotions.models import Status as OfferStatus
from newretail.promotions.redemption import Priced, member_tail, select_exactly
from newretail.promotions.rules import DEPOSIT, POINTS, Combination, Limits, Quote, quote
from newretail.promotions.shapes import coupon_offer, promotion_offer


@dataclass(frozen=True, slots=True)
class OfferInfo:
    """What an order line's discount records about the offer that gave it."""

    key: str
    source: str  # promotion or coupon
    source_id: int
    name: str
    funder: str


@dataclass(frozen=True, slots=True)
class SaleOffers:
    priced: Priced
    info: dict[str, OfferInfo]

    def quote(self, limits: Limits = Limits()) -> Quote:
        priced = self.priced
        return quote(priced.lines, priced.offers, priced.context, limits, tail=priced.tail)

    def without_gifts(self) -> "SaleOffers":
        """The same sale with no free-gift coupon (a pre-sale balance gives no gift)."""
        kept = [o for o in self.priced.offers if o.terms.kind is not Kind.FREE_GIFT]
        return SaleOffers(replace(self.priced, offers=kept), self.info)

    def gifts(self, combination: Combination | None) -> list[Gift]:
        """The gift lines ``combination`` adds to the order."""
        return gifts_of(self.priced.offers, combination)


@dataclass(frozen=True, slots=True)
class _BrandPromotions:
    offers: tuple[Offer, ...]
    info: tuple[OfferInfo, ...]


def _load(session: Session, brand_id: int) -> _BrandPromotions:
    rows = session.scalars(
        select(Promotion)
        .where(Promotion.brand_id == brand_id, Promotion.status == OfferStatus.ACTIVE.value)
        .order_by(Promotion.id)
    ).all()
    info = tuple(
        OfferInfo(f"promotion:{p.id}", "promotion", p.id, p.name, Funder.BRAND.value) for p in rows
    )
    return _BrandPromotions(tuple(promotion_offer(p) for p in rows), info)


# Each database's brands' active promotions, by the stamp they were read under.
_copies: stamps.Copies[int, _BrandPromotions] = stamps.Copies()
# What follows the offers: points (the brand gives up what they pay) and a deposit credit.
TAIL_INFO = {
    POINTS: OfferInfo(POINTS, "points", 0, "points", Funder.BRAND.value),
    DEPOSIT: OfferInfo(DEPOSIT, "deposit", 0, "pre-sale deposit", Funder.BRAND.value),
}


stamps.moved_by(Promotion)


def sale_offers(
    *,
    session: Session,
    brand_id: int,
    store_id: int,
    channel: str,
    timezone: str,
    member_id: int | None,
    tier: str | None,
    lines: Sequence[tuple[int, int, int]],
    now: datetime,
    points: int | None = None,
    credit: int = 0,
) -> SaleOffers | None:
    """The offers a sale of ``lines`` (sku, quantity, unit price) may use, and the member's
    points (at most ``points`` when given, 0: none); None if there are neither.
    ``credit``: a pre-sale balance's deposit credit, on every line, after the discounts."""
    version = catalog_service.sale_catalog.stamp(session=session, brand_id=brand_id)
    brand = _copies.get(session, brand_id, version, lambda: _load(session, brand_id))
    offers, info = list(brand.offers), {i.key: i for i in brand.info}
    if member_id is not None:
        for coupon, template in _wallet(session, brand_id, member_id):
            offer = coupon_offer(coupon, template)
            offers.append(offer)
            info[offer.key] = OfferInfo(
                offer.key, "coupon", coupon.id, template.name, template.funder
            )
    held = member_tail(session=session, brand_id=brand_id, member_id=member_id, chosen=points)
    if credit > 0:
        held = replace(held, credit=credit)
    if not offers and held.empty:
        return None
    info.update(TAIL_INFO)
    categories = catalog_service.sku_categories(
        session=session, brand_id=brand_id, sku_ids={sku for sku, _, _ in lines}
    )
    cart = [
        Line(sku, categories.get(sku, frozenset()), quantity, price)
        for sku, quantity, price in lines
    ]
    gifts_out = out_of_stock(
        session=session, brand_id=brand_id, store_id=store_id, offers=offers, cart=cart
    )
    context = Context(store_id, channel, now.astimezone(ZoneInfo(timezone)), tier, gifts_out)
    return SaleOffers(Priced(cart, context, offers, held), info)


def _wallet(session: Session, brand_id: int, member_id: int) -> list[tuple[Coupon, CouponTemplate]]:
    rows = session.execute(
        select(Coupon, CouponTemplate)
        .join(CouponTemplate, CouponTemplate.id == Coupon.template_id)
        .where(
            Coupon.membership_id == member_id,
            Coupon.brand_id == brand_id,
            Coupon.status.in_(USABLE),
        )
        .order_by(Coupon.id)
    )
    return [(c, t) for c, t in rows]


def choose(offers: SaleOffers, keys: Sequence[str] | None) -> Combination:
    """The best combination (``keys`` None), or exactly ``keys`` re-checked on the cart."""
    if keys is None:
        return offers.quote().best
    return select_exactly(offers.priced, keys)
