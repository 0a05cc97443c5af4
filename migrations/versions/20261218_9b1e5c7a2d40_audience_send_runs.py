"""sends to an audience as runs, walked a chunk of members a transaction

A send records what it gives, how far through the audience's members it has come and what
it gave so far; the request that asks for it gives the first chunk and the worker the rest.
One send per audience and key runs at a time (a partial unique index).

Revision ID: 9b1e5c7a2d40
Revises: 7805832be9b3
Create Date: 2026-12-18 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import newretail.db

revision: str = "9b1e5c7a2d40"
down_revision: str | None = "7805832be9b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_audience_send_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("coupon_template_id", sa.Integer(), nullable=True),
        sa.Column("message_template", sa.String(length=80), nullable=True),
        sa.Column("message_variables", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("after_member_id", sa.BigInteger(), nullable=False),
        sa.Column("reached", sa.Integer(), nullable=False),
        sa.Column("coupons", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("requested_by_type", sa.String(length=16), nullable=False),
        sa.Column("requested_by_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", newretail.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["audience_id"],
            ["analytics_audience.id"],
            name=op.f("fk_analytics_audience_send_run_audience_id_analytics_audience"),
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_analytics_audience_send_run_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["coupon_template_id"],
            ["coupon_template.id"],
            name=op.f("fk_analytics_audience_send_run_coupon_template_id_coupon_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_audience_send_run")),
    )
    with op.batch_alter_table("analytics_audience_send_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_audience_send_run_audience_id"), ["audience_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_analytics_audience_send_run_brand_id"), ["brand_id"], unique=False
        )
        batch_op.create_index(
            "ix_analytics_audience_send_run_status", ["status", "id"], unique=False
        )
        batch_op.create_index(
            "uq_analytics_audience_send_run_running",
            ["audience_id", "key"],
            unique=True,
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("analytics_audience_send_run", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_analytics_audience_send_run_running",
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
        )
        batch_op.drop_index("ix_analytics_audience_send_run_status")
        batch_op.drop_index(batch_op.f("ix_analytics_audience_send_run_brand_id"))
        batch_op.drop_index(batch_op.f("ix_analytics_audience_send_run_audience_id"))

    op.drop_table("analytics_audience_send_run")
