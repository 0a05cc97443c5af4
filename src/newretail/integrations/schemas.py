from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from newretail.integrations.rules import DeliveryStatus
from newretail.kernel.schemas import InputModel, ReadModel, Text

EventType = Annotated[
    str,
    StringConstraints(
        pattern=r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+)$", max_length=64, strip_whitespace=True
    ),
    Field(description='An event type such as "store.created", or "*" for every event.'),
]


def _unique_sorted(values: list[str]) -> list[str]:
    return sorted(set(values))


EventTypes = Annotated[
    list[EventType], Field(min_length=1, max_length=50), AfterValidator(_unique_sorted)
]
Url = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2000, strip_whitespace=True),
    Field(description="An absolute http:// or https:// URL that accepts POST requests."),
]


class WebhookCreate(InputModel):
    brand_id: int | None = Field(default=None, description="Platform admins only.")
    url: Url
    description: Text = ""
    event_types: EventTypes = Field(default_factory=lambda: ["*"])
    active: bool = True


class WebhookUpdate(InputModel):
    url: Url | None = None
    description: Text | None = None
    event_types: EventTypes | None = None
    active: bool | None = None


class WebhookRead(ReadModel):
    id: int
    brand_id: int
    url: str
    description: str
    event_types: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(WebhookRead):
    secret: str = Field(
        description="Signs every delivery (HMAC-SHA256). Shown only on create and rotate."
    )


class WebhookDeliveryRead(ReadModel):
    id: int
    webhook_id: int = Field(validation_alias="endpoint_id")
    event_id: str
    event_type: str
    resource_type: str
    resource_id: str
    outbox_seq: int
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
