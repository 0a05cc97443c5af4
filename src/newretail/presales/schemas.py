"""Request and response bodies of pre-sales, deposits and the deposit board."""

from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)

from newretail.kernel.schemas import Code, Id, InputModel, Name, ReadModel
from newretail.orders.rules import DeliveryMethod
from newretail.orders.schemas import Address, OrderRead
from newretail.presales.rules import DEFAULT_DELIVERY, UnpaidRule, valid_item

Amount = Annotated[int, Field(ge=1, le=10**11)]
PHONE_PATTERN = r"^\+?[0-9][0-9 ()-]{3,30}[0-9]$"
LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


def _without_offset(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("a wall-clock time read in each store's timezone takes no UTC offset")
    return value


# A time of day on each store's own clock: stores of one campaign sit in different
# timezones, so it carries no offset. JSON Schema's ``format: time`` requires one, so the
# schema says what is sent instead: ``HH:MM[:SS[.ffffff]]``.
LocalTime = Annotated[
    time,
    AfterValidator(_without_offset),
    PlainSerializer(lambda value: value.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": LOCAL_TIME_PATTERN,
            "description": "A time of day in each store's own timezone, without an offset.",
            "examples": ["20:00:00"],
        }
    ),
]


class PresaleItemCreate(InputModel):
    sku_id: Id
    price: Amount = Field(description="The pre-sale price of one unit, minor units.")
    deposit: Amount = Field(description="The deposit paid for one unit.")
    deposit_value: Amount | None = Field(
        default=None,
        description="What one deposit counts for off the price at balance time (定金膨胀); "
        "the deposit itself when absent.",
    )

    @model_validator(mode="after")
    def _within_price(self) -> "PresaleItemCreate":
        value = self.deposit_value if self.deposit_value is not None else self.deposit
        if not valid_item(price=self.price, deposit=self.deposit, deposit_value=value):
            raise ValueError("need 0 < deposit <= deposit_value <= price")
        return self


class PresaleCreate(InputModel):
    brand_id: Id | None = Field(default=None, description="Platform admins only.")
    name: Name
    deposit_starts_at: AwareDatetime
    deposit_ends_at: AwareDatetime
    event_day: date = Field(description="The balance day, read in each store's timezone.")
    balance_opens: LocalTime = time(0, 0)
    balance_closes: LocalTime = Field(
        default=time(0, 0), description="Local closing time; 00:00 = the end of the day."
    )
    unpaid_rule: UnpaidRule = UnpaidRule.KEEP
    delivery_methods: Annotated[list[DeliveryMethod], Field(min_length=1, max_length=3)] = Field(
        default_factory=lambda: list(DEFAULT_DELIVERY),
        description="How buyers may get their items: pickup at the deposit's store, a "
        "parcel from it (ship), or a courier from it to an address nearby (same_city).",
    )
    store_ids: Annotated[list[Id], Field(min_length=1, max_length=500)]
    items: Annotated[list[PresaleItemCreate], Field(min_length=1, max_length=100)]

    @model_validator(mode="after")
    def _windows(self) -> "PresaleCreate":
        if self.deposit_ends_at <= self.deposit_starts_at:
            raise ValueError("deposit_ends_at must be after deposit_starts_at")
        if self.balance_closes != time(0, 0) and self.balance_closes <= self.balance_opens:
            raise ValueError("balance_closes must be after balance_opens")
        if self.event_day < self.deposit_starts_at.date():
            raise ValueError("the event day comes after the deposits open")
        if len(set(self.store_ids)) != len(self.store_ids):
            raise ValueError("each store once")
        if len({i.sku_id for i in self.items}) != len(self.items):
            raise ValueError("each SKU once")
        if len(set(self.delivery_methods)) != len(self.delivery_methods):
            raise ValueError("each delivery method once")
        if DeliveryMethod.CARRY_OUT in self.delivery_methods:
            raise ValueError("a pre-sale's goods come later: carry_out is not a pre-sale method")
        return self


