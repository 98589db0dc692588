"""recoveries index: the portfolio report sums each write-off's recoveries, a small slice of
the payments table, through a partial index on the recovery payments by contract and day

Revision ID: 7c1e52b0d4a9
Revises: aaf0abf13778
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1e52b0d4a9"
down_revision: str | None = "aaf0abf13778"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_payments_recoveries",
        "payments",
        ["contract_id", "paid_on"],
        unique=False,
        postgresql_where=sa.text("recovery"),
        sqlite_where=sa.text("recovery = 1"),
    )


def downgrade() -> None:
    op.drop_index("ix_payments_recoveries", table_name="payments")
