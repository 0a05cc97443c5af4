"""analytics: saved reports, audiences and their memberships, re-targeting rules and sends

Revision ID: 3d9b7c21e5a4
Revises: d4b1e7a90c15, 6d2f0b8e4a17
Create Date: 2026-12-15 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import newretail.db

revision: str = "3d9b7c21e5a4"
# After both the data bank's events and the notifier: one head again.
down_revision: str | tuple[str, ...] | None = ("d4b1e7a90c15", "6d2f0b8e4a17")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_audience",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("computed_at", newretail.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("archived_at", newretail.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_analytics_audience_brand_id_brand")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_audience")),
    )
    with op.batch_alter_table("analytics_audience", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_audience_brand_id"), ["brand_id"], unique=False
        )

    op.create_table(
        "analytics_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("created_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_analytics_report_brand_id_brand")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_report")),
        sa.UniqueConstraint("brand_id", "key", name=op.f("uq_analytics_report_brand_id_key")),
    )
    with op.batch_alter_table("analytics_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_report_brand_id"), ["brand_id"], unique=False
        )

    op.create_table(
        "analytics_audience_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=200), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=True),
        sa.Column("marketing_consent", sa.Boolean(), nullable=False),
        sa.Column("entered_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("left_at", newretail.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["audience_id"],
            ["analytics_audience.id"],
            name=op.f("fk_analytics_audience_member_audience_id_analytics_audience"),
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_analytics_audience_member_brand_id_brand")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_audience_member")),
    )
    with op.batch_alter_table("analytics_audience_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_audience_member_brand_id"), ["brand_id"], unique=False
        )
        batch_op.create_index(
            "ix_analytics_audience_member_current", ["audience_id", "left_at"], unique=False
        )

    op.create_table(
        "analytics_retarget_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("radius_m", sa.Integer(), nullable=False),
        sa.Column("offer_kind", sa.String(length=12), nullable=False),
        sa.Column("coupon_template_id", sa.Integer(), nullable=True),
        sa.Column("template", sa.String(length=80), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("period_hours", sa.Integer(), nullable=False),
        sa.Column("starts_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", newretail.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("watermark", sa.BigInteger(), nullable=False),
        sa.Column("created_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ends_at IS NULL OR ends_at > starts_at",
            name=op.f("ck_analytics_retarget_rule_dates_forward"),
        ),
        sa.CheckConstraint(
            "radius_m BETWEEN 3000 AND 5000",
            name=op.f("ck_analytics_retarget_rule_radius_3_to_5_km"),
        ),
        sa.ForeignKeyConstraint(
            ["audience_id"],
            ["analytics_audience.id"],
            name=op.f("fk_analytics_retarget_rule_audience_id_analytics_audience"),
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_analytics_retarget_rule_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["coupon_template_id"],
            ["coupon_template.id"],
            name=op.f("fk_analytics_retarget_rule_coupon_template_id_coupon_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_retarget_rule")),
    )
    with op.batch_alter_table("analytics_retarget_rule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_retarget_rule_audience_id"), ["audience_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_analytics_retarget_rule_brand_id"), ["brand_id"], unique=False
        )

    op.create_table(
        "analytics_retarget_send",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("period_index", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_analytics_retarget_send_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["analytics_retarget_rule.id"],
            name=op.f("fk_analytics_retarget_send_rule_id_analytics_retarget_rule"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["store.id"], name=op.f("fk_analytics_retarget_send_store_id_store")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_retarget_send")),
        sa.UniqueConstraint(
            "rule_id",
            "member_id",
            "period_index",
            name=op.f("uq_analytics_retarget_send_rule_id_member_id_period_index"),
        ),
    )
    with op.batch_alter_table("analytics_retarget_send", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_retarget_send_brand_id"), ["brand_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("analytics_retarget_send", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_retarget_send_brand_id"))

    op.drop_table("analytics_retarget_send")
    with op.batch_alter_table("analytics_retarget_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_retarget_rule_brand_id"))
        batch_op.drop_index(batch_op.f("ix_analytics_retarget_rule_audience_id"))

    op.drop_table("analytics_retarget_rule")
    with op.batch_alter_table("analytics_audience_member", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_audience_member_current")
        batch_op.drop_index(batch_op.f("ix_analytics_audience_member_brand_id"))

    op.drop_table("analytics_audience_member")
    with op.batch_alter_table("analytics_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_report_brand_id"))

    op.drop_table("analytics_report")
    with op.batch_alter_table("analytics_audience", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_audience_brand_id"))

    op.drop_table("analytics_audience")
