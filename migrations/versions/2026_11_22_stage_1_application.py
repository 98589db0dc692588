"""stage 1: full form, survey orders, idempotency keys

Revision ID: e53c82efe88f
Revises: 1a7cd872dc1f
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e53c82efe88f"
down_revision: str | None = "1a7cd872dc1f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_idempotency_keys_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "user_areas",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_user_areas_area_id_areas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_areas_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "area_id", name=op.f("pk_user_areas")),
    )
    with op.batch_alter_table("user_areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_areas_area_id"), ["area_id"], unique=False)

    op.create_table(
        "survey_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("surveyor_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=True),
        sa.Column("residence_verified", sa.Boolean(), nullable=True),
        sa.Column("income_verified", sa.Boolean(), nullable=True),
        sa.Column("remarks", sa.String(length=2000), nullable=True),
        sa.Column("documents", sa.JSON(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'done', 'reassigned')", name=op.f("ck_survey_orders_status")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_survey_orders_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["users.id"], name=op.f("fk_survey_orders_assigned_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_survey_orders_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["surveyor_id"], ["users.id"], name=op.f("fk_survey_orders_surveyor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_orders")),
    )
    with op.batch_alter_table("survey_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_orders_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(
            "ix_survey_orders_surveyor_status", ["surveyor_id", "status"], unique=False
        )
        batch_op.create_index(
            "uq_survey_orders_open_contract",
            ["contract_id"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "applicant_type",
                sa.String(length=12),
                nullable=False,
                server_default="individual",
            )
        )
        batch_op.create_check_constraint(
            op.f("ck_contracts_applicant_type"), "applicant_type IN ('individual', 'company')"
        )
        batch_op.add_column(sa.Column("chassis_number", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("engine_number", sa.String(length=30), nullable=True))
        batch_op.alter_column("applicant_nik", existing_type=sa.VARCHAR(length=16), nullable=True)
        batch_op.alter_column("applicant_birth_date", existing_type=sa.DATE(), nullable=True)
        batch_op.create_index(
            "uq_contracts_live_chassis",
            ["chassis_number"],
            unique=True,
            sqlite_where=sa.text(
                "state NOT IN ('CANCELLED', 'EXPIRED', 'PAID_OFF', 'REJECTED', 'WRITTEN_OFF')"
            ),
            postgresql_where=sa.text(
                "state NOT IN ('CANCELLED', 'EXPIRED', 'PAID_OFF', 'REJECTED', 'WRITTEN_OFF')"
            ),
        )
        batch_op.create_index(
            "uq_contracts_live_engine",
            ["engine_number"],
            unique=True,
            sqlite_where=sa.text(
                "state NOT IN ('CANCELLED', 'EXPIRED', 'PAID_OFF', 'REJECTED', 'WRITTEN_OFF')"
            ),
            postgresql_where=sa.text(
                "state NOT IN ('CANCELLED', 'EXPIRED', 'PAID_OFF', 'REJECTED', 'WRITTEN_OFF')"
            ),
        )


def downgrade() -> None:
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_contracts_live_engine",
            sqlite_where=sa.text(
                "state NOT IN ('CANCELLED', 'EXPIRED', 'PAID_OFF', 'REJECTED', 'WRITTEN_OFF')"
            ),
            postgresql_where=sa.text(
                "state NOT IN ('CANCELLED', 'EXPIRED', 'PAID_OFF', 'REJECTED', 'WRITTEN_OFF')"
            ),
        )
        batch_op.drop_index(
            "uq_contracts_live_chassis",
            sqlite_where=sa.text(
                "state NOT IN ('CANCELLED', 'EXPIRED', 'PAID_OFF', 'REJECTED', 'WRITTEN_OFF')"
            ),
            postgresql_where=sa.text(
                "state NOT IN ('CANCELLED', 'EXPIRED', 'PAID_OFF', 'REJECTED', 'WRITTEN_OFF')"
            ),
        )
        batch_op.alter_column("applicant_birth_date", existing_type=sa.DATE(), nullable=False)
        batch_op.alter_column("applicant_nik", existing_type=sa.VARCHAR(length=16), nullable=False)
        batch_op.drop_column("engine_number")
        batch_op.drop_column("chassis_number")
        batch_op.drop_constraint(op.f("ck_contracts_applicant_type"), type_="check")
        batch_op.drop_column("applicant_type")

    with op.batch_alter_table("survey_orders", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_survey_orders_open_contract",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index("ix_survey_orders_surveyor_status")
        batch_op.drop_index(batch_op.f("ix_survey_orders_contract_id"))

    op.drop_table("survey_orders")
    with op.batch_alter_table("user_areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_areas_area_id"))

    op.drop_table("user_areas")
    op.drop_table("idempotency_keys")
