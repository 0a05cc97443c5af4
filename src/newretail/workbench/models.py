"""Tables of the operations workbench: tasks and their assignees, targets, the content centre
and DINGs with their read receipts."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from newretail.db import Base, utcnow

# ---- tasks ------------------------------------------------------------------------------


class Task(Base):
    """Work sent by HQ, a region or a store to regions, stores or guides, with a deadline.

    ``targets`` keeps what the sender chose (``{"regions": [...], "stores": [...],
    "guides": [...], "audience_id": ...}``); who it reached is the task's ``TaskAssignment``
    rows.
    """

    __tablename__ = "wb_task"
    __table_args__ = (CheckConstraint("due_at > starts_at", name="due_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    goal: Mapped[int | None]  # recruitment: sign-ups each assignee should bring in
    quiz: Mapped[list[Any]] = mapped_column(default=list)
    targets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    starts_at: Mapped[datetime]
    due_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TaskAssignment(Base):
    """One assignee of a task and where they stand: delivered, read, started, done, overdue."""

    __tablename__ = "wb_task_assignment"
    __table_args__ = (
        UniqueConstraint("task_id", "assignee_id"),
        Index("ix_wb_task_assignment_open_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("wb_task.id", ondelete="CASCADE"), index=True)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    state: Mapped[str] = mapped_column(String(12))
    due_at: Mapped[datetime]
    delivered_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    overdue_at: Mapped[datetime | None]
    proof_url: Mapped[str | None] = mapped_column(String(500))
    quiz_score: Mapped[int | None]
    counted: Mapped[int | None]  # stock counts: units counted; recruitment: sign-ups at done
    note: Mapped[str] = mapped_column(String(500), default="")
    # a task aimed at an audience: the members of it bound to this assignee when it was sent
    audience_member_ids: Mapped[list[int] | None] = mapped_column(JSON)


# ---- targets ----------------------------------------------------------------------------


class Target(Base):
    """A goal for a store or one of its guides: net sales (fen) or new members, over a period."""

    __tablename__ = "wb_target"
    __table_args__ = (
        UniqueConstraint("brand_id", "store_id", "guide_id", "metric", "period", "starts_on"),
        CheckConstraint("goal > 0", name="goal_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    guide_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    metric: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(8))
    starts_on: Mapped[date]
    goal: Mapped[int] = mapped_column(BigInteger)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# ---- content centre ---------------------------------------------------------------------


class ContentItem(Base):
    """Something HQ publishes for guides to share: an article, a poster, a product card or a
    short video by link."""

    __tablename__ = "wb_content"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    image_url: Mapped[str | None] = mapped_column(String(500))
    video_url: Mapped[str | None] = mapped_column(String(500))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    status: Mapped[str] = mapped_column(String(12), default="published")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentShare(Base):
    """A guide's own share of a content item: its link carries the guide's signed ref."""

    __tablename__ = "wb_content_share"
    __table_args__ = (UniqueConstraint("content_id", "guide_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("wb_content.id"), index=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentEvent(Base):
    """A view or a claim of a shared content item, by one visitor (counted once each)."""

    __tablename__ = "wb_content_event"
    __table_args__ = (UniqueConstraint("share_id", "kind", "visitor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("wb_content_share.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    visitor: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(default=utcnow)


# ---- DING -------------------------------------------------------------------------------


class Ding(Base):
    """An urgent message to chosen people, downwards or upwards (with a member's problem)."""

    __tablename__ = "wb_ding"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(String(1000))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id"))
    escalate_after_minutes: Mapped[int] = mapped_column(default=15)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DingReceipt(Base):
    """One recipient of a DING: when they read it, and how far its escalation has gone."""

    __tablename__ = "wb_ding_receipt"
    __table_args__ = (
        UniqueConstraint("ding_id", "recipient_id"),
        Index("ix_wb_ding_receipt_due", "read_at", "next_escalation_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brand.id"), index=True)
    ding_id: Mapped[int] = mapped_column(ForeignKey("wb_ding.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    read_at: Mapped[datetime | None]
    level: Mapped[int] = mapped_column(default=0)
    next_escalation_at: Mapped[datetime | None]
    escalated_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    escalations: Mapped[list[Any]] = mapped_column(default=list)
