"""order line discounts: what each promotion or coupon took off each order line

Revision ID: e4b2c8d1a7f3
Revises: e5b9d3f7a1c6
Create Date: 2026-12-13 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e4b2c8d1a7f3"
down_revision: str | None = "e5b9d3f7a1c6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_line_discount",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("offer_key", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("funder", sa.String(length=12), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_order_line_discount_amount_positive")),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_order_line_discount_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["sales_order.id"],
            name=op.f("fk_order_line_discount_order_id_sales_order"),
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_line.id"],
            name=op.f("fk_order_line_discount_order_line_id_order_line"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_line_discount")),
        sa.UniqueConstraint(
            "order_line_id",
            "offer_key",
            name=op.f("uq_order_line_discount_order_line_id_offer_key"),
        ),
    )
    op.create_index(
        op.f("ix_order_line_discount_brand_id"), "order_line_discount", ["brand_id"], unique=False
    )
    op.create_index(
        op.f("ix_order_line_discount_order_id"), "order_line_discount", ["order_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_order_line_discount_order_id"), table_name="order_line_discount")
    op.drop_index(op.f("ix_order_line_discount_brand_id"), table_name="order_line_discount")
    op.drop_table("order_line_discount")
