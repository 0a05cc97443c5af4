"""Prices of lines as the selling store sells them in a channel, with where each came from."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.orders import errors


@dataclass(frozen=True, slots=True)
class PricedLine:
    sku_id: int
    quantity: int
    title: str
    unit_price: int | None
    price_source: dict[str, Any]
    sellable: bool
    per_order_limit: int | None


def _source(resolved: catalog_service.ResolvedOffer) -> dict[str, Any]:
    source = resolved.fields["price"].source
    if source is None:
        return {}
    return {"level": source.level.value, "offer_id": source.offer_id}


def price_lines(
    *,
    session: Session,
    brand_id: int,
    store_id: int,
    channel: str,
    lines: Sequence[tuple[int, int]],
) -> list[PricedLine]:
    """Each (sku_id, quantity) priced by the store's resolved offer; unknown SKUs unsellable."""
    resolved = catalog_service.resolve_offers(
        session=session,
        brand_id=brand_id,
        store_id=store_id,
        channel=channel,
        sku_ids=[sku for sku, _ in lines],
    )
    priced = []
    for sku_id, quantity in lines:
        offer = resolved.get(sku_id)
        if offer is None:
            priced.append(PricedLine(sku_id, quantity, "", None, {}, False, None))
            continue
        priced.append(
            PricedLine(
                sku_id=sku_id,
                quantity=quantity,
                title=str(offer.value("title") or "")[:200],
                unit_price=offer.price,
                price_source=_source(offer),
                sellable=offer.sellable,
                per_order_limit=offer.per_order_limit,
            )
        )
    return priced


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
