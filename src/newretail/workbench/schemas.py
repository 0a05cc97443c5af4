"""Request and response bodies of the workbench API."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, HttpUrl, model_validator

from newretail.kernel.schemas import Id, InputModel, ReadModel
from newretail.workbench.rules import Metric, Period, State, TaskKind

Ids = Annotated[list[int], Field(default_factory=list, max_length=500)]
Text200 = Annotated[str, Field(min_length=1, max_length=200)]


class QuizQuestion(InputModel):
    question: Text200
    options: Annotated[list[Text200], Field(min_length=2, max_length=8)]
    answer: int = Field(ge=0)

    @model_validator(mode="after")
    def _answer_is_an_option(self) -> "QuizQuestion":
        if self.answer >= len(self.options):
            raise ValueError("answer must be the index of one of the options")
        return self


class Targeting(InputModel):
    regions: Ids
    stores: Ids
    guides: Ids
    audience_id: Id | None = Field(
        default=None,
        description="One of the brand's audiences: the guides (within the sender's scope) "
        "its members who accept marketing are bound to, each with the members they serve.",
    )


class TaskCreate(InputModel):
    brand_id: int | None = None
    kind: TaskKind
    title: Text200
    body: str = Field(default="", max_length=5000)
    goal: int | None = Field(default=None, ge=1, le=100_000)
    quiz: Annotated[list[QuizQuestion], Field(default_factory=list, max_length=30)]
    targets: Targeting
    starts_at: AwareDatetime | None = None
    due_at: AwareDatetime

    @model_validator(mode="after")
    def _kind_needs(self) -> "TaskCreate":
        if self.kind is TaskKind.RECRUITMENT and self.goal is None:
            raise ValueError("a recruitment task needs a goal")
        if self.kind is TaskKind.TRAINING and not self.quiz:
            raise ValueError("a training task needs a quiz")
        if self.kind is TaskKind.STOCK_COUNT and self.targets.audience_id is not None:
            raise ValueError("a stock count goes to store managers, not to an audience's guides")
        if self.kind is TaskKind.FOLLOW_UP and self.targets.audience_id is None:
            raise ValueError(
                "a follow-up is aimed at an audience: its members are the ones to reach"
            )
        return self


class TaskProgress(InputModel):
    """What an assignee sends when finishing: a photo, quiz answers or a count."""

    proof_url: str | None = Field(default=None, max_length=500)
    answers: Annotated[list[int], Field(default_factory=list, max_length=30)]
    counted: int | None = Field(default=None, ge=0, le=10_000_000)
    note: str = Field(default="", max_length=500)


class TaskRead(ReadModel):
    id: int
    brand_id: int
    kind: str
    title: str
    body: str
    goal: int | None
    targets: dict[str, Any]
    starts_at: datetime
    due_at: datetime
    created_by_id: int | None
    created_at: datetime


class AssignmentRead(ReadModel):
    id: int
    task_id: int
    assignee_id: int
    store_id: int
    region_id: int
    state: State
    due_at: datetime
    read_at: datetime | None
    started_at: datetime | None
    done_at: datetime | None
    overdue_at: datetime | None
    proof_url: str | None
    quiz_score: int | None
    counted: int | None
    audience_member_ids: list[int] | None = Field(
        description="A task aimed at an audience: its members this assignee serves."
    )


class TallyRead(ReadModel):
    total: int
    read: int
    done: int
    overdue: int
    percent_done: int


class RegionProgressRead(TallyRead):
    region_id: int
    name: str
    parent_id: int | None


class StoreProgressRead(TallyRead):
    store_id: int
    name: str
    region_id: int


class TaskProgressRead(ReadModel):
    task: TaskRead
    overall: TallyRead
    regions: list[RegionProgressRead]
    stores: list[StoreProgressRead]


class TargetPut(InputModel):
    brand_id: int | None = None
    store_id: int
    guide_id: int | None = None
    metric: Metric
    period: Period
    starts_on: date
    goal: int = Field(ge=1, le=10**13)


class TargetRead(ReadModel):
    id: int
    brand_id: int
    store_id: int
    guide_id: int | None
    metric: Metric
    period: Period
    starts_on: date
    goal: int


class TargetProgressRead(TargetRead):
    actual: int
    percent: int
    expected_percent: int


ContentKind = Literal["article", "poster", "product", "video"]


class ContentCreate(InputModel):
    brand_id: int | None = None
    kind: ContentKind
    title: Text200
    body: str = Field(default="", max_length=20_000)
    image_url: str | None = Field(default=None, max_length=500)
    video_url: HttpUrl | None = None
    product_id: int | None = None


class ContentRead(ReadModel):
    id: int
    brand_id: int
    kind: str
    title: str
    body: str
    image_url: str | None
    video_url: str | None
    product_id: int | None
    status: str
    published_at: datetime


class ShareRead(ReadModel):
    content_id: int
    guide_id: int
    ref: str
    path: str


class ContentEventCreate(InputModel):
    ref: str = Field(max_length=40)
    visitor: str = Field(min_length=8, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")


class ShareStatsRead(ReadModel):
    content_id: int
    guide_id: int
    views: int
    claims: int
    orders: int
    sales: int


class DingCreate(InputModel):
    body: str = Field(min_length=1, max_length=1000)
    recipients: Ids
    escalate_after_minutes: int = Field(default=15, ge=1, le=24 * 60)


class UpwardDingCreate(InputModel):
    body: str = Field(min_length=1, max_length=1000)
    member_id: int | None = None
    escalate_after_minutes: int = Field(default=15, ge=1, le=24 * 60)


class ReceiptRead(ReadModel):
    recipient_id: int
    name: str
    read_at: datetime | None
    level: int
    escalated_to_id: int | None


class DingRead(ReadModel):
    id: int
    brand_id: int
    sender_id: int
    direction: str
    body: str
    member_id: int | None
    escalate_after_minutes: int
    created_at: datetime
    receipts: list[ReceiptRead]
