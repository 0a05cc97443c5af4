"""coupon packages; coupons record their store, reservation expiry and package; templates
say what a return does to their coupons

Revision ID: a0c41e37300d
Revises: 7c3e9a51d2b8
Create Date: 2026-12-14 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import newretail.db

revision: str = "a0c41e37300d"
down_revision: str | None = "7c3e9a51d2b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coupon_package",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("budget", sa.BigInteger(), nullable=False),
        sa.Column("max_benefits", sa.Integer(), nullable=True),
        sa.Column("conflicts", sa.JSON(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.Column("nodes", sa.Integer(), nullable=False),
        sa.Column("assembled_at", newretail.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("starts_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", newretail.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("total_quantity", sa.Integer(), nullable=True),
        sa.Column("claimed", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("published_at", newretail.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ends_at IS NULL OR ends_at > starts_at", name=op.f("ck_coupon_package_dates_forward")
        ),
        sa.CheckConstraint(
            "total_quantity IS NULL OR claimed <= total_quantity",
            name=op.f("ck_coupon_package_within_quantity"),
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_coupon_package_district_id_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupon_package")),
    )
    with op.batch_alter_table("coupon_package", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coupon_package_district_id"), ["district_id"], unique=False
        )
        batch_op.create_index("ix_coupon_package_status", ["status"], unique=False)

    op.create_table(
        "coupon_package_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("claimed_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consumer_id"],
            ["consumer.id"],
            name=op.f("fk_coupon_package_claim_consumer_id_consumer"),
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["coupon_package.id"],
            name=op.f("fk_coupon_package_claim_package_id_coupon_package"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupon_package_claim")),
        sa.UniqueConstraint(
            "package_id", "consumer_id", name=op.f("uq_coupon_package_claim_package_id_consumer_id")
        ),
    )
    with op.batch_alter_table("coupon_package_claim", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coupon_package_claim_consumer_id"), ["consumer_id"], unique=False
        )

    op.create_table(
        "coupon_package_candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=40), nullable=True),
        sa.Column("face", sa.BigInteger(), nullable=False),
        sa.Column("use_rate", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("picked", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("other_template_id", sa.Integer(), nullable=True),
        sa.Column("margin", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_coupon_package_candidate_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["coupon_package.id"],
            name=op.f("fk_coupon_package_candidate_package_id_coupon_package"),
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["coupon_template.id"],
            name=op.f("fk_coupon_package_candidate_template_id_coupon_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupon_package_candidate")),
        sa.UniqueConstraint(
            "package_id",
            "template_id",
            name=op.f("uq_coupon_package_candidate_package_id_template_id"),
        ),
    )
    with op.batch_alter_table("coupon_package_candidate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coupon_package_candidate_package_id"), ["package_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_coupon_package_candidate_template_id"), ["template_id"], unique=False
        )

    with op.batch_alter_table("coupon", schema=None) as batch_op:
        batch_op.add_column(sa.Column("store_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("reserved_until", newretail.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("package_claim_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_coupon_reservation_expiry", ["status", "reserved_until"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_coupon_package_claim_id_coupon_package_claim"),
            "coupon_package_claim",
            ["package_claim_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_coupon_store_id_store"), "store", ["store_id"], ["id"]
        )

    with op.batch_alter_table("coupon_template", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "return_rule",
                sa.String(length=8),
                nullable=False,
                server_default=sa.text("'forfeit'"),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("coupon_template", schema=None) as batch_op:
        batch_op.drop_column("return_rule")

    with op.batch_alter_table("coupon", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_coupon_store_id_store"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_coupon_package_claim_id_coupon_package_claim"), type_="foreignkey"
        )
        batch_op.drop_index("ix_coupon_reservation_expiry")
        batch_op.drop_column("package_claim_id")
        batch_op.drop_column("reserved_until")
        batch_op.drop_column("store_id")

    with op.batch_alter_table("coupon_package_candidate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coupon_package_candidate_template_id"))
        batch_op.drop_index(batch_op.f("ix_coupon_package_candidate_package_id"))

    op.drop_table("coupon_package_candidate")
    with op.batch_alter_table("coupon_package_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coupon_package_claim_consumer_id"))

    op.drop_table("coupon_package_claim")
    with op.batch_alter_table("coupon_package", schema=None) as batch_op:
        batch_op.drop_index("ix_coupon_package_status")
        batch_op.drop_index(batch_op.f("ix_coupon_package_district_id"))

    op.drop_table("coupon_package")
