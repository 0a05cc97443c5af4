"""Request and response bodies of the till (docs/pos.md is the contract they follow)."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from newretail.kernel.schemas import Id, InputModel, ReadModel, Text
from newretail.orders.schemas import OFFER_KEY, Delivery, Quantity
from newretail.pos.rules import TenderMethod
from newretail.returns.schemas import ReturnKind, check_kind

Amount = Annotated[int, Field(ge=0, le=10**13)]
PositiveAmount = Annotated[int, Field(ge=1, le=10**13)]
Note = Annotated[str, Field(max_length=500)]


# ---- registers and shifts -------------------------------------------------------------


class RegisterCreate(InputModel):
    store_id: Id
    code: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
    name: Annotated[str, Field(max_length=100)] = ""


class RegisterRead(ReadModel):
    id: int
    brand_id: int
    store_id: int
    code: str
    name: str
    active: bool
    open_shift_id: int | None = None
    created_at: datetime


class ShiftOpen(InputModel):
    register_id: Id
    opening_float: Amount


class ShiftClose(InputModel):
    counted: Annotated[dict[TenderMethod, Amount], Field(max_length=5)] = Field(
        default_factory=dict
    )
    pending_client_ids: Annotated[list[UUID], Field(max_length=10_000)] = Field(
        default_factory=list
    )
    pending_count: Annotated[int, Field(ge=0, le=10**6)] = 0
    note: Note = ""


class ShiftReopen(InputModel):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class ShiftRead(ReadModel):
    id: int
    brand_id: int
    store_id: int
    register_id: int
    status: str
    currency: str
    opening_float: int
    opened_by_id: int | None
    opened_at: datetime
    closed_by_id: int | None
    closed_at: datetime | None
    counted: dict[str, int]
    note: str
    reopen_count: int


class MethodLineRead(ReadModel):
    method: str
    taken: int
    change: int
    refunded: int
    expected: int
    counted: int | None
    difference: int | None


class ShiftReport(ReadModel):
    shift: ShiftRead
    currency: str
    sales_count: int
    sales_total: int
    refunds_total: int
    change_given: int
    methods: list[MethodLineRead]
    balanced: bool


# ---- lookups --------------------------------------------------------------------------


class ProductHit(ReadModel):
    sku_id: int
    product_id: int
    sku_code: str
    barcode: str | None
    title: str
    unit_price: int | None
    currency: str
    price_source: dict[str, Any]
    sellable: bool
    available_here: int


class ProductHits(ReadModel):
    items: list[ProductHit]


class MemberCard(ReadModel):
    member_id: int
    member_no: str
    phone: str | None
    name: str | None
    tier: str
    points: int
    points_value: int
    store_credit: int
    bound_store_id: int | None
    bound_guide_id: int | None
    coupons: int


class MemberSignUp(InputModel):
    store_id: Id
    phone: Annotated[str, Field(min_length=3, max_length=32)]
    guide_id: Id | None = None
    name: Annotated[str | None, Field(default=None, min_length=1, max_length=100)] = None


class BindingRead(ReadModel):
    action: str
    reason: str


class SignUpRead(MemberCard):
    created: bool
    binding: BindingRead | None


class GuideRead(ReadModel):
    id: int
    name: str


class GuideList(ReadModel):
    items: list[GuideRead]


class StoreCreditCreate(InputModel):
    amount: Annotated[int, Field(ge=-(10**11), le=10**11)]
    reason: Annotated[str, Field(min_length=1, max_length=200)]


class StoreCreditRead(ReadModel):
    member_id: int
    balance: int


# ---- selling --------------------------------------------------------------------------


class SaleLine(InputModel):
    sku_id: Id
    quantity: Quantity
    guide_id: Id | None = None
    unit_price: Amount | None = Field(default=None, description="The price the till showed.")


OfferKeys = Annotated[list[Annotated[str, Field(pattern=OFFER_KEY)]], Field(max_length=10)]
PointsToUse = Annotated[int, Field(ge=0, le=10**9)] | None
POINTS_HELP = (
    "At most this many of the member's points pay part of the sale (0: none); "
    "none given: as many as the best combination uses."
)


class SaleDelivery(Delivery):
    """``carry_out`` (the default): taken now; ``ship``: the endless aisle, from wherever has
    it to ``address``; ``same_city``: a courier; ``pickup``: collected later."""

    method: Annotated[str, Field(pattern="^(carry_out|ship|same_city|pickup)$")] = "carry_out"


class QuoteCreate(InputModel):
    store_id: Id
    member_id: Id | None = None
    lines: Annotated[list[SaleLine], Field(min_length=1, max_length=100)]
    offer_keys: OfferKeys | None = None
    points: PointsToUse = Field(default=None, description=POINTS_HELP)
    discount: Amount = 0
    delivery: SaleDelivery = Field(default_factory=SaleDelivery)


class TenderCreate(InputModel):
    method: TenderMethod
    amount: PositiveAmount
    tendered: PositiveAmount | None = None
    code: Annotated[str | None, Field(default=None, min_length=6, max_length=64)] = None
    reference: Annotated[str | None, Field(default=None, max_length=64)] = None
    provider: Annotated[str | None, Field(default=None, pattern="^[a-z][a-z0-9_]{0,31}$")] = None

    @model_validator(mode="after")
    def _code_for_payment_codes(self) -> "TenderCreate":
        if self.method is TenderMethod.PAYMENT_CODE and self.code is None:
            raise ValueError("a payment_code tender carries the code scanned from the wallet")
        return self


Tenders = Annotated[list[TenderCreate], Field(min_length=1, max_length=10)]


class SaleCreate(InputModel):
    client_id: UUID
    device_time: AwareDatetime | None = None
    shift_id: Id
    member_id: Id | None = None
    lines: Annotated[list[SaleLine], Field(min_length=1, max_length=100)]
    offer_keys: OfferKeys | None = None
    points: PointsToUse = Field(default=None, description=POINTS_HELP)
    discount: Amount = 0
    total: Amount | None = Field(default=None, description="The total the till showed.")
    delivery: SaleDelivery = Field(default_factory=SaleDelivery)
    tenders: Tenders
    note: Text = ""

    @model_validator(mode="after")
    def _distinct_skus(self) -> "SaleCreate":
        if len({line.sku_id for line in self.lines}) != len(self.lines):
            raise ValueError("each SKU on one line (change its quantity)")
        return self


class QuoteLine(ReadModel):
    sku_id: int
    title: str
    quantity: int
    unit_price: int
    price_source: dict[str, Any]
    subtotal: int
    discount: int
    total: int
    guide_id: int | None
    available_here: int


class OfferTaken(ReadModel):
    key: str
    name: str
    source: str
    amount: int


class QuoteMember(ReadModel):
    member_id: int
    points: int
    points_value: int
    store_credit: int


class QuoteRead(ReadModel):
    currency: str
    lines: list[QuoteLine]
    offers: list[OfferTaken]
    subtotal: int
    discount: int
    total: int
    member: QuoteMember | None
    points_used: int = Field(default=0, description="The member's points paying part of it.")
    points_off: int = Field(default=0, description="What those points pay, in minor units.")


class TenderRead(ReadModel):
    method: str
    amount: int
    tendered: int = 0
    change: int = 0
    payment_id: int | None = None
    status: str = "succeeded"


class ConflictRead(ReadModel):
    id: int
    code: str
    detail: str
    status: str
    resolution: str | None
    note: str
    order_id: int | None
    created_at: datetime
    settled_at: datetime | None


class SaleRead(ReadModel):
    client_id: str
    status: str
    sale_id: int
    order_id: int | None
    order_number: str | None
    order_status: str | None
    total: int
    change: int
    tenders: list[TenderRead]
    conflict: ConflictRead | None
    receipt_url: str | None
    deposit_id: int | None = Field(default=None, description="Pre-sale deposits and balances.")


class SyncBatch(InputModel):
    register_id: Id
    sales: Annotated[list[SaleCreate], Field(min_length=1, max_length=200)]


class SyncResult(ReadModel):
    client_id: str
    status: str
    replayed: bool
    sale: SaleRead


class SyncRead(ReadModel):
    results: list[SyncResult]


class ConflictDetail(ConflictRead):
    client_id: str
    store_id: int
    register_id: int | None
    shift_id: int | None
    device_time: datetime | None
    sale: dict[str, Any]


class ConflictSettle(InputModel):
    resolution: Annotated[str, Field(pattern="^(retry|honour|void)$")]
    note: Note = ""


# ---- beyond the counter ---------------------------------------------------------------


class PickupHandover(InputModel):
    shift_id: Id
    pickup_code: Annotated[str, Field(pattern=r"^[0-9]{6}$")]


class TillReturnLine(InputModel):
    order_line_id: Id
    quantity: Quantity
    exchange_sku_id: Id | None = None


class TillReturnCreate(InputModel):
    shift_id: Id
    order_id: Id
    kind: ReturnKind = "return"
    lines: Annotated[list[TillReturnLine], Field(min_length=1, max_length=100)]
    reason: Text = ""

    @model_validator(mode="after")
    def _fits_kind(self) -> "TillReturnCreate":
        check_kind(self.kind, [line.exchange_sku_id for line in self.lines])
        return self


class RefundedTender(ReadModel):
    method: str
    amount: int


class DepositSale(InputModel):
    client_id: UUID
    shift_id: Id
    presale_id: Id
    sku_id: Id
    quantity: Annotated[int, Field(ge=1, le=100)] = 1
    member_id: Id
    guide_id: Id | None = None
    tenders: Tenders


class BalanceSale(InputModel):
    client_id: UUID
    shift_id: Id
    tenders: Tenders
