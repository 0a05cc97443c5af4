from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from newretail.kernel.schemas import Id, InputModel, Name, ReadModel
from newretail.members.binding_rules import BindingMode, BindingSource
from newretail.members.rules import JoinChannel, TierBasis

PhoneIn = Annotated[str, Field(min_length=1, max_length=32, description="Any common format.")]
ExternalId = Annotated[str, Field(min_length=1, max_length=128)]
Days = Annotated[int, Field(ge=0, le=3650)]
MAX_POINTS = 1_000_000_000

# ---- consumers ------------------------------------------------------------------------


SignInBrand = Annotated[
    int | None,
    Field(
        description="The brand whose shop the consumer signs in to: phones of the regions it "
        "allows (`phone_regions`, else its country) may sign in. Without it, Chinese mobiles."
    ),
]


class OtpRequest(InputModel):
    phone: PhoneIn
    brand_id: SignInBrand = None


class OtpSent(ReadModel):
    phone: str = Field(description="The number the code went to, in E.164.")
    expires_at: datetime
    resend_after: datetime


class ConsumerTokenRequest(InputModel):
    phone: PhoneIn
    code: Annotated[str, Field(min_length=1, max_length=12)]
    brand_id: SignInBrand = None
    union_id: ExternalId | None = None
    device_id: ExternalId | None = None
    anonymous_id: ExternalId | None = None


