"""collection indexes: one covering index for the close of business's pass over the schedules
in force; positions keyed by day first (on SQLite stored in key order, WITHOUT ROWID), with an
index per contract and none on the bucket (every query narrows by day first), and no foreign key
on the positions (derived data the close of business alone writes)

Revision ID: 3e0fc6b39d52
Revises: e43723ccf1bb
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3e0fc6b39d52"
down_revision: str | None = "e43723ccf1bb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table(
        "collection_positions", recreate="auto", table_kwargs={"sqlite_with_rowid": False}
    ) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collection_positions_bucket"))
        batch_op.drop_index(batch_op.f("ix_collection_positions_business_date"))
        batch_op.drop_constraint("pk_collection_positions", type_="primary")
        batch_op.drop_constraint(
            "fk_collection_positions_contract_id_contracts", type_="foreignkey"
        )
        batch_op.create_primary_key("pk_collection_positions", ["business_date", "contract_id"])
        batch_op.create_index(
            "ix_collection_positions_contract", ["contract_id", "business_date"], unique=False
        )

    with op.batch_alter_table("installments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_installments_contract_id"))
        batch_op.create_index(
            "ix_installments_in_force",
            ["contract_id", "superseded_by_id", "due_date", "principal", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("installments", schema=None) as batch_op:
        batch_op.drop_index("ix_installments_in_force")
        batch_op.create_index(
            batch_op.f("ix_installments_contract_id"), ["contract_id"], unique=False
        )

    with op.batch_alter_table(
        "collection_positions", recreate="auto", table_kwargs={"sqlite_with_rowid": True}
    ) as batch_op:
        batch_op.drop_index("ix_collection_positions_contract")
        batch_op.drop_constraint("pk_collection_positions", type_="primary")
        batch_op.create_primary_key("pk_collection_positions", ["contract_id", "business_date"])
        batch_op.create_foreign_key(
            "fk_collection_positions_contract_id_contracts",
            "contracts",
            ["contract_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_collection_positions_business_date"), ["business_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_collection_positions_bucket"), ["bucket"], unique=False
        )
