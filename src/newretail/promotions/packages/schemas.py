"""Request and response bodies of coupon packages (amounts in fen)."""

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, Field

from newretail.kernel.schemas import Id, InputModel, Name, ReadModel
from newretail.promotions.packages.models import PackageKind
from newretail.promotions.schemas import CouponRead

Fen = Annotated[int, Field(ge=1, le=10**11)]
Segment = Annotated[str, Field(min_length=1, max_length=40)]
MAX_CANDIDATES = 500


class CandidateBody(InputModel):
    template_id: Id
    segment: Segment | None = Field(
        default=None, description="Benefits of one segment compete: a package holds one."
    )


class PackageCreate(InputModel):
    name: Name
    kind: PackageKind
    district_id: Id | None = Field(default=None, description="Required for a district package.")
    theme: Annotated[str, Field(max_length=200)] = ""
    budget: Fen = Field(description="The most the benefits may take off together (face values).")
    max_benefits: Annotated[int, Field(ge=1, le=100)] | None = None
    candidates: Annotated[list[CandidateBody], Field(max_length=MAX_CANDIDATES)] = Field(
        default_factory=list,
        description="Coupon templates of several brands; a district package left without "
        "gathers the active templates of the brands with a store in the district.",
    )
    conflicts: Annotated[
        list[Annotated[list[Id], Field(min_length=2, max_length=2)]],
        Field(max_length=MAX_CANDIDATES),
    ] = Field(default_factory=list, description="Pairs of template ids that must not share it.")
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    total_quantity: Annotated[int, Field(ge=1, le=10**9)] | None = None


class PackageUpdate(InputModel):
    name: Name | None = None
    theme: Annotated[str, Field(max_length=200)] | None = None
    budget: Fen | None = None
    max_benefits: Annotated[int, Field(ge=1, le=100)] | None = None
    candidates: Annotated[list[CandidateBody], Field(max_length=MAX_CANDIDATES)] | None = None
    conflicts: (
        Annotated[
            list[Annotated[list[Id], Field(min_length=2, max_length=2)]],
            Field(max_length=MAX_CANDIDATES),
        ]
        | None
    ) = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    total_quantity: Annotated[int, Field(ge=1, le=10**9)] | None = None


class CandidateRead(ReadModel):
    template_id: int
    brand_id: int
    segment: str | None
    face: int = Field(description="The most one coupon takes off (fen).")
    use_rate: int = Field(description="Per mille of its coupons expected to be used.")
    value: int = Field(description="Expected value: face x use rate (fen).")
    picked: bool
    reason: str = Field(
        description="picked, or why not: no_value, over_budget, brand_taken, conflict, "
        "package_full, budget_left, or a reason it could not take part (template_inactive, "
        "claim_closed, exhausted, no_face_value, not_in_district, sold_not_given)."
    )
    other_template_id: int | None = Field(description="The pick that keeps it out.")
    margin: int | None = Field(
        description="Picks: how much less the best package without it is worth."
    )


class PackageRead(ReadModel):
    id: int
    name: str
    kind: str
    district_id: int | None
    theme: str
    budget: int
    max_benefits: int | None
    conflicts: list[list[int]]
    value: int
    cost: int
    status: str
    starts_at: datetime
    ends_at: datetime | None
    total_quantity: int | None
    claimed: int
    assembled_at: datetime | None
    published_at: datetime | None
    candidates: list[CandidateRead]


class PackageClaimRead(ReadModel):
    package_id: int
    coupons: list[CouponRead]
