"""commission settlement schedule

Revision ID: e5b9d3f7a1c6
Revises: e5b9d3f7a2c6
Create Date: 2026-12-06 03:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import newretail.db

revision: str = "e5b9d3f7a1c6"
down_revision: str | None = "e5b9d3f7a2c6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "commission_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("day_of_month", sa.Integer(), nullable=True),
        sa.Column("every_days", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("minimum_payout", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("updated_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'monthly' AND day_of_month BETWEEN 1 AND 28 AND every_days IS NULL)"
            " OR (kind = 'every_n_days' AND every_days BETWEEN 1 AND 366"
            " AND day_of_month IS NULL)",
            name=op.f("ck_commission_schedule_kind_fields"),
        ),
        sa.CheckConstraint(
            "minimum_payout >= 0", name=op.f("ck_commission_schedule_minimum_payout")
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_commission_schedule_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["staff.id"],
            name=op.f("fk_commission_schedule_updated_by_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_schedule")),
        sa.UniqueConstraint("brand_id", name=op.f("uq_commission_schedule_brand_id")),
    )
    with op.batch_alter_table("commission_statement", schema=None) as batch_op:
        batch_op.create_index(
            "ix_commission_statement_period_guide", ["period_id", "guide_id"], unique=False
        )
        batch_op.create_index(
            "ix_commission_statement_period_store", ["period_id", "store_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("commission_statement", schema=None) as batch_op:
        batch_op.drop_index("ix_commission_statement_period_store")
        batch_op.drop_index("ix_commission_statement_period_guide")
    op.drop_table("commission_schedule")
