"""Request and response bodies of carts, orders and fulfilments."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, model_validator

from newretail.kernel.schemas import Code, Id, InputModel, Latitude, Longitude, ReadModel, Text
from newretail.orders.rules import DeliveryMethod

Quantity = Annotated[int, Field(ge=1, le=10_000)]
Amount = Annotated[int, Field(ge=0, le=10**13)]


class LineCreate(InputModel):
    sku_id: Id
    quantity: Quantity


class OrderLineCreate(LineCreate):
    serving_guide_id: Id | None = Field(
        default=None,
        description="Staff only: the guide who served the buyer for this line (credited for it).",
    )


class Attribution(InputModel):
    """Who brought the sale: a share link's or badge's guide, a touchpoint code, a campaign."""

    referring_guide_id: Id | None = None
    touchpoint_code: Code | None = None
    campaign: Annotated[str | None, Field(default=None, min_length=1, max_length=64)] = None


class Address(InputModel):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    phone: Annotated[str, Field(min_length=3, max_length=32)]
    line1: Annotated[str, Field(min_length=1, max_length=300)]
    city: Annotated[str, Field(max_length=100)] = ""
    lat: Latitude | None = None
    lng: Longitude | None = None


class Delivery(InputModel):
    """``ship``: a parcel to ``address``; ``pickup``: at ``pickup_store_id`` (default: the
    selling store); ``same_city``: a courier from a store near ``address`` (lat/lng needed);
    ``carry_out``: staff selling at the counter, the buyer takes the goods now (a purchase
    paid at once, completed in the same transaction)."""

    method: Annotated[str, Field(pattern="^(ship|pickup|same_city|carry_out)$")]
    pickup_store_id: Id | None = None
    address: Address | None = None

    @model_validator(mode="after")
    def _fits_method(self) -> "Delivery":
        pickup = self.method == DeliveryMethod.PICKUP
        if self.method == DeliveryMethod.CARRY_OUT:
            if self.address is not None or self.pickup_store_id is not None:
                raise ValueError("a carry-out leaves from the counter: no address, no pickup store")
            return self
        if not pickup and self.address is None:
            raise ValueError("an address is needed for ship and same_city")
        if self.method == DeliveryMethod.SAME_CITY and self.address and self.address.lat is None:
            raise ValueError("same_city needs the address's lat and lng")
        if not pickup and self.pickup_store_id is not None:
            raise ValueError("pickup_store_id is only for pickup")
        return self


class CartCreate(Attribution):
    store_id: Id
    channel: Annotated[str, Field(pattern="^(online|cloud_store|guide_share|livestream|pos)$")]
    lines: Annotated[list[LineCreate], Field(min_length=1, max_length=100)]


class CartLinesUpdate(InputModel):
    lines: Annotated[list[LineCreate], Field(min_length=1, max_length=100)]


OFFER_KEY = r"^(promotion|coupon):[1-9][0-9]{0,17}$"


class Checkout(InputModel):
    delivery: Delivery
    member_id: Id | None = Field(
        default=None, description="Staff only: the member buying (consumers buy as themselves)."
    )
    discount: Amount = Field(default=0, description="Staff only: off the order, in minor units.")
    note: Text = ""
    offer_keys: (
        Annotated[list[Annotated[str, Field(pattern=OFFER_KEY)]], Field(max_length=10)] | None
    ) = Field(
        default=None,
        description=(
            "The promotions and coupons to apply, as quoted (promotion:<id>, coupon:<id>), "
            "checked again on the order; none given: the best combination."
        ),
    )
    points: Annotated[int, Field(ge=0, le=10**9)] | None = Field(
        default=None,
        description=(
            "At most this many of the member's points pay part of the order (0: none); "
            "none given: as many as the best combination uses."
        ),
    )


class OrderCreate(CartCreate, Checkout):
    """A cart and its checkout in one request."""

    lines: Annotated[list[OrderLineCreate], Field(min_length=1, max_length=100)]  # type: ignore[assignment]


class PricedLineRead(ReadModel):
    sku_id: int
    title: str
    quantity: int
    unit_price: int | None
    price_source: dict[str, Any]
    sellable: bool
    per_order_limit: int | None


class CartRead(ReadModel):
    id: int
    brand_id: int
    store_id: int
    channel: str
    status: str
    order_id: int | None
    attribution: dict[str, Any]
    currency: str
    lines: list[PricedLineRead]
    subtotal: int


class OrderLineRead(ReadModel):
    id: int
    sku_id: int
    title: str
    quantity: int
    unit_price: int
    price_source: dict[str, Any]
    subtotal: int
    discount: int
    total: int
    location_id: int
    routing_reason: str
    refunded_quantity: int
    refunded_amount: int
    serving_guide_id: int | None = None


class OrderRead(ReadModel):
    id: int
    brand_id: int
    number: str
    kind: str = Field(default="standard", description="standard, deposit or balance.")
    store_id: int
    channel: str
    consumer_id: int | None
    member_id: int | None
    bound_store_id: int | None
    bound_guide_id: int | None
    referring_guide_id: int | None
    touchpoint_code: str | None
    campaign: str | None
    note: str = Field(default="", description="The buyer's note, as given at checkout.")
    status: str
    refund_state: str
    currency: str
    subtotal: int
    discount: int
    total: int
    paid_amount: int
    refunded_amount: int
    delivery_method: str
    pickup_store_id: int | None
    expires_at: datetime
    cancel_reason: str | None
    created_at: datetime
    paid_at: datetime | None
    closed_at: datetime | None
    lines: list[OrderLineRead]


class FulfilmentLineRead(ReadModel):
    order_line_id: int
    sku_id: int
    quantity: int


class FulfilmentRead(ReadModel):
    id: int
    order_id: int
    kind: str
    location_id: int
    status: str
    reason: str
    distance_km: float | None
    pickup_code: str | None
    tracking_no: str | None
    created_at: datetime
    ready_at: datetime | None
    shipped_at: datetime | None
    completed_at: datetime | None
    lines: list[FulfilmentLineRead]


class ShipRequest(InputModel):
    tracking_no: Annotated[str | None, Field(default=None, min_length=1, max_length=64)] = None


class HandoverRequest(InputModel):
    store_id: Id
    pickup_code: Annotated[str, Field(pattern=r"^[0-9]{6}$")]
