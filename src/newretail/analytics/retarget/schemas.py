"""Request and response bodies of re-targeting rules."""

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from newretail.analytics.retarget.rules import MAX_RADIUS_M, MIN_RADIUS_M
from newretail.kernel.schemas import Id, InputModel, Name, ReadModel

DEFAULT_TEMPLATE = "analytics.nearby_offer"


class RetargetRuleCreate(InputModel):
    name: Name
    audience_id: Id
    radius_m: Annotated[int, Field(ge=MIN_RADIUS_M, le=MAX_RADIUS_M)] = 3_000
    offer_kind: Literal["coupon", "message"]
    coupon_template_id: Id | None = Field(
        default=None, description="For a coupon offer: the coupon issued to the member."
    )
    template: Annotated[str, Field(min_length=1, max_length=80)] = Field(
        default=DEFAULT_TEMPLATE,
        description="The notifier's message template; it gets ``store`` and ``variables``.",
    )
    variables: dict[str, Annotated[str, Field(max_length=200)]] = Field(default_factory=dict)
    period_hours: Annotated[int, Field(ge=1, le=24 * 90)] = 24
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _offer_and_dates(self) -> Self:
        if (self.offer_kind == "coupon") != (self.coupon_template_id is not None):
            raise ValueError("a coupon offer names its coupon_template_id, a message offer none")
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if len(self.variables) > 20:
            raise ValueError("at most 20 variables")
        return self


class RetargetRuleRead(ReadModel):
    id: int
    brand_id: int
    audience_id: int
    name: str
    radius_m: int
    offer_kind: str
    coupon_template_id: int | None
    template: str
    variables: dict[str, str]
    period_hours: int
    starts_at: datetime
    ends_at: datetime | None
    active: bool


class RetargetSendRead(ReadModel):
    member_id: int
    period_index: int
    store_id: int
    event_seq: int
    sent_at: datetime
