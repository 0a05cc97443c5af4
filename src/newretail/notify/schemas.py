from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from newretail.kernel.schemas import InputModel, ReadModel


class RecipientIn(InputModel):
    kind: Literal["staff", "consumer"]
    id: int = Field(gt=0)


class NotificationCreate(InputModel):
    brand_id: int | None = None
    recipients: list[RecipientIn] = Field(min_length=1, max_length=1000)
    template: str = Field(min_length=1, max_length=64)
    variables: dict[str, str | int] = Field(default_factory=dict)
    purpose: Literal["service", "marketing", "urgent"]
    channels: list[str] | None = Field(default=None, max_length=6)
    dedupe_key: str | None = Field(default=None, max_length=128)


class SentRead(ReadModel):
    id: int
    recipient_kind: str
    recipient_id: int
    channel: str
    status: str
    next_attempt_at: datetime | None


class NotificationRead(ReadModel):
    id: int
    brand_id: int | None
    recipient_kind: str
    recipient_id: int
    channel: str
    template: str
    purpose: str
    subject: str
    body: str
    data: dict[str, Any]
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    failed_at: datetime | None
    next_attempt_at: datetime | None


class UnreadRead(ReadModel):
    unread: int


class PolicyUpdate(InputModel):
    brand_id: int | None = None
    quiet_start_minute: int | None = Field(default=None, ge=0, le=1439)
    quiet_end_minute: int | None = Field(default=None, ge=0, le=1439)
    max_per_hour: int = Field(default=20, ge=1, le=10_000)


class PolicyRead(ReadModel):
    brand_id: int
    quiet_start_minute: int | None
    quiet_end_minute: int | None
    max_per_hour: int


class ChannelUpdate(InputModel):
    brand_id: int | None = None
    channel: Literal["sms", "email", "webhook", "dingtalk", "wecom"]
    settings: dict[str, Any] = Field(default_factory=dict)
    secret_ref: str | None = Field(default=None, max_length=500)
    active: bool = True


class ChannelRead(ReadModel):
    id: int
    brand_id: int
    channel: str
    settings: dict[str, Any]
    secret_ref: str | None
    active: bool


class CardIn(InputModel):
    kind: Literal["product", "coupon", "presale"]
    id: int = Field(gt=0)


class ConversationMessageCreate(InputModel):
    """A guide to members (``member_ids``), or either side within a conversation."""

    member_ids: list[int] = Field(default_factory=list, max_length=200)
    text: str = Field(default="", max_length=2000)
    card: CardIn | None = None


class ReplyCreate(InputModel):
    text: str = Field(default="", max_length=2000)
    card: CardIn | None = None


class ConversationMessageRead(ReadModel):
    id: int
    conversation_id: int
    author_kind: str
    author_id: int
    kind: str
    text: str
    card: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class ConversationRead(ReadModel):
    id: int
    brand_id: int
    membership_id: int
    consumer_id: int
    guide_id: int | None
    store_id: int | None
    guide_unread: int
    member_unread: int
    last_message_at: datetime | None
    created_at: datetime


class ThreadRead(ReadModel):
    conversation: ConversationRead
    messages: list[ConversationMessageRead]


class ReadAll(InputModel):
    brand_id: int | None = None


class ReadCount(ReadModel):
    read: int
