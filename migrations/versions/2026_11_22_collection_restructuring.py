"""collection: restructurings (superseded installments) and collector assignments

Revision ID: e43723ccf1bb
Revises: 9efa9cd45726
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e43723ccf1bb"
down_revision: str | None = "9efa9cd45726"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "collector_assignments",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("collector_id", sa.Integer(), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["users.id"],
            name=op.f("fk_collector_assignments_assigned_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["collector_id"], ["users.id"], name=op.f("fk_collector_assignments_collector_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_collector_assignments_contract_id_contracts"),
        ),
        sa.PrimaryKeyConstraint("contract_id", name=op.f("pk_collector_assignments")),
    )
    with op.batch_alter_table("collector_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_collector_assignments_collector_id"), ["collector_id"], unique=False
        )

    op.create_table(
        "restructurings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=1000), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("annual_rate", sa.String(length=20), nullable=True),
        sa.Column("outstanding_principal", sa.BigInteger(), nullable=True),
        sa.Column("capitalised_interest", sa.BigInteger(), nullable=True),
        sa.Column("installment", sa.BigInteger(), nullable=True),
        sa.Column("installments", sa.Integer(), nullable=True),
        sa.Column("first_due_on", sa.Date(), nullable=True),
        sa.Column("old_schedule", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('payment_holiday', 'tenor_extension', 'rate_reduction')",
            name=op.f("ck_restructurings_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('requested', 'approved', 'rejected')", name=op.f("ck_restructurings_status")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_restructurings_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_restructurings_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_restructurings_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restructurings")),
    )
    with op.batch_alter_table("restructurings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_restructurings_contract_id"), ["contract_id"], unique=False
        )

    with op.batch_alter_table("installments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("superseded_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_installments_superseded_by_id_restructurings"),
            "restructurings",
            ["superseded_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("installments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_installments_superseded_by_id_restructurings"), type_="foreignkey"
        )
        batch_op.drop_column("superseded_by_id")

    with op.batch_alter_table("restructurings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_restructurings_contract_id"))

    op.drop_table("restructurings")
    with op.batch_alter_table("collector_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collector_assignments_collector_id"))

    op.drop_table("collector_assignments")
