"""Prices of lines as the selling store sells them in a channel, with where each came from."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.kernel.sale import SaleOffer
from newretail.orders import errors
from newretail.org import errors as org_errors


@dataclass(frozen=True, slots=True)
class PricedLine:
    sku_id: int
    quantity: int
    title: str
    unit_price: int | None
    price_source: dict[str, Any]
    sellable: bool
    per_order_limit: int | None


def price(
    offers: Mapping[int, SaleOffer | None], lines: Sequence[tuple[int, int]]
) -> list[PricedLine]:
    """Each (sku_id, quantity) at its offer; SKUs without one are unsellable."""
    priced = []
    for sku_id, quantity in lines:
        offer = offers.get(sku_id)
        if offer is None:
            priced.append(PricedLine(sku_id, quantity, "", None, {}, False, None))
            continue
        priced.append(
            PricedLine(
                sku_id=sku_id,
                quantity=quantity,
                title=offer.title,
                unit_price=offer.unit_price,
                price_source=offer.price_source,
                sellable=offer.sellable,
                per_order_limit=offer.per_order_limit,
            )
        )
    return priced


def price_lines(
    *,
    session: Session,
    brand_id: int,
    store_id: int,
    channel: str,
    lines: Sequence[tuple[int, int]],
) -> list[PricedLine]:
    """Each (sku_id, quantity) priced by the store's resolved offer; unknown SKUs unsellable."""
    found = catalog_service.sale_catalog.store(session=session, store_id=store_id)
    if found is None or found[1].brand_id != brand_id:
        raise org_errors.StoreNotFound()
    offers = catalog_service.sale_catalog.offers(
        session=session, store=found[1], channel=channel, sku_ids=[sku for sku, _ in lines]
    )
    return price(offers, lines)


def check_orderable(lines: Sequence[PricedLine]) -> None:
    """Every line sellable and within its per-order limit, or a clear error."""
    seen: set[int] = set()
    for line in lines:
        if line.sku_id in seen:
            raise errors.UnsellableSku(f"SKU {line.sku_id} appears on two lines.")
        seen.add(line.sku_id)
        if not line.sellable or line.unit_price is None:
            raise errors.UnsellableSku(f"SKU {line.sku_id} is not sold here in this channel.")
        if line.per_order_limit is not None and line.quantity > line.per_order_limit:
            raise errors.PerOrderLimit(
                f"SKU {line.sku_id}: at most {line.per_order_limit} per order, "
                f"{line.quantity} asked."
            )
