"""merchant accounts: provider accounts of brands, stores and franchisees; each payment's

Revision ID: 850442e45b8a
Revises: e4b2c8d1a7f3
Create Date: 2026-12-14 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import newretail.db

revision: str = "850442e45b8a"
down_revision: str | None = "e4b2c8d1a7f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "merchant_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("owner_type", sa.String(length=16), nullable=False),
        sa.Column("owner_name", sa.String(length=200), nullable=False),
        sa.Column("owner_store_id", sa.Integer(), nullable=True),
        sa.Column("brand_default", sa.Boolean(), nullable=False),
        sa.Column("merchant_id", sa.String(length=64), nullable=False),
        sa.Column("app_id", sa.String(length=64), nullable=False),
        sa.Column("key_serial", sa.String(length=64), nullable=False),
        sa.Column("platform_key_id", sa.String(length=64), nullable=False),
        sa.Column("private_key_ref", sa.String(length=210), nullable=False),
        sa.Column("platform_key_ref", sa.String(length=210), nullable=False),
        sa.Column("api_key_ref", sa.String(length=210), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_merchant_account_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["owner_store_id"], ["store.id"], name=op.f("fk_merchant_account_owner_store_id_store")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchant_account")),
        sa.UniqueConstraint("brand_id", "code", name=op.f("uq_merchant_account_brand_id_code")),
    )
    op.create_index(
        op.f("ix_merchant_account_brand_id"), "merchant_account", ["brand_id"], unique=False
    )
    op.create_table(
        "merchant_account_store",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("merchant_account_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_merchant_account_store_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["merchant_account_id"],
            ["merchant_account.id"],
            name=op.f("fk_merchant_account_store_merchant_account_id_merchant_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["store.id"], name=op.f("fk_merchant_account_store_store_id_store")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchant_account_store")),
        sa.UniqueConstraint(
            "store_id", "provider", name=op.f("uq_merchant_account_store_store_id_provider")
        ),
    )
    op.create_index(
        op.f("ix_merchant_account_store_brand_id"),
        "merchant_account_store",
        ["brand_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_merchant_account_store_merchant_account_id"),
        "merchant_account_store",
        ["merchant_account_id"],
        unique=False,
    )
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merchant_account_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_payment_merchant_account_id"), ["merchant_account_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_payment_merchant_account_id_merchant_account"),
            "merchant_account",
            ["merchant_account_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_payment_merchant_account_id_merchant_account"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_payment_merchant_account_id"))
        batch_op.drop_column("merchant_account_id")
    op.drop_index(
        op.f("ix_merchant_account_store_merchant_account_id"), table_name="merchant_account_store"
    )
    op.drop_index(op.f("ix_merchant_account_store_brand_id"), table_name="merchant_account_store")
    op.drop_table("merchant_account_store")
    op.drop_index(op.f("ix_merchant_account_brand_id"), table_name="merchant_account")
    op.drop_table("merchant_account")
