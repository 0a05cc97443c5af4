from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from newretail.inventory.rules import MAX_LINES, MAX_TTL, Purpose, ReservationStatus
from newretail.kernel.schemas import InputModel, ReadModel, Text

MAX_UNITS = 1_000_000_000
MAX_SYNC_ITEMS = 1000

# Strict: 1.5, "1" and true are refused instead of being coerced to a whole number.
Id = Annotated[int, Field(strict=True, gt=0, le=2**63 - 1)]
Quantity = Annotated[int, Field(strict=True, gt=0, le=MAX_UNITS, description="Units, > 0.")]
Level = Annotated[int, Field(strict=True, ge=0, le=MAX_UNITS, description="Units, >= 0.")]
Sequence = Annotated[int, Field(strict=True, ge=0, le=2**63 - 1)]


def _non_zero(value: int) -> int:
    if value == 0:
        raise ValueError("an adjustment of zero units changes nothing")
    return value


Delta = Annotated[
    int,
    Field(strict=True, ge=-MAX_UNITS, le=MAX_UNITS, description="Units to add (< 0 removes)."),
    AfterValidator(_non_zero),
]
ReferenceType = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{0,31}$")]
ReferenceId = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
]


class QuantityLine(InputModel):
    sku_id: Id
    quantity: Quantity


class AdjustmentLine(InputModel):
    sku_id: Id
    delta: Delta


class CountLine(InputModel):
    sku_id: Id
    counted: Level


class _MovementBase(InputModel):
    location_id: Id
    reference_type: ReferenceType | None = None
    reference_id: ReferenceId | None = None
    note: Text = ""


class ReceiptCreate(_MovementBase):
    """Goods in from a supplier or the brand's distribution."""

    kind: Literal["receipt"]
    lines: Annotated[list[QuantityLine], Field(min_length=1, max_length=MAX_LINES)]


class ReturnCreate(_MovementBase):
    """Goods back from a customer, into sellable stock."""

    kind: Literal["return"]
    lines: Annotated[list[QuantityLine], Field(min_length=1, max_length=MAX_LINES)]


class AdjustmentCreate(_MovementBase):
    """A correction by a number of units (damage, loss, found stock); a note says why."""

    kind: Literal["adjustment"]
    lines: Annotated[list[AdjustmentLine], Field(min_length=1, max_length=MAX_LINES)]
    note: Annotated[Text, Field(min_length=1)]


class CountCreate(_MovementBase):
    """A stock count: the units found on the shelf become on_hand."""

    kind: Literal["count"]
    lines: Annotated[list[CountLine], Field(min_length=1, max_length=MAX_LINES)]


MovementCreate = Annotated[
    ReceiptCreate | ReturnCreate | AdjustmentCreate | CountCreate, Field(discriminator="kind")
]


class LevelRead(ReadModel):
    id: int
    brand_id: int
    location_id: int
    sku_id: int
    on_hand: int
    reserved: int
    available: int
    shortfall: int = Field(description="Reserved units an ERP sync or count found missing.")
    erp_seq: int | None
    updated_at: datetime


class MovementRead(ReadModel):
    id: int
    brand_id: int
    location_id: int
    sku_id: int
    kind: str
    quantity: int = Field(description="Change of on_hand: > 0 in, < 0 out.")
    on_hand_after: int
    reference_type: str | None
    reference_id: str | None
    actor_type: str
    actor_id: int | None
    note: str
    created_at: datetime


class StockWarning(ReadModel):
    location_id: int
    sku_id: int
    code: str
    detail: str
    shortfall: int


class MovementResult(ReadModel):
    movements: list[MovementRead]
    levels: list[LevelRead]
    warnings: list[StockWarning]


class TransferCreate(InputModel):
    from_location_id: Id
    to_location_id: Id
    lines: Annotated[list[QuantityLine], Field(min_length=1, max_length=MAX_LINES)]
    note: Text = ""


class TransferLineRead(ReadModel):
    sku_id: int
    quantity: int


class TransferRead(ReadModel):
    id: int
    brand_id: int
    from_location_id: int
    to_location_id: int
    lines: list[TransferLineRead]
    note: str
    actor_type: str
    actor_id: int | None
    created_at: datetime


class ReservationLineCreate(InputModel):
    location_id: Id
    sku_id: Id
    quantity: Quantity


class ReservationCreate(InputModel):
    purpose: Purpose
    reference_id: ReferenceId = Field(
        description="The cart, order, pre-sale or till sale id; a retry with it reserves nothing "
        "new and returns the first reservation."
    )
    ttl_seconds: (
        Annotated[int, Field(strict=True, gt=0, le=int(MAX_TTL.total_seconds()))] | None
    ) = Field(default=None, description="Hold time; by default per purpose.")
    lines: Annotated[list[ReservationLineCreate], Field(min_length=1, max_length=MAX_LINES)]


class ReservationLineRead(ReadModel):
    location_id: int
    sku_id: int
    quantity: int


class ReservationRead(ReadModel):
    id: int
    brand_id: int
    purpose: str
    reference_id: str
    status: ReservationStatus
    expires_at: datetime
    created_at: datetime
    closed_at: datetime | None
    lines: list[ReservationLineRead]


class SyncItem(InputModel):
    location_id: Id
    sku_id: Id
    on_hand: Level
    seq: Sequence = Field(description="Increases per (location, SKU); older ones are skipped.")


class SyncBatch(InputModel):
    items: Annotated[list[SyncItem], Field(min_length=1, max_length=MAX_SYNC_ITEMS)]


class SyncRowResult(ReadModel):
    index: int
    location_id: int
    sku_id: int
    status: Literal["applied", "duplicate", "stale"]
    code: str | None = None
    detail: str = ""
    on_hand: int | None = None
    delta: int = 0
    shortfall: int = 0


class SyncResult(ReadModel):
    applied: int
    skipped: int = Field(description="Items whose seq was not newer: nothing changed.")
    results: list[SyncRowResult] = Field(description="One per item, in the order sent.")
