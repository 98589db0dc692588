"""report index: the portfolio report's pass over a month-end (buckets, Kol, roll rates) is
read from one covering index in the order of its groups

Revision ID: 2e7a4c91b3d0
Revises: 9b2f6c0d8e15
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "2e7a4c91b3d0"
down_revision: str | None = "9b2f6c0d8e15"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    "business_date",
    "bucket_before",
    "bucket",
    "kol",
    "outstanding_principal",
    "outstanding_before",
]


def upgrade() -> None:
    op.create_index("ix_collection_positions_roll", "collection_positions", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_collection_positions_roll", table_name="collection_positions")
