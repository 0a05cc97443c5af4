"""pre-sale delivery: the methods a campaign offers, each deposit's choice and address

Revision ID: d7a3f9c2e5b1
Revises: d7a3f5b1c9e2
Create Date: 2026-12-12 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d7a3f9c2e5b1"
down_revision: str | None = "d7a3f5b1c9e2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Campaigns and deposits made before delivery existed were pickups.
    with op.batch_alter_table("presale_campaign", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "delivery_methods", sa.String(length=48), nullable=False, server_default="pickup"
            )
        )
    with op.batch_alter_table("presale_deposit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "delivery_method", sa.String(length=16), nullable=False, server_default="pickup"
            )
        )
        batch_op.add_column(sa.Column("address", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("presale_deposit", schema=None) as batch_op:
        batch_op.drop_column("address")
        batch_op.drop_column("delivery_method")
    with op.batch_alter_table("presale_campaign", schema=None) as batch_op:
        batch_op.drop_column("delivery_methods")
