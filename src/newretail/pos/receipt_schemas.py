"""The body of a sale's receipt: what an 80 mm slip prints."""

from datetime import datetime

from pydantic import Field

from newretail.kernel.schemas import ReadModel
from newretail.pos.schemas import OfferTaken, TenderRead


class ReceiptStore(ReadModel):
    id: int
    code: str
    name: str
    address: str
    city: str


class ReceiptBrand(ReadModel):
    id: int
    name: str


class ReceiptRegister(ReadModel):
    id: int
    code: str


class ReceiptPerson(ReadModel):
    id: int
    name: str


class ReceiptOrder(ReadModel):
    id: int
    number: str
    status: str
    delivery_method: str
    created_at: datetime


class ReceiptLine(ReadModel):
    sku_id: int
    title: str
    quantity: int
    unit_price: int
    subtotal: int
    discount: int
    total: int
    guide: ReceiptPerson | None


class ReceiptMember(ReadModel):
    member_id: int
    member_no: str
    phone: str | None
    tier: str
    points: int


class Receipt(ReadModel):
    store: ReceiptStore
    brand: ReceiptBrand
    till: ReceiptRegister | None
    shift_id: int | None
    cashier: ReceiptPerson | None
    order: ReceiptOrder
    device_time: datetime | None
    currency: str
    lines: list[ReceiptLine]
    discounts: list[OfferTaken]
    subtotal: int
    discount: int
    total: int
    tenders: list[TenderRead]
    change: int
    member: ReceiptMember | None
    points_used: int = Field(
        default=0, description='The member\'s points spent on the sale (its "points" discount).'
    )
    join_url: str
