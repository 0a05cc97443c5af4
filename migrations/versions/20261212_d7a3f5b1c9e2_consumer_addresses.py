"""consumers' address books, one per brand

Revision ID: d7a3f5b1c9e2
Revises: e5b9d3f1a7c2
Create Date: 2026-12-12 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import newretail.db

revision: str = "d7a3f5b1c9e2"
down_revision: str | None = "e5b9d3f1a7c2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consumer_address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=False),
        sa.Column("line", sa.String(length=300), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_consumer_address_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["consumer_id"], ["consumer.id"], name=op.f("fk_consumer_address_consumer_id_consumer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consumer_address")),
    )
    op.create_index(
        "ix_consumer_address_owner", "consumer_address", ["consumer_id", "brand_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_consumer_address_owner", table_name="consumer_address")
    op.drop_table("consumer_address")
