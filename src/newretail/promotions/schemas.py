"""Request and response bodies of promotions and coupons (amounts in fen)."""

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, Field

from newretail.catalog.rules import Channel
from newretail.kernel.schemas import Id, InputModel, Name, ReadModel
from newretail.promotions.discounts import Kind
from newretail.promotions.eligibility import Reason, Stacking
from newretail.promotions.models import ClaimChannel, CouponStatus, Funder, ReturnRule, Status
from newretail.promotions.tail import TailReason

Fen = Annotated[int, Field(ge=0, le=10**11)]
Ids = Annotated[list[Id], Field(max_length=500)]
Minute = Annotated[int, Field(ge=0, le=1439)]
Tier = Annotated[str, Field(min_length=1, max_length=32)]


class TierTerms(InputModel):
    threshold: Fen
    off: Annotated[int, Field(ge=1, le=10**11)]


class TermsBody(InputModel):
    """The numbers of an offer; which of them count depends on its kind."""

    tiers: Annotated[list[TierTerms], Field(max_length=10)] = Field(default_factory=list)
    threshold: Fen = 0
    amount: Fen = 0
    percent_off: Annotated[int, Field(ge=0, le=10**6)] = 0
    max_off: Fen | None = None
    every: Annotated[int, Field(ge=0, le=100)] = 0
    free: Annotated[int, Field(ge=0, le=100)] = 0
    set_price: Fen = 0
    unit_price: Fen | None = None
    price: Fen = Field(default=0, description="paid: what the member pays for the voucher.")
    gift_sku_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = Field(
        default=None, description="free_gift: the SKU given."
    )


class ReachBody(InputModel):
    """Where an offer applies; an empty list means every."""

    stores: Ids = Field(default_factory=list)
    channels: Annotated[list[Channel], Field(max_length=10)] = Field(default_factory=list)
    tiers: Annotated[list[Tier], Field(max_length=20)] = Field(default_factory=list)
    categories: Ids = Field(default_factory=list)
    skus: Ids = Field(default_factory=list)
    exclude_categories: Ids = Field(default_factory=list)
    exclude_skus: Ids = Field(default_factory=list)


class PromotionCreate(InputModel):
    brand_id: Id | None = None
    name: Name
    kind: Kind
    stacking: Stacking = Stacking.STACKABLE
    priority: Annotated[int, Field(ge=-1000, le=1000)] = 0
    terms: TermsBody
    reach: ReachBody = ReachBody()
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    from_minute: Minute | None = None
    until_minute: Minute | None = None


class PromotionUpdate(InputModel):
    name: Name | None = None
    stacking: Stacking | None = None
    priority: Annotated[int, Field(ge=-1000, le=1000)] | None = None
    terms: TermsBody | None = None
    reach: ReachBody | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    from_minute: Minute | None = None
    until_minute: Minute | None = None
    status: Status | None = None


class PromotionRead(ReadModel):
    id: int
    brand_id: int
    name: str
    kind: str
    stacking: str
    priority: int
    terms: TermsBody
    reach: ReachBody
    starts_at: datetime
    ends_at: datetime | None
    from_minute: int | None
    until_minute: int | None
    status: str
    created_at: datetime


class TemplateCreate(InputModel):
    brand_id: Id | None = None
    name: Name
    kind: Kind
    stacking: Stacking = Stacking.STACKABLE
    priority: Annotated[int, Field(ge=-1000, le=1000)] = 0
    terms: TermsBody
    reach: ReachBody = ReachBody()
    funder: Funder = Funder.BRAND
    funder_store_id: Id | None = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    valid_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    total_quantity: Annotated[int, Field(ge=1, le=10**9)] | None = None
    budget: Fen | None = None
    per_member_limit: Annotated[int, Field(ge=1, le=1000)] | None = None
    per_order: Annotated[int, Field(ge=1, le=10)] = 1
    return_rule: ReturnRule = Field(
        default=ReturnRule.FORFEIT,
        description="restore: a coupon comes back to the wallet when its order is refunded "
        "in full (while still valid); forfeit: it stays used.",
    )


