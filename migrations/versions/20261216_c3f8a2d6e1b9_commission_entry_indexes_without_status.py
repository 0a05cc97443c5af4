"""commission lines are found by beneficiary and time earned; status left out of the indexes

Settling a period changes the status of every line it settles; the two indexes that held
the status were rewritten line by line on every approval.

Revision ID: c3f8a2d6e1b9
Revises: c4a9e1f7b203
Create Date: 2026-12-16 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3f8a2d6e1b9"
down_revision: str | None = "c4a9e1f7b203"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("commission_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_commission_entry_guide")
        batch_op.drop_index("ix_commission_entry_store")
        batch_op.create_index(
            "ix_commission_entry_guide_earned",
            ["brand_id", "guide_id", "earned_at"],
            unique=False,
            sqlite_where=sa.text("guide_id IS NOT NULL"),
            postgresql_where=sa.text("guide_id IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_commission_entry_store_earned",
            ["brand_id", "store_id", "earned_at"],
            unique=False,
            sqlite_where=sa.text("store_id IS NOT NULL"),
            postgresql_where=sa.text("store_id IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("commission_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_commission_entry_store_earned")
        batch_op.drop_index("ix_commission_entry_guide_earned")
        batch_op.create_index(
            "ix_commission_entry_store", ["brand_id", "store_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_commission_entry_guide", ["brand_id", "guide_id", "status"], unique=False
        )
