"""code sales (orders counted per touchpoint code) and the brand's points per yuan

Revision ID: d7a3e9b5c1f4
Revises: d7a3f9c2e5b1
Create Date: 2026-12-12 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import newretail.db

revision: str = "d7a3e9b5c1f4"
down_revision: str | None = "d7a3f9c2e5b1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "code_sale",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("paid_amount", sa.BigInteger(), nullable=False),
        sa.Column("refunded_amount", sa.BigInteger(), nullable=False),
        sa.Column("paid_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_code_sale_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["code_id"], ["touchpoint_code.id"], name=op.f("fk_code_sale_code_id_touchpoint_code")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_code_sale_order_id_sales_order")
        ),
        sa.ForeignKeyConstraint(
            ["consumer_id"], ["consumer.id"], name=op.f("fk_code_sale_consumer_id_consumer")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["membership.id"], name=op.f("fk_code_sale_member_id_membership")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_sale")),
        sa.UniqueConstraint("order_id", name=op.f("uq_code_sale_order_id")),
    )
    op.create_index(op.f("ix_code_sale_brand_id"), "code_sale", ["brand_id"], unique=False)
    op.create_index(
        "ix_code_sale_code_id_paid_at", "code_sale", ["code_id", "paid_at"], unique=False
    )
    with op.batch_alter_table("member_program", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("points_per_yuan", sa.Integer(), nullable=False, server_default="1")
        )


def downgrade() -> None:
    with op.batch_alter_table("member_program", schema=None) as batch_op:
        batch_op.drop_column("points_per_yuan")
    op.drop_index("ix_code_sale_code_id_paid_at", table_name="code_sale")
    op.drop_index(op.f("ix_code_sale_brand_id"), table_name="code_sale")
    op.drop_table("code_sale")