class TemplateUpdate(InputModel):
    name: Name | None = None
    priority: Annotated[int, Field(ge=-1000, le=1000)] | None = None
    ends_at: AwareDatetime | None = None
    total_quantity: Annotated[int, Field(ge=1, le=10**9)] | None = None
    budget: Fen | None = None
    per_member_limit: Annotated[int, Field(ge=1, le=1000)] | None = None
    return_rule: ReturnRule | None = None
    status: Status | None = None


class TemplateRead(ReadModel):
    id: int
    brand_id: int
    name: str
    kind: str
    stacking: str
    priority: int
    terms: TermsBody
    reach: ReachBody
    funder: str
    funder_store_id: int | None
    starts_at: datetime
    ends_at: datetime | None
    valid_from: datetime | None
    valid_until: datetime | None
    valid_days: int | None
    total_quantity: int | None
    issued: int
    budget: int | None
    budget_used: int
    per_member_limit: int | None
    per_order: int
    return_rule: str
    status: str


class ClaimCreate(InputModel):
    template_id: Id
    member_id: Id | None = Field(
        default=None, description="Staff issuing to a member; a consumer claims for themself."
    )
    channel: ClaimChannel | None = Field(
        default=None,
        description="How it is claimed. Consumers: cloud_store (default), code_scan, "
        "district_page; staff: guide_push (default), pos, code_scan.",
    )


class StoreRedemption(InputModel):
    store_id: Id


class ImportEntry(InputModel):
    external_ref: Annotated[str, Field(min_length=1, max_length=64)]
    member_id: Id | None = None
    phone: Annotated[str, Field(min_length=3, max_length=32)] | None = None


class ImportCreate(InputModel):
    """Coupons handed out by the brand's own system, one per entry, to members named by id
    or phone; an entry whose ``external_ref`` was imported before is not issued again."""

    entries: Annotated[list[ImportEntry], Field(min_length=1, max_length=1000)]


class ImportRead(ReadModel):
    issued: list[int] = Field(description="Coupons issued by this import.")
    already: list[int] = Field(description="Coupons of entries imported before.")


class CouponRead(ReadModel):
    id: int
    brand_id: int
    template_id: int
    membership_id: int
    status: CouponStatus
    valid_from: datetime
    valid_until: datetime
    reference: str | None
    discount: int | None = Field(description="Fen it takes off the order it is reserved for.")
    store_id: int | None = Field(description="The store of the order it is reserved for.")
    reserved_until: datetime | None
    channel: ClaimChannel
    external_ref: str | None = None
    price_paid: int | None = None
    claimed_at: datetime


class CartLineBody(InputModel):
    sku_id: Id
    quantity: Annotated[int, Field(ge=1, le=999)]


class BestRequest(InputModel):
    brand_id: Id
    store_id: Id
    channel: Channel
    lines: Annotated[list[CartLineBody], Field(min_length=1, max_length=100)]
    member_id: Id | None = Field(default=None, description="Staff pricing a member's cart.")
    points: Annotated[int, Field(ge=0, le=10**9)] | None = Field(
        default=None,
        description="At most this many of the member's points (0: none; none given: the best).",
    )


class AppliedRead(ReadModel):
    key: str = Field(description='"promotion:<id>" or "coupon:<id>".')
    saving: int
    lines: list[int] = Field(description="Fen off each cart line, in the request's order.")


class CombinationRead(ReadModel):
    applied: list[AppliedRead]
    saving: int = Field(description="What the promotions and coupons take off.")
    payable: int = Field(description="What is left to pay, after the deposit and points too.")
    line_payable: list[int]
    points: int = Field(default=0, description="The member's points it uses.")
    points_off: int = Field(default=0, description="What those points pay.")
    deposit_credit: int = Field(default=0, description="What a pre-sale deposit counts for.")
    after: list[AppliedRead] = Field(
        default_factory=list,
        description='After the offers: "deposit" and "points", spread over the lines.',
    )


class LeftOutRead(ReadModel):
    key: str = Field(description='An offer\'s key, or "points" when points were not all used.')
    reason: Reason | TailReason
    other: str | None = None


class QuoteRead(ReadModel):
    subtotal: int
    best: CombinationRead
    alternatives: list[CombinationRead]
    left_out: list[LeftOutRead]
