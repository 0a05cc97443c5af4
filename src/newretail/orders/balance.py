"""A pre-sale balance priced by the best combination, its deposit credit inside it.

The balance line costs the pre-sale price; its deposits count ``credit`` off it (the
deposit times the campaign's multiplier, 定金膨胀, worked out by the pre-sale). The brand's
promotions, the member's coupons and points apply as at any checkout, and the deposit
credit comes after every discount and before points (``promotions/tail.py``): a 满减
threshold is met by the pre-sale price less the discounts before it, never lowered by the
deposit, and points pay at most their share of what is left after the deposit. A free gift
coupon is not offered on a balance (the gift would need a line and stock of its own).

``price`` works out the line's discount (deposit credit, offers and points together);
``record`` writes what each offer and the points took, holds the coupons under the order's
number and spends the points, in the order's transaction.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from newretail.kernel.sale import Buyer
from newretail.orders.checkout import discount_row, take_for_order
from newretail.orders.models import Order
from newretail.orders.rows import insert_discounts
from newretail.org.models import Store
from newretail.promotions import service as promotions_service


@dataclass(frozen=True, slots=True)
class Priced:
    discount: int  # the deposit credit, offers and points off the line together
    offers: promotions_service.SaleOffers | None = None
    combination: promotions_service.Combination | None = None


def price(
    *,
    session: Session,
    store: Store,
    channel: str,
    buyer: Buyer,
    sku_id: int,
    quantity: int,
    unit_price: int,
    credit: int,
    points: int | None,
    now: Any,
) -> Priced:
    """The balance line's discount, with the best combination that gives it (if any)."""
    offers = promotions_service.sale_offers(
        session=session,
        brand_id=store.brand_id,
        store_id=store.id,
        channel=channel,
        timezone=store.timezone,
        member_id=buyer.member_id,
        tier=buyer.tier,
        lines=[(sku_id, quantity, unit_price)],
        now=now,
        points=points,
        credit=credit,
    )
    if offers is None:
        return Priced(min(credit, unit_price * quantity))
    offers = offers.without_gifts()
    best = offers.quote().best
    return Priced(unit_price * quantity - best.line_payable[0], offers, best)


def record(*, session: Session, order: Order, priced: Priced) -> None:
    """What each offer and the points took off the line; coupons held, points spent."""
    if priced.offers is None or priced.combination is None:
        return
    combination, line = priced.combination, order.lines[0]
    rows = [
        discount_row(order, line.id, priced.offers.info[applied.key], applied.saving)
        for applied in (*combination.applied, *combination.tail)
        if applied.saving and applied.key != promotions_service.DEPOSIT
    ]
    if rows:
        insert_discounts(session, rows)
    take_for_order(
        session=session,
        offers=priced.offers,
        combination=combination,
        member_id=order.member_id,
        order=order,
        now=order.created_at,
    )
