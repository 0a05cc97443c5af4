"""touchpoint codes

Revision ID: 3b7d1e2a9c40
Revises: f67b84aba5f9
Create Date: 2026-12-02 05:57:59.702256
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import newretail.db

revision: str = "3b7d1e2a9c40"
down_revision: str | None = "f67b84aba5f9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "touchpoint_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("guide_id", sa.Integer(), nullable=True),
        sa.Column("badge_guide_id", sa.Integer(), nullable=True),
        sa.Column("placement", sa.String(length=16), nullable=False),
        sa.Column("campaign", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["badge_guide_id"], ["staff.id"], name=op.f("fk_touchpoint_code_badge_guide_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_touchpoint_code_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["guide_id"], ["staff.id"], name=op.f("fk_touchpoint_code_guide_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_touchpoint_code_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["store.id"], name=op.f("fk_touchpoint_code_store_id_store")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_touchpoint_code")),
        sa.UniqueConstraint("badge_guide_id", name=op.f("uq_touchpoint_code_badge_guide_id")),
        sa.UniqueConstraint("code", name=op.f("uq_touchpoint_code_code")),
    )
    with op.batch_alter_table("touchpoint_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_touchpoint_code_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_touchpoint_code_guide_id"), ["guide_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_touchpoint_code_store_id"), ["store_id"], unique=False)

    op.create_table(
        "code_join",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("member_created", sa.Boolean(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("joined_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_code_join_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["code_id"], ["touchpoint_code.id"], name=op.f("fk_code_join_code_id_touchpoint_code")
        ),
        sa.ForeignKeyConstraint(
            ["consumer_id"], ["consumer.id"], name=op.f("fk_code_join_consumer_id_consumer")
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"], ["membership.id"], name=op.f("fk_code_join_membership_id_membership")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_join")),
    )
    with op.batch_alter_table("code_join", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_code_join_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index(
            "ix_code_join_code_id_joined_at", ["code_id", "joined_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_code_join_membership_id"), ["membership_id"], unique=False
        )

    op.create_table(
        "code_scan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=True),
        sa.Column("anonymous_id", sa.String(length=64), nullable=True),
        sa.Column("scanner_key", sa.String(length=80), nullable=True),
        sa.Column("device", sa.String(length=200), nullable=False),
        sa.Column("offered_membership", sa.Boolean(), nullable=False),
        sa.Column("scanned_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_code_scan_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["code_id"], ["touchpoint_code.id"], name=op.f("fk_code_scan_code_id_touchpoint_code")
        ),
        sa.ForeignKeyConstraint(
            ["consumer_id"], ["consumer.id"], name=op.f("fk_code_scan_consumer_id_consumer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_scan")),
    )
    with op.batch_alter_table("code_scan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_code_scan_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index(
            "ix_code_scan_code_id_scanned_at", ["code_id", "scanned_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_code_scan_consumer_id"), ["consumer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("code_scan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_code_scan_consumer_id"))
        batch_op.drop_index("ix_code_scan_code_id_scanned_at")
        batch_op.drop_index(batch_op.f("ix_code_scan_brand_id"))

    op.drop_table("code_scan")
    with op.batch_alter_table("code_join", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_code_join_membership_id"))
        batch_op.drop_index("ix_code_join_code_id_joined_at")
        batch_op.drop_index(batch_op.f("ix_code_join_brand_id"))

    op.drop_table("code_join")
    with op.batch_alter_table("touchpoint_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_touchpoint_code_store_id"))
        batch_op.drop_index(batch_op.f("ix_touchpoint_code_guide_id"))
        batch_op.drop_index(batch_op.f("ix_touchpoint_code_brand_id"))

    op.drop_table("touchpoint_code")
