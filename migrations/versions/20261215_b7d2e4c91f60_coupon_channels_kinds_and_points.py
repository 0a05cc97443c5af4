"""coupons record their claim channel, an imported coupon its external reference and a paid
voucher its price; a service voucher records the store that redeemed it

Revision ID: b7d2e4c91f60
Revises: 5b7e2d9c4f1a
Create Date: 2026-12-15 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d2e4c91f60"
down_revision: str | None = "5b7e2d9c4f1a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("coupon", schema=None) as batch_op:
        # Coupons claimed before channels were recorded came from the cloud store or staff.
        batch_op.add_column(
            sa.Column("channel", sa.String(length=16), nullable=False, server_default="cloud_store")
        )
        batch_op.add_column(sa.Column("external_ref", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("price_paid", sa.BigInteger(), nullable=True))
        batch_op.create_index(
            "uq_coupon_template_external_ref", ["template_id", "external_ref"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("coupon", schema=None) as batch_op:
        batch_op.drop_index("uq_coupon_template_external_ref")
        batch_op.drop_column("price_paid")
        batch_op.drop_column("external_ref")
        batch_op.drop_column("channel")
