"""Request and response bodies of sends to an audience."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator

from newretail.analytics.outreach.templates import AUDIENCE_OFFER
from newretail.kernel.schemas import Id, InputModel, ReadModel

MAX_VARIABLES = 20


class OfferMessage(InputModel):
    template: Annotated[str, Field(min_length=1, max_length=80)] = Field(
        default=AUDIENCE_OFFER, description="The notifier's message template."
    )
    variables: dict[str, Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict, description="Exactly the variables the template declares."
    )

    @model_validator(mode="after")
    def _few_variables(self) -> Self:
        if len(self.variables) > MAX_VARIABLES:
            raise ValueError(f"at most {MAX_VARIABLES} variables")
        return self


class AudienceSendCreate(InputModel):
    key: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="The send's name: asked again under the same key, it gives no member "
        "anything twice (members who entered the audience since are given it)."
    )
    coupon_template_id: Id | None = Field(
        default=None, description="A coupon template of the audience's brand, one per member."
    )
    message: OfferMessage | None = Field(
        default=None, description="A marketing message to each member (held in quiet hours)."
    )

    @model_validator(mode="after")
    def _something_to_give(self) -> Self:
        if self.coupon_template_id is None and self.message is None:
            raise ValueError("a send gives a coupon_template_id, a message or both")
        return self


class SendStatus(StrEnum):
    RUNNING = "running"  # members are still being walked (the worker gives a chunk a round)
    DONE = "done"


class AudienceSendRead(ReadModel):
    id: int
    audience_id: int
    key: str
    status: SendStatus = Field(
        description="`running` while members are still being given the send (the request "
        "gives the first chunk, the worker the rest), then `done`."
    )
    members: int = Field(
        description="Members in the audience who accepted marketing when the send was asked."
    )
    reached: int = Field(description="Members given the offer by this send so far.")
    coupons: int = Field(description="Coupons put in the members' wallets.")
    messages: int = Field(description="Messages queued (held until quiet hours end).")
    skipped: dict[str, int] = Field(
        description="Members given nothing, by reason: already_sent (under this key before), "
        "coupons_exhausted, budget_exhausted, member_limit_reached, claim_closed, "
        "no_marketing_consent, notify_rate_limited, not_a_member, ..."
    )
    created_at: datetime
    finished_at: datetime | None
