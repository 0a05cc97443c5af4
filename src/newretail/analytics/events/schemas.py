"""The Segment-style envelope and each event's typed properties.

A batch is read as a list of raw objects so that each event is validated on its own: one
bad event is refused with its reason and the others are kept.
"""

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from newretail.analytics.events.rules import Channel
from newretail.kernel.schemas import NoBooleanNumbers

Id = int


class _Props(NoBooleanNumbers):
    """Known properties are typed; others are kept as sent (senders add their own)."""

    model_config = ConfigDict(extra="allow", strict=False)


class ProductProps(_Props):
    product_id: Id
    sku_id: Id | None = None
    price_fen: int | None = Field(default=None, ge=0)


class ProductAddedProps(ProductProps):
    quantity: int = Field(default=1, ge=1, le=10_000)


class SearchProps(_Props):
    query: str = Field(min_length=1, max_length=200)


class CartProps(_Props):
    cart_id: Id | None = None
    value_fen: int | None = Field(default=None, ge=0)


class OrderProps(_Props):
    order_id: Id
    revenue_fen: int = Field(ge=0)


class RefundProps(_Props):
    order_id: Id
    refunded_fen: int = Field(ge=0)


class CouponProps(_Props):
    template_id: Id
    coupon_id: Id | None = None


class TryOnProps(_Props):
    sku_id: Id | None = None
    product_id: Id | None = None


class SampleProps(_Props):
    sku_id: Id | None = None
    machine_id: str | None = Field(default=None, max_length=64)


class AdProps(_Props):
    ad_id: str | None = Field(default=None, max_length=64)
    platform: str | None = Field(default=None, max_length=32)


class SignUpProps(_Props):
    member_id: Id | None = None


class GeofenceProps(_Props):
    radius_m: int | None = Field(default=None, ge=0, le=100_000)


class DepositProps(_Props):
    deposit_id: Id | None = None
    amount_fen: int | None = Field(default=None, ge=0)


class ContentProps(_Props):
    content_id: Id | None = None


class NoProps(_Props):
    pass


# Each event name, its properties, and the context it cannot be understood without.
EVENT_TYPES: dict[str, tuple[type[_Props], tuple[str, ...]]] = {
    "Product Viewed": (ProductProps, ()),
    "Products Searched": (SearchProps, ()),
    "Product Added": (ProductAddedProps, ()),
    "Cart Viewed": (CartProps, ()),
    "Checkout Started": (CartProps, ()),
    "Order Completed": (OrderProps, ()),
    "Order Refunded": (RefundProps, ()),
    "Coupon Claimed": (CouponProps, ()),
    "District Entered": (NoProps, ("district_id",)),
    "Store Entered": (NoProps, ("store_id",)),
    "Item Tried On": (TryOnProps, ("store_id",)),
    "Sample Dispensed": (SampleProps, ()),
    "QR Scanned": (NoProps, ("code",)),
    "Ad Exposed": (AdProps, ()),
    "Member Signed Up": (SignUpProps, ()),
    "Geofence Entered": (GeofenceProps, ("store_id",)),
    "Deposit Paid": (DepositProps, ()),
    "Popup Visited": (NoProps, ("popup_id",)),
    "Share Opened": (ContentProps, ("guide_id",)),
    "Message Read": (ContentProps, ("guide_id",)),
}


class EventContext(NoBooleanNumbers):
    """Where and through whom: ids of the brand's places and people, the code, the point."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    brand_id: Id | None = Field(default=None, alias="brand")
    store_id: Id | None = Field(default=None, alias="store")
    district_id: Id | None = Field(default=None, alias="district")
    guide_id: Id | None = Field(default=None, alias="guide")
    popup_id: Id | None = Field(default=None, alias="popup")
    code: str | None = Field(default=None, max_length=32)
    campaign: str | None = Field(default=None, max_length=100)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    device_id: str | None = Field(default=None, max_length=128)
    # A WeChat union id the mini app knows: links the visitor to its consumer; not stored.
    union_id: str | None = Field(default=None, max_length=128)
    # A phone the person gave (a kiosk, a sampling machine, the till): links the visitor to
    # the consumer holding it; not stored. Senders that may name members only.
    phone: str | None = Field(default=None, max_length=32)


class EventIn(BaseModel):
    """One event as sent (Segment's names; ``receivedAt`` is the server's, never sent)."""

    model_config = ConfigDict(extra="forbid")

    messageId: str = Field(min_length=1, max_length=128)
    type: str = Field(default="track", pattern="^(track|identify|page|screen)$")
    event: str = Field(min_length=1, max_length=64)
    anonymousId: str | None = Field(default=None, min_length=1, max_length=128)
    userId: str | None = Field(default=None, min_length=1, max_length=64)
    timestamp: AwareDatetime | None = None
    originalTimestamp: AwareDatetime | None = None
    sentAt: AwareDatetime | None = None
    channel: Channel
    context: EventContext = Field(default_factory=EventContext)
    properties: dict[str, Any] = Field(default_factory=dict)


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    batch: list[Any]
    sentAt: AwareDatetime | None = None
    # A page's token, in the body: navigator.sendBeacon cannot send an Authorization header.
    writeKey: str | None = Field(default=None, max_length=2000)


class RejectRead(BaseModel):
    index: int
    message_id: str | None
    code: str
    detail: str


class BatchResult(BaseModel):
    """What became of a batch: kept, already there, dropped for consent, refused (with why)."""

    accepted: int
    duplicates: int
    no_consent: int
    rejected: list[RejectRead]


class EventRow(BaseModel):
    """An event ready to be kept (also what the platform's own events are built as)."""

    model_config = ConfigDict(frozen=True)

    brand_id: int
    message_id: str
    event: str
    channel: str
    person_key: str
    ts: datetime
    received_at: datetime
    anonymous_id: str | None = None
    user_id: str | None = None
    original_ts: datetime | None = None
    sent_at: datetime | None = None
    store_id: int | None = None
    district_id: int | None = None
    guide_id: int | None = None
    popup_id: int | None = None
    code: str | None = None
    campaign: str | None = None
    lat: float | None = None
    lng: float | None = None
    order_id: int | None = None
    revenue_fen: int | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
