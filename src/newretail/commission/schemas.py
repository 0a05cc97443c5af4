from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from newretail.commission.rules import CpaTrigger, CreditPolicy, GuideLevel, Kind
from newretail.kernel.schemas import Id, InputModel, ReadModel

# Wide enough for any stored integer; the service checks the real ranges with clear codes.
Bp = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Fen = Annotated[int, Field(ge=-(2**53), le=2**53)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
Priority = Annotated[int, Field(ge=-1000, le=1000)]


class PlanCreate(InputModel):
    brand_id: Id | None = Field(default=None, description="Platform admins only.")
    name: Name
    policy: CreditPolicy = CreditPolicy.BOUND
    bound_share_bp: Bp | None = Field(default=None, description="Split only.")
    referring_share_bp: Bp | None = Field(default=None, description="Split only.")
    is_active: bool = False


class PlanUpdate(InputModel):
    name: Name | None = None
    policy: CreditPolicy | None = None
    bound_share_bp: Bp | None = None
    referring_share_bp: Bp | None = None
    is_active: bool | None = None


class RuleFields(InputModel):
    kind: Kind
    priority: Priority = 0
    channel: Annotated[str, Field(max_length=16)] | None = None
    category_id: Id | None = None
    sku_id: Id | None = None
    store_type: Annotated[str, Field(max_length=16)] | None = None
    guide_level: GuideLevel | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    rate_bp: Bp | None = None
    fixed: Fen | None = None
    cap: Fen | None = None
    cpa_trigger: CpaTrigger | None = None
    store_bound_bp: Bp = 0
    store_selling_bp: Bp = 0
    store_fulfilling_bp: Bp = 0
    own_purchases: bool = False
    freeze_days: Annotated[int, Field(ge=0, le=366)] = 7
    until_fulfilled: bool = False


class RuleCreate(RuleFields):
    name: Name


class RuleUpdate(RuleFields):
    name: Name


class RuleRead(ReadModel):
    id: int
    plan_id: int
    name: str
    kind: str
    priority: int
    channel: str | None
    category_id: int | None
    sku_id: int | None
    store_type: str | None
    guide_level: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    rate_bp: int | None
    fixed: int | None
    cap: int | None
    cpa_trigger: str | None
    store_bound_bp: int
    store_selling_bp: int
    store_fulfilling_bp: int
    own_purchases: bool
    freeze_days: int
    until_fulfilled: bool


class PlanRead(ReadModel):
    id: int
    brand_id: int
    name: str
    policy: str
    bound_share_bp: int
    referring_share_bp: int
    is_active: bool
    created_at: datetime
    updated_at: datetime
    rules: list[RuleRead]


class TestLine(InputModel):
    """A line to price: an order line's id, or a hypothetical line."""

    plan_id: Id | None = Field(default=None, description="Defaults to the active plan.")
    order_line_id: Id | None = None
    brand_id: Id | None = Field(default=None, description="Platform admins only.")
    channel: Annotated[str, Field(max_length=16)] | None = None
    sku_id: Id | None = None
    store_id: Id | None = None
    bound_guide_id: Id | None = None
    referring_guide_id: Id | None = None
    bound_store_id: Id | None = None
    fulfilling_store_id: Id | None = None
    amount: Annotated[int, Field(ge=0, le=10**12)] | None = None
    at: datetime | None = None


class TestEntry(ReadModel):
    beneficiary_type: str
    guide_id: int | None
    store_id: int | None
    kind: str
    amount: int
    rule_id: int
    detail: dict[str, Any]
    explanation: str


class TestResult(ReadModel):
    plan_id: int | None
    base: int
    total: int
    entries: list[TestEntry]


class EntryRead(ReadModel):
    id: int
    brand_id: int
    key: str
    beneficiary_type: str
    guide_id: int | None
    store_id: int | None
    kind: str
    order_id: int | None
    order_line_id: int | None
    member_id: int | None
    channel: str | None
    plan_id: int | None
    rule_id: int | None
    base: int
    rate_bp: int | None
    amount: int
    currency: str
    detail: dict[str, Any]
    reverses_id: int | None
    status: str
    release_at: datetime | None
    statement_id: int | None
    earned_at: datetime


class GuideMembershipUpdate(InputModel):
    member_id: Id | None = None
