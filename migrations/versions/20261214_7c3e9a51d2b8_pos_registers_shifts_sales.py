"""the cloud POS: registers, shifts, till sales by client id, the till's journal, sync
conflicts, store credit; refunds per tender; the serving guide of an order line

Revision ID: 7c3e9a51d2b8
Revises: e4b2c8d1a7f3
Create Date: 2026-12-14 09:00:00.000000

Refunds made before this revision were each given back to the order's one payment: each
becomes that refund's one ``refund_tender`` row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import newretail.db

revision: str = "7c3e9a51d2b8"
down_revision: str | None = "e4b2c8d1a7f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pos_register",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_pos_register_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["store.id"], name=op.f("fk_pos_register_store_id_store")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_register")),
        sa.UniqueConstraint("store_id", "code", name=op.f("uq_pos_register_store_id_code")),
    )
    with op.batch_alter_table("pos_register", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pos_register_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pos_register_store_id"), ["store_id"], unique=False)

    op.create_table(
        "pos_shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("register_id", sa.Integer(), nullable=False),
        sa.Column("open_register_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("opening_float", sa.BigInteger(), nullable=False),
        sa.Column("counted", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", newretail.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.CheckConstraint("opening_float >= 0", name=op.f("ck_pos_shift_float_non_negative")),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_pos_shift_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["open_register_id"],
            ["pos_register.id"],
            name=op.f("fk_pos_shift_open_register_id_pos_register"),
        ),
        sa.ForeignKeyConstraint(
            ["register_id"], ["pos_register.id"], name=op.f("fk_pos_shift_register_id_pos_register")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["store.id"], name=op.f("fk_pos_shift_store_id_store")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_shift")),
        sa.UniqueConstraint("open_register_id", name=op.f("uq_pos_shift_open_register_id")),
    )
    with op.batch_alter_table("pos_shift", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pos_shift_brand_store", ["brand_id", "store_id", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pos_shift_register_id"), ["register_id"], unique=False)

    op.create_table(
        "pos_store_credit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_pos_store_credit_balance_non_negative")),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_pos_store_credit_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["membership.id"], name=op.f("fk_pos_store_credit_member_id_membership")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_store_credit")),
        sa.UniqueConstraint("member_id", name=op.f("uq_pos_store_credit_member_id")),
    )
    with op.batch_alter_table("pos_store_credit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pos_store_credit_brand_id"), ["brand_id"], unique=False
        )

    op.create_table(
        "pos_sale",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("register_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("device_time", newretail.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("cashier_id", sa.Integer(), nullable=True),
        sa.Column("created_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_pos_sale_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_pos_sale_order_id_sales_order")
        ),
        sa.ForeignKeyConstraint(
            ["register_id"], ["pos_register.id"], name=op.f("fk_pos_sale_register_id_pos_register")
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["pos_shift.id"], name=op.f("fk_pos_sale_shift_id_pos_shift")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["store.id"], name=op.f("fk_pos_sale_store_id_store")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_sale")),
        sa.UniqueConstraint("brand_id", "client_id", name=op.f("uq_pos_sale_brand_id_client_id")),
    )
    with op.batch_alter_table("pos_sale", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pos_sale_order_id"), ["order_id"], unique=False)
        batch_op.create_index("ix_pos_sale_shift", ["shift_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pos_sale_store_id"), ["store_id"], unique=False)

    op.create_table(
        "pos_store_credit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("actor_type", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["pos_store_credit.id"],
            name=op.f("fk_pos_store_credit_entry_account_id_pos_store_credit"),
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_pos_store_credit_entry_brand_id_brand")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_store_credit_entry")),
        sa.UniqueConstraint(
            "account_id", "reference", name=op.f("uq_pos_store_credit_entry_account_id_reference")
        ),
    )
    with op.batch_alter_table("pos_store_credit_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pos_store_credit_entry_brand_id"), ["brand_id"], unique=False
        )

    op.create_table(
        "pos_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("sale_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("settled_by_id", sa.Integer(), nullable=True),
        sa.Column("settled_at", newretail.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_pos_conflict_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_pos_conflict_order_id_sales_order")
        ),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["pos_sale.id"], name=op.f("fk_pos_conflict_sale_id_pos_sale")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["store.id"], name=op.f("fk_pos_conflict_store_id_store")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_conflict")),
        sa.UniqueConstraint("sale_id", name=op.f("uq_pos_conflict_sale_id")),
    )
    with op.batch_alter_table("pos_conflict", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pos_conflict_brand_store", ["brand_id", "store_id", "status"], unique=False
        )

    op.create_table(
        "pos_till_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("tendered", sa.BigInteger(), nullable=False),
        sa.Column("change", sa.BigInteger(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("sale_id", sa.Integer(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("refund_id", sa.Integer(), nullable=True),
        sa.Column("created_at", newretail.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brand.id"], name=op.f("fk_pos_till_entry_brand_id_brand")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_pos_till_entry_order_id_sales_order")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_pos_till_entry_payment_id_payment")
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refund.id"], name=op.f("fk_pos_till_entry_refund_id_refund")
        ),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["pos_sale.id"], name=op.f("fk_pos_till_entry_sale_id_pos_sale")
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["pos_shift.id"], name=op.f("fk_pos_till_entry_shift_id_pos_shift")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_till_entry")),
    )
    with op.batch_alter_table("pos_till_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pos_till_entry_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index("ix_pos_till_entry_shift", ["shift_id", "method"], unique=False)

    op.create_table(
        "refund_tender",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refund_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("provider_ref", sa.String(length=64), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_refund_tender_amount_positive")),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_refund_tender_payment_id_payment")
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"],
            ["refund.id"],
            name=op.f("fk_refund_tender_refund_id_refund"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_tender")),
        sa.UniqueConstraint(
            "refund_id", "payment_id", name=op.f("uq_refund_tender_refund_id_payment_id")
        ),
    )
    with op.batch_alter_table("refund_tender", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refund_tender_payment_id"), ["payment_id"], unique=False
        )

    op.execute(
        "INSERT INTO refund_tender (refund_id, payment_id, method, amount, provider_ref) "
        "SELECT refund.id, refund.payment_id, payment.method, refund.amount, refund.provider_ref "
        "FROM refund JOIN payment ON payment.id = refund.payment_id"
    )

    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("serving_guide_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_order_line_serving_guide_id_staff"),
            "staff",
            ["serving_guide_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_order_line_serving_guide_id_staff"), type_="foreignkey"
        )
        batch_op.drop_column("serving_guide_id")

    with op.batch_alter_table("refund_tender", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refund_tender_payment_id"))

    op.drop_table("refund_tender")
    with op.batch_alter_table("pos_till_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_pos_till_entry_shift")
        batch_op.drop_index(batch_op.f("ix_pos_till_entry_brand_id"))

    op.drop_table("pos_till_entry")
    with op.batch_alter_table("pos_conflict", schema=None) as batch_op:
        batch_op.drop_index("ix_pos_conflict_brand_store")

    op.drop_table("pos_conflict")
    with op.batch_alter_table("pos_store_credit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pos_store_credit_entry_brand_id"))

    op.drop_table("pos_store_credit_entry")
    with op.batch_alter_table("pos_sale", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pos_sale_store_id"))
        batch_op.drop_index("ix_pos_sale_shift")
        batch_op.drop_index(batch_op.f("ix_pos_sale_order_id"))

    op.drop_table("pos_sale")
    with op.batch_alter_table("pos_store_credit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pos_store_credit_brand_id"))

    op.drop_table("pos_store_credit")
    with op.batch_alter_table("pos_shift", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pos_shift_register_id"))
        batch_op.drop_index("ix_pos_shift_brand_store")

    op.drop_table("pos_shift")
    with op.batch_alter_table("pos_register", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pos_register_store_id"))
        batch_op.drop_index(batch_op.f("ix_pos_register_brand_id"))

    op.drop_table("pos_register")
