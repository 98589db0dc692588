"""stages 5 to 7: audit, approval, purchase orders, schedule, collateral

Revision ID: 5f30d011ab0a
Revises: 5fa8908e0094
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5f30d011ab0a"
down_revision: str | None = "5fa8908e0094"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "authority_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("max_amount", sa.BigInteger(), nullable=False),
        sa.Column("approves_deviations", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "level >= 1 AND max_amount > 0", name=op.f("ck_authority_levels_positive")
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_authority_levels_branch_id_branches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authority_levels")),
        sa.UniqueConstraint("branch_id", "level", name=op.f("uq_authority_levels_branch_id_level")),
    )
    with op.batch_alter_table("authority_levels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_authority_levels_branch_id"), ["branch_id"], unique=False
        )

    op.create_table(
        "approval_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("amount_financed", sa.BigInteger(), nullable=False),
        sa.Column("deviation", sa.Boolean(), nullable=False),
        sa.Column("required_level", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_level", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.String(length=1000), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'returned')",
            name=op.f("ck_approval_requests_status"),
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_approval_requests_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_approval_requests_contract_id_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_approval_requests_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_approval_requests_requested_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_requests")),
    )
    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_approval_requests_branch_id"), ["branch_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_approval_requests_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_approval_requests_status"), ["status"], unique=False)

    op.create_table(
        "audit_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("parameter", sa.String(length=80), nullable=False),
        sa.Column("remark", sa.String(length=2000), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=2000), nullable=True),
        sa.CheckConstraint(
            "severity IN ('info', 'warning', 'blocking')", name=op.f("ck_audit_findings_severity")
        ),
        sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f("ck_audit_findings_status")),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_audit_findings_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["users.id"], name=op.f("fk_audit_findings_raised_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_audit_findings_resolved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_findings")),
    )
    with op.batch_alter_table("audit_findings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_findings_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(
            "ix_audit_findings_open_blocking",
            ["contract_id"],
            unique=False,
            sqlite_where=sa.text("status = 'open' AND severity = 'blocking'"),
            postgresql_where=sa.text("status = 'open' AND severity = 'blocking'"),
        )

    op.create_table(
        "collaterals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("fiduciary_deadline", sa.Date(), nullable=False),
        sa.Column("fiduciary_registered_on", sa.Date(), nullable=True),
        sa.Column("fiduciary_certificate", sa.String(length=60), nullable=True),
        sa.Column("bpkb_status", sa.String(length=12), nullable=False),
        sa.Column("bpkb_number", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_collaterals_contract_id_contracts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collaterals")),
        sa.UniqueConstraint("contract_id", name=op.f("uq_collaterals_contract_id")),
    )
    with op.batch_alter_table("collaterals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_collaterals_fiduciary_deadline"), ["fiduciary_deadline"], unique=False
        )

    op.create_table(
        "installments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("principal", sa.BigInteger(), nullable=False),
        sa.Column("interest", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_installments_contract_id_contracts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installments")),
        sa.UniqueConstraint(
            "contract_id", "number", name=op.f("uq_installments_contract_id_number")
        ),
    )
    with op.batch_alter_table("installments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_installments_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_installments_due_date"), ["due_date"], unique=False)

    op.create_table(
        "purchase_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("dealer_id", sa.Integer(), nullable=False),
        sa.Column("vehicle", sa.JSON(), nullable=False),
        sa.Column("otr_price", sa.BigInteger(), nullable=False),
        sa.Column("down_payment", sa.BigInteger(), nullable=False),
        sa.Column("amount_to_dealer", sa.BigInteger(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("delivery", sa.JSON(), nullable=True),
        sa.Column("disbursement", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'fulfilled', 'expired', 'cancelled')",
            name=op.f("ck_purchase_orders_status"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_purchase_orders_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["dealer_id"], ["dealers.id"], name=op.f("fk_purchase_orders_dealer_id_dealers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_orders")),
        sa.UniqueConstraint("contract_id", name=op.f("uq_purchase_orders_contract_id")),
        sa.UniqueConstraint("number", name=op.f("uq_purchase_orders_number")),
    )
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_purchase_orders_dealer_id"), ["dealer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_purchase_orders_valid_until"), ["valid_until"], unique=False
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("authority_level", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("authority_level")

    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_orders_valid_until"))
        batch_op.drop_index(batch_op.f("ix_purchase_orders_dealer_id"))

    op.drop_table("purchase_orders")
    with op.batch_alter_table("installments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_installments_due_date"))
        batch_op.drop_index(batch_op.f("ix_installments_contract_id"))

    op.drop_table("installments")
    with op.batch_alter_table("collaterals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collaterals_fiduciary_deadline"))

    op.drop_table("collaterals")
    with op.batch_alter_table("audit_findings", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_audit_findings_open_blocking",
            sqlite_where=sa.text("status = 'open' AND severity = 'blocking'"),
            postgresql_where=sa.text("status = 'open' AND severity = 'blocking'"),
        )
        batch_op.drop_index(batch_op.f("ix_audit_findings_contract_id"))

    op.drop_table("audit_findings")
    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_requests_status"))
        batch_op.drop_index(batch_op.f("ix_approval_requests_contract_id"))
        batch_op.drop_index(batch_op.f("ix_approval_requests_branch_id"))

    op.drop_table("approval_requests")
    with op.batch_alter_table("authority_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authority_levels_branch_id"))

    op.drop_table("authority_levels")
