"""Pure catalog rules: channels, offer levels and the per-field offer resolution.

An offer sets some of a SKU's variable fields for one scope. For a store and a channel,
each field takes its value from the most specific applicable offer that sets it:

    store_channel  the store, in this channel
    store          the store, every channel
    region         the store's region, then each ancestor region, nearest first
    channel        every store, in this channel
    brand          every store, every channel (the brand default)

A field no offer sets falls back to the product's own content (title, description,
images, video: level ``product``) or to a default (``available`` is true); price,
compare-at price and per-order limit stay unset. Every resolved field carries its source.

A compare-at price (the struck-through "was" price) set at one level may end up below a
price set at a more specific one; it is then hidden (null) but keeps its source, so the
answer to "why is there no was-price here" is still there.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    ONLINE = "online"
    CLOUD_STORE = "cloud_store"
    POS = "pos"
    GUIDE_SHARE = "guide_share"
    LIVESTREAM = "livestream"


CHANNELS = frozenset(channel.value for channel in Channel)


class Level(StrEnum):
    STORE_CHANNEL = "store_channel"
    STORE = "store"
    REGION = "region"
    CHANNEL = "channel"
    BRAND = "brand"
    PRODUCT = "product"
    DEFAULT = "default"


OFFER_FIELDS = (
    "price",
    "compare_at_price",
    "title",
    "description",
    "images",
    "video",
    "available",
    "per_order_limit",
)
PRODUCT_FIELDS = ("title", "description", "images", "video")
LEVEL_ORDER = (Level.STORE_CHANNEL, Level.STORE, Level.REGION, Level.CHANNEL, Level.BRAND)


def scope_key(channel: str | None, region_id: int | None, store_id: int | None) -> str:
    """One non-null string naming an offer's scope, for the unique (sku_id, scope_key)."""
    return f"c={channel or ''};r={region_id or ''};s={store_id or ''}"


def level_of(channel: str | None, region_id: int | None, store_id: int | None) -> Level:
    if store_id is not None:
        return Level.STORE_CHANNEL if channel is not None else Level.STORE
    if region_id is not None:
        return Level.REGION
    return Level.CHANNEL if channel is not None else Level.BRAND


def check_prices(price: int | None, compare_at_price: int | None) -> str | None:
    """Why a price pair is refused, or None when it is acceptable."""
    for amount in (price, compare_at_price):
        if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
            return "prices are whole minor units (fen)"
        if amount is not None and amount < 0:
            return "prices cannot be negative"
    if price is not None and compare_at_price is not None and compare_at_price < price:
        return "the compare-at price cannot be below the price"
    return None


@dataclass(frozen=True, slots=True)
class OfferRule:
    """An offer as resolution sees it: its scope and the fields it sets (non-null only)."""

    offer_id: int
    channel: str | None
    region_id: int | None
    store_id: int | None
    values: Mapping[str, Any]

    @property
    def level(self) -> Level:
        return level_of(self.channel, self.region_id, self.store_id)


@dataclass(frozen=True, slots=True)
class Source:
    level: Level
    offer_id: int | None = None
    channel: str | None = None
    region_id: int | None = None
    store_id: int | None = None

    @classmethod
    def of(cls, rule: OfferRule) -> "Source":
        return cls(rule.level, rule.offer_id, rule.channel, rule.region_id, rule.store_id)


@dataclass(frozen=True, slots=True)
class Resolved:
    value: Any
    source: Source | None


@dataclass(frozen=True, slots=True)
class ResolvedOffer:
    """The SKU as a store sells it in one channel: every field with where it came from."""

    sku_id: int
    currency: str
    fields: dict[str, Resolved] = field(default_factory=dict)
    active: bool = True

    def value(self, name: str) -> Any:
        return self.fields[name].value

    @property
    def price(self) -> int | None:
        return self.value("price")  # type: ignore[no-any-return]

    @property
    def available(self) -> bool:
        return bool(self.value("available"))

    @property
    def per_order_limit(self) -> int | None:
        return self.value("per_order_limit")  # type: ignore[no-any-return]

    @property
    def sellable(self) -> bool:
        """Whether it can go in a cart: an active product, available and priced."""
        return self.active and self.available and self.price is not None


def rank(
    rule: OfferRule, *, store_id: int, region_chain: Sequence[int], channel: str
) -> tuple[int, int] | None:
    """How specific ``rule`` is here (lower wins); None when it does not apply at all."""
    if rule.channel is not None and rule.channel != channel:
        return None
    level = rule.level
    if level in (Level.STORE_CHANNEL, Level.STORE):
        return (LEVEL_ORDER.index(level), 0) if rule.store_id == store_id else None
    if level is Level.REGION:
        if rule.region_id not in region_chain:
            return None
        return LEVEL_ORDER.index(level), region_chain.index(rule.region_id)
    return LEVEL_ORDER.index(level), 0


def resolve(
    rules: Iterable[OfferRule],
    *,
    sku_id: int,
    store_id: int,
    region_chain: Sequence[int],
    channel: str,
    currency: str,
    product: Mapping[str, Any] | None = None,
    active: bool = True,
) -> ResolvedOffer:
    """Resolve every field from the most specific applicable rule that sets it."""
    ranked: list[tuple[tuple[int, int], int, OfferRule]] = []
    for rule in rules:
        position = rank(rule, store_id=store_id, region_chain=region_chain, channel=channel)
        if position is not None:
            ranked.append((position, rule.offer_id, rule))
    ranked.sort(key=lambda item: (item[0], item[1]))
    fields = {name: _resolve_field(name, ranked, product or {}) for name in OFFER_FIELDS}
    price, compare_at = fields["price"], fields["compare_at_price"]
    if compare_at.value is not None and (price.value is None or compare_at.value < price.value):
        fields["compare_at_price"] = Resolved(None, compare_at.source)
    return ResolvedOffer(sku_id=sku_id, currency=currency, fields=fields, active=active)


def _resolve_field(
    name: str, ranked: Sequence[tuple[Any, int, OfferRule]], product: Mapping[str, Any]
) -> Resolved:
    for _, _, rule in ranked:
        value = rule.values.get(name)
        if value is not None:
            return Resolved(value, Source.of(rule))
    if name in PRODUCT_FIELDS and name in product:
        return Resolved(product[name], Source(Level.PRODUCT))
    if name == "available":
        return Resolved(True, Source(Level.DEFAULT))
    return Resolved(None, None)
