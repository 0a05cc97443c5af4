"""a brand's points pay part of an order (rate and cap in the member programme); a paid
voucher records the payment that bought it, so it can be bought back

Revision ID: c4a9e1f7b203
Revises: b7d2e4c91f60
Create Date: 2026-12-16 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import newretail.db

revision: str = "c4a9e1f7b203"
down_revision: str | None = "b7d2e4c91f60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member_program", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("redeem_points_per_yuan", sa.Integer(), nullable=False, server_default="100")
        )
        batch_op.add_column(
            sa.Column("redeem_cap_pct", sa.Integer(), nullable=False, server_default="50")
        )
    with op.batch_alter_table("coupon", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payment_ref", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("refund_ref", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("voided_at", newretail.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("coupon", schema=None) as batch_op:
        batch_op.drop_column("voided_at")
        batch_op.drop_column("refund_ref")
        batch_op.drop_column("payment_ref")
    with op.batch_alter_table("member_program", schema=None) as batch_op:
        batch_op.drop_column("redeem_cap_pct")
        batch_op.drop_column("redeem_points_per_yuan")
