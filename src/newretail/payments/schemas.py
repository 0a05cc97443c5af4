"""Request and response bodies of payments and refunds."""

from datetime import datetime
from typing import Annotated

from pydantic import Field, model_validator

from newretail.kernel.schemas import Id, InputModel, ReadModel, Text
from newretail.orders.schemas import OrderCreate, OrderRead


class PaymentCreate(InputModel):
    provider: Annotated[str, Field(pattern="^[a-z][a-z0-9_]{0,31}$")] = "sandbox"
    method: Annotated[str, Field(max_length=32)] = "card"
    instruction: Annotated[
        str | None,
        Field(
            default=None,
            pattern="^(succeed|decline|timeout)$",
            description="Sandbox only: what the provider should do with this payment.",
        ),
    ] = None
    card_number: Annotated[
        str | None,
        Field(default=None, pattern=r"^[0-9 ]{12,23}$", description="Sandbox test cards."),
    ] = None


class PurchaseCreate(OrderCreate):
    """An order and its payment in one request: lines, checkout and how to pay."""

    payment: PaymentCreate = Field(default_factory=PaymentCreate)


class PaymentRead(ReadModel):
    id: int
    order_id: int
    provider: str
    provider_ref: str
    merchant_account_id: int | None = Field(
        default=None, description="The merchant account that receives the money."
    )
    method: str
    amount: int
    currency: str
    status: str = Field(description="pending, succeeded, declined or reversed.")
    failure_reason: str | None
    created_at: datetime
    confirmed_at: datetime | None


class PaymentResult(ReadModel):
    payment: PaymentRead
    order: OrderRead


class NotificationResult(ReadModel):
    payment_id: int
    status: str


class RefundLineCreate(InputModel):
    order_line_id: Id
    quantity: Annotated[int, Field(ge=1, le=10_000)]


class RefundCreate(InputModel):
    """Either ``amount`` (spread over the lines) or ``lines`` (units back, at their share)."""

    amount: Annotated[int | None, Field(default=None, ge=1, le=10**13)] = None
    lines: Annotated[
        list[RefundLineCreate] | None, Field(default=None, min_length=1, max_length=100)
    ] = None
    reason: Text = ""

    @model_validator(mode="after")
    def _one_of(self) -> "RefundCreate":
        if (self.amount is None) == (self.lines is None):
            raise ValueError("give either amount or lines")
        return self


class RefundLineRead(ReadModel):
    order_line_id: int
    quantity: int
    amount: int


class RefundRead(ReadModel):
    id: int
    order_id: int
    payment_id: int
    amount: int
    currency: str
    reason: str
    status: str
    provider_ref: str
    created_at: datetime
    lines: list[RefundLineRead]


class VoucherBoughtBack(ReadModel):
    coupon_id: int
    status: str
    refunded: int = Field(description="The price given back, in minor units.")
    refund_ref: str | None
