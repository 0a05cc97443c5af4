"""Request and response bodies of returns, exchanges and the brand's return window."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from pydantic import Field, model_validator

from newretail.kernel.schemas import Id, InputModel, ReadModel, Text
from newretail.orders.schemas import Quantity

ReturnKind = Annotated[str, Field(pattern="^(return|exchange)$")]


def check_kind(kind: str, exchange_sku_ids: Sequence[int | None]) -> None:
    """An exchange names a SKU to hand over on every line, a return on none (ValueError)."""
    swapped = [sku_id is not None for sku_id in exchange_sku_ids]
    if kind == "exchange" and not all(swapped):
        raise ValueError("every line of an exchange names its exchange_sku_id")
    if kind == "return" and any(swapped):
        raise ValueError("exchange_sku_id is only for exchanges")


class ReturnLineCreate(InputModel):
    order_line_id: Id
    quantity: Quantity
    exchange_sku_id: Id | None = Field(
        default=None, description="Exchanges only: the SKU of the same product to hand over."
    )


class ReturnCreate(InputModel):
    """Units of an order coming back to ``receiving_location_id`` (any store or warehouse).

    Staff at the counter who hold the goods set ``received`` and the return is received at
    once; a consumer (or staff for a parcel on its way) leaves it ``requested`` until the
    location receives it.
    """

    order_id: Id
    kind: ReturnKind = "return"
    receiving_location_id: Id
    lines: Annotated[list[ReturnLineCreate], Field(min_length=1, max_length=100)]
    reason: Text = ""
    received: bool = False

    @model_validator(mode="after")
    def _fits_kind(self) -> "ReturnCreate":
        check_kind(self.kind, [line.exchange_sku_id for line in self.lines])
        return self


class ReturnLineRead(ReadModel):
    id: int
    order_line_id: int
    sku_id: int
    quantity: int
    exchange_sku_id: int | None
    amount: int


class ReturnRead(ReadModel):
    id: int
    brand_id: int
    number: str
    order_id: int
    kind: str
    status: str = Field(description="requested, received or cancelled.")
    receiving_location_id: int
    reason: str
    refund_id: int | None
    refund_amount: int
    created_at: datetime
    received_at: datetime | None
    cancelled_at: datetime | None
    lines: list[ReturnLineRead]


class ReturnPolicyRead(ReadModel):
    brand_id: int
    window_days: int


class ReturnPolicyUpdate(InputModel):
    brand_id: Id | None = None
    window_days: Annotated[int, Field(ge=0, le=3650)]
