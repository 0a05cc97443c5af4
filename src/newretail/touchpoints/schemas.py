from datetime import datetime
from typing import Annotated

from pydantic import Field

from newretail.kernel.schemas import InputModel, ReadModel, Text
from newretail.members.schemas import Consents
from newretail.touchpoints.rules import Placement, Target

Campaign = Annotated[str, Field(max_length=100)]
Label = Annotated[str, Field(max_length=200)]
AnonymousId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


class CodeCreate(InputModel):
    """A code of ``store_id`` (and ``guide_id``); the target defaults by placement."""

    store_id: int
    placement: Placement
    guide_id: int | None = None
    campaign: Campaign = ""
    label: Label = ""
    target: Target | None = None
    product_id: int | None = None


class CodeBulkCreate(InputModel):
    """``count`` codes of one placement for one store, e.g. a shelf tag for every shelf."""

    store_id: int
    placement: Placement
    count: int = Field(ge=1, le=200)
    guide_id: int | None = None
    campaign: Campaign = ""
    label: Label = ""
    target: Target | None = None
    product_id: int | None = None


class CodeUpdate(InputModel):
    """Change what a code leads to or its labels, or deactivate it (``is_active=false``)."""

    campaign: Campaign | None = None
    label: Label | None = None
    target: Target | None = None
    product_id: int | None = None
    is_active: bool | None = None


class CodeRead(ReadModel):
    id: int
    code: str
    brand_id: int
    store_id: int
    guide_id: int | None
    placement: str
    campaign: str
    label: str
    target: str
    product_id: int | None
    is_active: bool
    is_badge: bool = Field(description="The guide's own badge code (one per guide).")
    scan_url: str = Field(description="The public URL printed in the QR code.")
    target_path: str = Field(description="Where a scan is sent.")
    created_at: datetime
    updated_at: datetime


class ScanCreate(InputModel):
    """A scan; a consumer token (optional) says who, else ``anonymous_id`` (the device's)."""

    anonymous_id: AnonymousId | None = None
    device: Text = ""


class ScanRead(ReadModel):
    code: str
    scan_id: int
    target: str
    target_path: str
    offers_membership: bool
    join_path: str | None = Field(description="The join page, when membership is offered.")
    brand_name: str
    store_name: str
    guide_name: str | None


class CodeJoinCreate(InputModel):
    consents: Consents = Field(default_factory=Consents)


class CodeJoinRead(ReadModel):
    code: str
    member_id: int
    member_no: str
    member_created: bool
    action: str = Field(description="bind, keep or reject (the brand's binding policy).")
    reason: str
    store_id: int | None = Field(description="The store the member is bound to now.")
    guide_id: int | None = Field(description="The guide the member is bound to now.")
    guide_name: str | None


class CodeStatsRead(ReadModel):
    code: str
    since: datetime
    until: datetime
    scans: int
    unique_scanners: int
    joins: int = Field(description="Memberships created through the code in the window.")
    bindings: int = Field(description="Joins through the code that bound (or re-bound) a member.")
    orders: int = Field(
        default=0, description="Orders naming the code paid in the window (as the worker has seen)."
    )
    buyers: int = Field(default=0, description="Distinct consumers among those orders.")
    sales: int = Field(
        default=0, description="What those orders collected, net of refunds, in minor units."
    )
