"""The sale context's value types: what one sale needs, loaded once and passed down.

A checkout or a purchase reads its brand, selling store, priced offers and buyer once (most
of it from the per-process catalog cache, see ``catalog/cache.py``) into a ``Sale``; every
step after that (pricing, routing, the order rows, the events) takes what it needs from it
instead of reading the same rows again. All of them are frozen: a cached value is shared by
every thread of the process.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class SaleBrand:
    id: int
    code: str
    currency: str
    timezone: str


@dataclass(frozen=True, slots=True)
class SaleStore:
    """A store or warehouse as a sale sees it; ``sells``: open and not a warehouse."""

    id: int
    brand_id: int
    region_id: int
    code: str
    name: str
    type: str
    status: str
    lat: float
    lng: float
    warehouse: bool
    sells: bool


@dataclass(frozen=True, slots=True)
class SaleOffer:
    """How a store sells one SKU in one channel (a resolved sub-product)."""

    sku_id: int
    title: str
    unit_price: int | None
    price_level: str | None
    price_offer_id: int | None
    sellable: bool
    per_order_limit: int | None

    @property
    def price_source(self) -> dict[str, Any]:
        """Which offer rule the price came from, as stored on an order line."""
        if self.price_level is None:
            return {}
        return {"level": self.price_level, "offer_id": self.price_offer_id}


@dataclass(frozen=True, slots=True)
class Buyer:
    """Who buys: the consumer (None for an anonymous till sale), their membership of the
    brand, and the store and guide the membership is bound to now (None if unbound), and
    the membership's tier (tier prices and tier-scoped promotions read it)."""

    consumer_id: int | None
    member_id: int | None
    bound_store_id: int | None = None
    bound_guide_id: int | None = None
    tier: str | None = None


ANONYMOUS = Buyer(None, None)


@dataclass(frozen=True, slots=True)
class Sale:
    """One sale: where, in which channel, to whom, at which prices, by whom and when."""

    brand: SaleBrand
    store: SaleStore
    channel: str
    buyer: Buyer
    offers: Mapping[int, SaleOffer | None]
    actor_type: str
    actor_id: int | None
    now: datetime
    stores: Mapping[int, SaleStore] = field(default_factory=dict)

    def offer(self, sku_id: int) -> SaleOffer | None:
        return self.offers.get(sku_id)

    def location(self, location_id: int) -> SaleStore | None:
        """A location of the brand the sale already knows (the selling store among them)."""
        if location_id == self.store.id:
            return self.store
        return self.stores.get(location_id)
