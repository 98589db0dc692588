"""holiday calendar: the national holidays of every year come from the holidays package; the
holidays table keeps only head office's changes to it: a day added or renamed (observed) or a
national holiday taken off (not observed). Rows that repeat a national holiday of the package
under a name typed by hand go.

Revision ID: 9b2f6c0d8e15
Revises: 4d9b7e31a2c6
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9b2f6c0d8e15"
down_revision: str | None = "4d9b7e31a2c6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOLIDAYS = sa.table("holidays", sa.column("day", sa.Date), sa.column("observed", sa.Boolean))


def upgrade() -> None:
    from app.collection.calendar import national

    with op.batch_alter_table("holidays") as batch_op:
        batch_op.add_column(
            sa.Column("observed", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    days = list(op.get_bind().scalars(sa.select(HOLIDAYS.c.day)))
    repeated = [day for day in days if day in national(day.year)]
    if repeated:
        op.execute(HOLIDAYS.delete().where(HOLIDAYS.c.day.in_(repeated)))


def downgrade() -> None:
    op.execute(HOLIDAYS.delete().where(HOLIDAYS.c.observed.is_(False)))
    with op.batch_alter_table("holidays") as batch_op:
        batch_op.drop_column("observed")