class ConsumerTokenRead(ReadModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_at: datetime
    consumer_id: int
    created: bool = Field(description="True when this login signed the consumer up.")


class IdentifierCreate(InputModel):
    kind: Literal["union_id", "device", "anonymous"]
    value: ExternalId


class IdentifierRead(ReadModel):
    kind: str
    value: str
    verified: bool
    created_at: datetime


class MergeCreate(InputModel):
    consumer_id: int
    other_consumer_id: int


class MergeRead(ReadModel):
    id: int
    source_id: int
    target_id: int
    reason: str
    moved: dict[str, list[int]]
    at: datetime
    undone_at: datetime | None


# ---- members --------------------------------------------------------------------------


class Consents(InputModel):
    marketing: bool = False
    sms: bool = False
    analytics: bool = False


class BindingRead(ReadModel):
    store_id: int
    guide_id: int | None
    source: str
    bound_at: datetime
    protected_until: datetime | None
    expires_at: datetime | None
    active: bool


class MemberRead(ReadModel):
    id: int
    brand_id: int
    consumer_id: int
    member_no: str
    tier: str
    points: int
    phone: str | None = Field(description="Masked (138****1234) for guides and cashiers.")
    consents: Consents
    join_channel: str
    join_store_id: int | None
    joined_at: datetime
    binding: BindingRead | None


class BindingResultRead(ReadModel):
    action: str = Field(description="bind, keep or reject")
    reason: str


class MemberJoinRead(MemberRead):
    created: bool = Field(description="False when the consumer already was a member.")
    binding_result: BindingResultRead | None


class ConsumerRead(ReadModel):
    id: int
    phone: str | None
    created_at: datetime
    memberships: list[MemberRead]


class ConsumerMeRead(ConsumerRead):
    identifiers: list[IdentifierRead]


class MemberCreate(InputModel):
    """A consumer token joins ``brand_id``; staff register the consumer with ``phone``."""

    brand_id: int | None = None
    phone: PhoneIn | None = None
    store_id: int | None = None
    guide_id: int | None = None
    channel: JoinChannel | None = None
    source: BindingSource | None = None
    consents: Consents = Field(default_factory=Consents)


class MemberUpdate(InputModel):
    consents: Consents


class BindingUpdate(InputModel):
    store_id: int
    guide_id: int | None = None


class BindingEventRead(ReadModel):
    id: int
    from_store_id: int | None
    from_guide_id: int | None
    to_store_id: int
    to_guide_id: int | None
    source: str
    reason: str
    actor_type: str
    actor_id: int | None
    at: datetime


class BindingHistoryPage(ReadModel):
    current: BindingRead | None
    items: list[BindingEventRead]
    next_cursor: str | None = None


class BindingOutcomeRead(ReadModel):
    action: str
    reason: str
    member_id: int
    binding: BindingRead | None


class BindingPolicyUpdate(InputModel):
    brand_id: int | None = Field(default=None, description="Platform admins only.")
    mode: BindingMode
    protection_days: Days = 0
    expiry_days: Annotated[int, Field(ge=1, le=3650)] | None = None


class BindingPolicyRead(ReadModel):
    brand_id: int
    mode: str
    protection_days: int
    expiry_days: int | None


class TierIn(InputModel):
    code: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
    name: Name
    threshold: Annotated[int, Field(ge=0, le=10**12)]
    points_multiplier_pct: Annotated[int, Field(ge=0, le=1000)] = Field(
        default=100, description="Paid orders of this tier's members earn this % of the points."
    )


class MemberProgramUpdate(InputModel):
    brand_id: int | None = Field(default=None, description="Platform admins only.")
    tier_basis: TierBasis = TierBasis.POINTS
    tier_window_days: Annotated[int, Field(ge=1, le=3650)] = 365
    tiers: Annotated[list[TierIn], Field(min_length=1, max_length=20)]
    points_expiry_days: Annotated[int, Field(ge=1, le=3650)] | None = 365
    points_per_yuan: Annotated[int, Field(ge=0, le=100)] = Field(
        default=1, description="Points a paid order earns per yuan collected (0: none)."
    )
    redeem_points_per_yuan: Annotated[int, Field(ge=0, le=100_000)] = Field(
        default=100, description="Points that pay one yuan of an order (0: points pay nothing)."
    )
    redeem_cap_pct: Annotated[int, Field(ge=0, le=100)] = Field(
        default=50, description="The most points pay: this share of what is left after discounts."
    )


class TierRead(ReadModel):
    code: str
    name: str
    threshold: int
    points_multiplier_pct: int = 100


class MemberProgramRead(ReadModel):
    brand_id: int
    tier_basis: str
    tier_window_days: int
    tiers: list[TierRead]
    points_expiry_days: int | None
    points_per_yuan: int = 1
    redeem_points_per_yuan: int = 100
    redeem_cap_pct: int = 50


# ---- points ---------------------------------------------------------------------------


class PointsEntryCreate(InputModel):
    kind: Literal["earn", "spend", "adjust"]
    points: Annotated[int, Field(ge=-MAX_POINTS, le=MAX_POINTS)]
    reason: Annotated[str, Field(max_length=200)] = ""
    reference: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        default=None, description="Posting the same kind and reference again returns the first."
    )
    expires_at: datetime | None = Field(default=None, description="Earn only; default by rule.")
    spend_amount: Annotated[int, Field(ge=-(10**12), le=10**12)] = Field(
        default=0, description="Money spent (minor units) that earned these points; for tiers."
    )

    @model_validator(mode="after")
    def _signs(self) -> "PointsEntryCreate":
        if self.kind == "adjust" and self.points == 0:
            raise ValueError("an adjustment must not be zero")
        if self.kind != "adjust" and self.points <= 0:
            raise ValueError("earn and spend take a positive number of points")
        if self.kind != "earn" and self.expires_at is not None:
            raise ValueError("only earned points expire")
        return self


class PointsEntryRead(ReadModel):
    id: int
    membership_id: int
    kind: str
    points: int
    balance_after: int
    expires_at: datetime | None
    spend_amount: int
    reason: str
    reference: str | None
    created_at: datetime


class RebindRequest(InputModel):
    to_guide_id: int | None = None
    spread: bool = False


class RebindResult(ReadModel):
    from_guide_id: int
    moved: int
    to_guides: dict[int, int] = Field(description="Members moved to each guide.")


# ---- address book ---------------------------------------------------------------------

Place = Annotated[str, Field(min_length=1, max_length=100)]


class AddressFields(InputModel):
    recipient: Annotated[str, Field(min_length=1, max_length=100)]
    phone: PhoneIn
    region: Place = Field(description="Province or state.")
    city: Place
    district: Place
    line: Annotated[str, Field(min_length=1, max_length=300, description="Street and number.")]
    is_default: bool = False


class AddressCreate(AddressFields):
    brand_id: Id


class AddressRead(ReadModel):
    id: int
    brand_id: int
    recipient: str
    phone: str = Field(description="E.164.")
    region: str
    city: str
    district: str
    line: str
    is_default: bool
    created_at: datetime
    updated_at: datetime
