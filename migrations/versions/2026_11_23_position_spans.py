"""position spans: the history of positions is kept as spans of unchanged standing (the
oldest installment in arrears, the Kol held by a restructuring, the principal outstanding),
written by the close of business only for contracts whose standing can change that day, plus
every month-end's positions whole, each with its debtor and where it stood a month-end before
(the report reads one month-end); the daily rows of other days go. Indexes for the close's
questions: ledger movements of a day, accounts leaving the book on a day. The spans are
derived again from the ledger over every day already closed.

Revision ID: 4d9b7e31a2c6
Revises: 7c1e52b0d4a9
Create Date: 2026-11-23
"""

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "4d9b7e31a2c6"
down_revision: str | None = "7c1e52b0d4a9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_IN_ARREARS = "valid_until IS NULL AND arrears_since IS NOT NULL"
CLOSED = sa.table("close_of_business", sa.column("business_date", sa.Date))
POSITIONS = sa.table(
    "collection_positions",
    *(sa.column(name) for name in ("contract_id", "days_past_due", "bucket", "kol")),
    sa.column("business_date", sa.Date),
    *(sa.column(name) for name in ("outstanding_principal", "debtor_id")),
    *(sa.column(name) for name in ("bucket_before", "outstanding_before")),
)


def _closed_days() -> list[date]:
    query = sa.select(CLOSED.c.business_date).order_by(CLOSED.c.business_date)
    return list(op.get_bind().scalars(query))


def upgrade() -> None:
    op.create_table(
        "collection_position_spans",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("arrears_since", sa.Date(), nullable=True),
        sa.Column("kol_floor", sa.SmallInteger(), nullable=True),
        sa.Column("outstanding_principal", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "contract_id", "valid_from", name=op.f("pk_collection_position_spans")
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_collection_position_spans_arrears",
        "collection_position_spans",
        ["arrears_since"],
        unique=False,
        postgresql_where=sa.text(OPEN_IN_ARREARS),
        sqlite_where=sa.text(OPEN_IN_ARREARS),
    )
    op.create_index("ix_ledger_entries_value_date", "ledger_entries", ["value_date"], unique=False)
    op.create_index(
        op.f("ix_loan_accounts_off_book_from"), "loan_accounts", ["off_book_from"], unique=False
    )
    with op.batch_alter_table("collection_positions") as batch_op:
        batch_op.add_column(sa.Column("debtor_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("bucket_before", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("outstanding_before", sa.BigInteger(), nullable=True))
        batch_op.create_index(
            "ix_collection_positions_debtor", ["business_date", "debtor_id", "kol"], unique=False
        )
    # The history again from the ledger, day by day as the close of business keeps it; of
    # the daily rows only the month-ends stay, each with its debtor and where it stood a
    # month-end before.
    from app.collection.positions import is_month_end, record_day

    session = Session(bind=op.get_bind())
    days = _closed_days()
    for day in days:
        record_day(session, day)
    session.flush()
    month_ends = [day for day in days if is_month_end(day)]
    op.execute(POSITIONS.delete().where(POSITIONS.c.business_date.not_in(month_ends)))
    parties = sa.table(
        "contract_parties", sa.column("contract_id"), sa.column("customer_id"), sa.column("role")
    )
    before = POSITIONS.alias("before")
    for day in month_ends:
        earlier = sa.select(before).where(
            before.c.business_date == day.replace(day=1) - timedelta(days=1),
            before.c.contract_id == POSITIONS.c.contract_id,
        )
        op.execute(
            POSITIONS.update()
            .where(POSITIONS.c.business_date == day)
            .values(
                debtor_id=sa.select(parties.c.customer_id)
                .where(
                    parties.c.contract_id == POSITIONS.c.contract_id,
                    parties.c.role == "applicant",
                )
                .scalar_subquery(),
                bucket_before=earlier.with_only_columns(before.c.bucket).scalar_subquery(),
                outstanding_before=earlier.with_only_columns(
                    before.c.outstanding_principal
                ).scalar_subquery(),
            )
        )


def downgrade() -> None:
    # A daily row again for every closed day but the month-ends (which stayed).
    from app.collection.positions import is_month_end, policy, positions_on

    session = Session(bind=op.get_bind())
    for day in _closed_days():
        if not is_month_end(day):
            rows = positions_on(session, day, policy())
            session.execute(
                sa.insert(POSITIONS).from_select(list(rows.selected_columns.keys()), rows)
            )
    session.flush()
    with op.batch_alter_table("collection_positions") as batch_op:
        batch_op.drop_index("ix_collection_positions_debtor")
        batch_op.drop_column("outstanding_before")
        batch_op.drop_column("bucket_before")
        batch_op.drop_column("debtor_id")
    op.drop_index(op.f("ix_loan_accounts_off_book_from"), table_name="loan_accounts")
    op.drop_index("ix_ledger_entries_value_date", table_name="ledger_entries")
    op.drop_index("ix_collection_position_spans_arrears", table_name="collection_position_spans")
    op.drop_table("collection_position_spans")
