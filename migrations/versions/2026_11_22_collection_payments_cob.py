"""collection: payments, allocations, daily positions, close of business

Revision ID: 3252da0b190a
Revises: 5f30d011ab0a
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3252da0b190a"
down_revision: str | None = "5f30d011ab0a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "close_of_business",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("contracts", sa.Integer(), nullable=False),
        sa.Column("written_off", sa.Integer(), nullable=False),
        sa.Column("listed_overdue_60", sa.Integer(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("business_date", name=op.f("pk_close_of_business")),
    )
    op.create_table(
        "collection_positions",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("days_past_due", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=10), nullable=False),
        sa.Column("kol", sa.Integer(), nullable=False),
        sa.Column("outstanding_principal", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_collection_positions_contract_id_contracts"),
        ),
        sa.PrimaryKeyConstraint(
            "contract_id", "business_date", name=op.f("pk_collection_positions")
        ),
    )
    with op.batch_alter_table("collection_positions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_collection_positions_bucket"), ["bucket"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_collection_positions_business_date"), ["business_date"], unique=False
        )

    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reversal_reason", sa.String(length=30), nullable=True),
        sa.Column("recovery", sa.Boolean(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_payments_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["received_by_id"], ["users.id"], name=op.f("fk_payments_received_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_contract_id"), ["contract_id"], unique=False)

    op.create_table(
        "installment_payments",
        sa.Column("installment_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("late_charge", sa.BigInteger(), nullable=False),
        sa.Column("interest", sa.BigInteger(), nullable=False),
        sa.Column("principal", sa.BigInteger(), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_installment_payments_contract_id_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["installment_id"],
            ["installments.id"],
            name=op.f("fk_installment_payments_installment_id_installments"),
        ),
        sa.PrimaryKeyConstraint("installment_id", name=op.f("pk_installment_payments")),
    )
    with op.batch_alter_table("installment_payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_installment_payments_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_installment_payments_settled_on"), ["settled_on"], unique=False
        )

    op.create_table(
        "write_offs",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_write_offs_contract_id_contracts")
        ),
        sa.PrimaryKeyConstraint("contract_id", name=op.f("pk_write_offs")),
    )
    with op.batch_alter_table("write_offs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_write_offs_business_date"), ["business_date"], unique=False
        )

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "late_charge_rate",
                sa.Numeric(precision=6, scale=5),
                nullable=False,
                server_default="0.001",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("late_charge_rate")

    with op.batch_alter_table("write_offs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_write_offs_business_date"))

    op.drop_table("write_offs")

    with op.batch_alter_table("installment_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_installment_payments_settled_on"))
        batch_op.drop_index(batch_op.f("ix_installment_payments_contract_id"))

    op.drop_table("installment_payments")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_contract_id"))

    op.drop_table("payments")
    with op.batch_alter_table("collection_positions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collection_positions_business_date"))
        batch_op.drop_index(batch_op.f("ix_collection_positions_bucket"))

    op.drop_table("collection_positions")
    op.drop_table("close_of_business")
