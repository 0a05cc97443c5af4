"""sends to an audience, once per audience, key and member; the members a guide task names

A coupon and/or a message given to an audience's members records one row per member under
the send's key (the guard against giving twice). A task aimed at an audience keeps, on each
guide's assignment, the audience's members bound to that guide.

Revision ID: 7805832be9b3
Revises: c3f8a2d6e1b9
Create Date: 2026-12-17 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import newretail.db

revision: str = "7805832be9b3"
down_revision: str | None = "c3f8a2d6e1b9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_audience_send",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("coupon_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Boolean(), nullable=False),
        sa.Column("sent_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["audience_id"],
            ["analytics_audience.id"],
            name=op.f("fk_analytics_audience_send_audience_id_analytics_audience"),
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_analytics_audience_send_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["coupon_id"], ["coupon.id"], name=op.f("fk_analytics_audience_send_coupon_id_coupon")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_audience_send")),
        sa.UniqueConstraint(
            "audience_id",
            "key",
            "member_id",
            name=op.f("uq_analytics_audience_send_audience_id_key_member_id"),
        ),
    )
    with op.batch_alter_table("analytics_audience_send", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_audience_send_brand_id"), ["brand_id"], unique=False
        )

    with op.batch_alter_table("wb_task_assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audience_member_ids", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("wb_task_assignment", schema=None) as batch_op:
        batch_op.drop_column("audience_member_ids")

    with op.batch_alter_table("analytics_audience_send", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_audience_send_brand_id"))

    op.drop_table("analytics_audience_send")
