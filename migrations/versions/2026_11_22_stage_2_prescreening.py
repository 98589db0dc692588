"""stage 2: customers, identity keys, negative list, prescreenings

Revision ID: d6a7b760cfba
Revises: e53c82efe88f
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d6a7b760cfba"
down_revision: str | None = "e53c82efe88f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("full_name", sa.String(length=150), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=True),
        sa.Column("npwp", sa.String(length=16), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("birth_place", sa.String(length=100), nullable=True),
        sa.Column("mother_maiden_name", sa.String(length=150), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('person', 'company')", name=op.f("ck_customers_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customers_nik"), ["nik"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_npwp"), ["npwp"], unique=False)

    op.create_table(
        "identity_keys",
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("owner", sa.String(length=8), nullable=False),
        sa.Column("owner_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("key", "owner", "owner_id", name=op.f("pk_identity_keys")),
    )
    op.create_table(
        "contract_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=15), nullable=False),
        sa.CheckConstraint(
            "role IN ('applicant', 'spouse', 'board_member')", name=op.f("ck_contract_parties_role")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_parties_contract_id_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_contract_parties_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_parties")),
        sa.UniqueConstraint(
            "contract_id",
            "customer_id",
            "role",
            name=op.f("uq_contract_parties_contract_id_customer_id_role"),
        ),
    )
    with op.batch_alter_table("contract_parties", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_parties_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contract_parties_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "negative_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("full_name", sa.String(length=150), nullable=True),
        sa.Column("nik", sa.String(length=16), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("birth_place", sa.String(length=100), nullable=True),
        sa.Column("mother_maiden_name", sa.String(length=150), nullable=True),
        sa.Column("chassis_number", sa.String(length=30), nullable=True),
        sa.Column("engine_number", sa.String(length=30), nullable=True),
        sa.Column("dealers", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_contract_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("listed_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category IN ('rejected_order', 'fraud', 'repossessed', 'overdue_60', 'bounced_cheques', 'blocked')",
            name=op.f("ck_negative_list_category"),
        ),
        sa.CheckConstraint(
            "subject <> 'vehicle' OR chassis_number IS NOT NULL OR engine_number IS NOT NULL",
            name=op.f("ck_negative_list_vehicle_identified"),
        ),
        sa.CheckConstraint(
            "subject IN ('person', 'vehicle')", name=op.f("ck_negative_list_subject")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_negative_list_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["source_contract_id"],
            ["contracts.id"],
            name=op.f("fk_negative_list_source_contract_id_contracts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_negative_list")),
    )
    with op.batch_alter_table("negative_list", schema=None) as batch_op:
        batch_op.create_index("ix_negative_list_chassis", ["chassis_number"], unique=False)
        batch_op.create_index("ix_negative_list_engine", ["engine_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_negative_list_nik"), ["nik"], unique=False)

    op.create_table(
        "prescreenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("customer_type", sa.String(length=15), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_prescreenings_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_prescreenings_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prescreenings")),
    )
    with op.batch_alter_table("prescreenings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prescreenings_contract_id"), ["contract_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("prescreenings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prescreenings_contract_id"))

    op.drop_table("prescreenings")
    with op.batch_alter_table("negative_list", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_negative_list_nik"))
        batch_op.drop_index("ix_negative_list_engine")
        batch_op.drop_index("ix_negative_list_chassis")

    op.drop_table("negative_list")
    with op.batch_alter_table("contract_parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_parties_customer_id"))
        batch_op.drop_index(batch_op.f("ix_contract_parties_contract_id"))

    op.drop_table("contract_parties")
    op.drop_table("identity_keys")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_npwp"))
        batch_op.drop_index(batch_op.f("ix_customers_nik"))

    op.drop_table("customers")
