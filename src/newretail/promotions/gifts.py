"""Free gifts: which gift SKUs a store cannot give now, and the gifts a combination gives.

A gift is given from the selling store's own shelf, so a gift SKU with no unit available
there beyond those the cart itself takes is out of stock for the sale: its coupon is left
out of the best combination with ``gift_out_of_stock`` (``Context.gifts_out``) instead of
failing the order later.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from newretail.inventory import service as inventory_service
from newretail.promotions.eligibility import Line, Offer
from newretail.promotions.rules import Combination


@dataclass(frozen=True, slots=True)
class Gift:
    key: str  # the coupon that gives it
    sku_id: int
    value: int  # fen: the gift line's price, taken off it again as the coupon's discount


def out_of_stock(
    *,
    session: Session,
    brand_id: int,
    store_id: int,
    offers: Sequence[Offer],
    cart: Sequence[Line],
) -> frozenset[int]:
    """The gift SKUs among ``offers`` the store cannot spare a unit of after the cart's
    own (one read; none when no offer gives a gift)."""
    skus = {o.terms.gift_sku_id for o in offers if o.terms.gift_sku_id is not None}
    if not skus:
        return frozenset()
    units = inventory_service.available(
        session=session, brand_id=brand_id, sku_ids=skus, location_ids=[store_id]
    )
    taken = {sku: sum(line.quantity for line in cart if line.sku_id == sku) for sku in skus}
    return frozenset(sku for sku in skus if units[(store_id, sku)] < taken[sku] + 1)


def gifts_of(offers: Sequence[Offer], combination: Combination | None) -> list[Gift]:
    """The gifts ``combination`` gives, in the order its offers apply."""
    if combination is None:
        return []
    by_key = {o.key: o for o in offers}
    gifts = []
    for applied in combination.applied:
        sku = by_key[applied.key].terms.gift_sku_id
        if applied.gift and sku is not None:
            gifts.append(Gift(applied.key, sku, applied.gift))
    return gifts
