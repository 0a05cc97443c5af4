"""the event intake indexed by brand and person, for forgetting a person who refuses analytics

Forgetting a refuser's events deletes them by person key; without this index each delete
walked every event the brand ever sent.

Revision ID: 3c8d2f61a0b7
Revises: 9b1e5c7a2d40
Create Date: 2026-12-19 09:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3c8d2f61a0b7"
down_revision: str | None = "9b1e5c7a2d40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_analytics_event_brand_person",
        "analytics_event",
        ["brand_id", "person_key"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_analytics_event_brand_person", table_name="analytics_event")
