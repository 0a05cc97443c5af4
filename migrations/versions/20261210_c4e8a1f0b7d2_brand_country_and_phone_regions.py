"""brand country and the regions whose phones may sign in

Revision ID: c4e8a1f0b7d2
Revises: b4c8d2e6f0a1
Create Date: 2026-12-10 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e8a1f0b7d2"
down_revision: str | None = "b4c8d2e6f0a1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing brands are Chinese, as the currency and timezone defaults already assume.
    with op.batch_alter_table("brand", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("country", sa.String(length=2), nullable=False, server_default="CN")
        )
        batch_op.add_column(sa.Column("phone_regions", sa.JSON(), nullable=True))
    with op.batch_alter_table("brand", schema=None) as batch_op:
        batch_op.alter_column("country", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("brand", schema=None) as batch_op:
        batch_op.drop_column("phone_regions")
        batch_op.drop_column("country")