class PresaleItemRead(ReadModel):
    sku_id: int
    price: int
    deposit: int
    deposit_value: int


class PresaleRead(ReadModel):
    id: int
    brand_id: int
    name: str
    deposit_starts_at: datetime
    deposit_ends_at: datetime
    event_day: date
    balance_opens: LocalTime
    balance_closes: LocalTime
    unpaid_rule: str
    delivery_methods: list[str]
    store_ids: list[int]
    items: list[PresaleItemRead]
    created_at: datetime


class DeliveryAddress(Address):
    """An address to deliver to; the phone a courier can call (digits, with an optional
    leading +, spaces, dashes and brackets)."""

    phone: Annotated[str, Field(min_length=5, max_length=32, pattern=PHONE_PATTERN)]


class PresaleDelivery(InputModel):
    """How the buyer gets the items: ``pickup`` at the deposit's store; ``ship``, a parcel
    from it to ``address``; ``same_city``, a courier from it to ``address`` (lat and lng
    needed, within the same-city radius of the store)."""

    method: DeliveryMethod = DeliveryMethod.PICKUP
    address: DeliveryAddress | None = None

    @model_validator(mode="after")
    def _fits_method(self) -> "PresaleDelivery":
        if self.method is DeliveryMethod.CARRY_OUT:
            raise ValueError("a pre-sale's goods come later: pickup, ship or same_city")
        if self.method is DeliveryMethod.PICKUP and self.address is not None:
            raise ValueError("pickup takes no address")
        if self.method is not DeliveryMethod.PICKUP and self.address is None:
            raise ValueError("an address is needed for ship and same_city")
        located = self.address is not None and None not in (self.address.lat, self.address.lng)
        if self.method is DeliveryMethod.SAME_CITY and not located:
            raise ValueError("same_city needs the address's lat and lng")
        return self


class DepositCreate(InputModel):
    """A deposit; a share link's guide and a scanned code credit it as they credit any order
    (the pre-sale is its campaign)."""

    store_id: Id
    sku_id: Id
    quantity: Annotated[int, Field(ge=1, le=100)] = 1
    delivery: PresaleDelivery = Field(
        default_factory=PresaleDelivery,
        description="Pickup unless the campaign offers another method and it is chosen; it "
        "can be changed until the balance is paid (PUT /presales/deposits/{id}/delivery).",
    )
    referring_guide_id: Id | None = None
    touchpoint_code: Code | None = None


class DepositRead(ReadModel):
    id: int
    campaign_id: int
    store_id: int
    sku_id: int
    quantity: int
    consumer_id: int | None
    member_id: int | None
    status: str = Field(
        description="awaiting_payment, deposited, balance_ordered, completed, expired, lapsed, "
        "refunded. It follows the deposit's orders shortly after they change."
    )
    deposit_amount: int
    deposit_credit: int = Field(description="What the deposit counts for off the balance.")
    balance_amount: int
    deposit_order_id: int
    balance_order_id: int | None
    balance_opens_at: datetime
    balance_closes_at: datetime
    refunded_amount: int
    delivery_method: str = Field(description="pickup, ship or same_city.")
    address: dict[str, Any] | None = Field(description="Where ship and same_city deliver.")
    created_at: datetime


class DepositResult(ReadModel):
    deposit: DepositRead
    order: OrderRead = Field(description="The order to pay: the deposit's or the balance's.")


class BoardRow(ReadModel):
    store_id: int
    store_code: str
    store_name: str
    sku_id: int
    sku_code: str
    deposits: int = Field(description="Paid deposits still open or completed.")
    units: int
    deposit_amount: int
    balance_paid_units: int


class Board(ReadModel):
    presale_id: int
    currency: str
    rows: list[BoardRow]
    total_deposits: int
    total_units: int
    total_deposit_amount: int
