"""collection work: actions, consents, holidays

Revision ID: 9efa9cd45726
Revises: 3252da0b190a
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9efa9cd45726"
down_revision: str | None = "3252da0b190a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "holidays",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_holidays")),
    )
    op.create_table(
        "collection_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("performed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=20), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("promise_date", sa.Date(), nullable=True),
        sa.Column("promise_amount", sa.BigInteger(), nullable=True),
        sa.Column("promise_broken_on", sa.Date(), nullable=True),
        sa.Column("letter_number", sa.String(length=40), nullable=True),
        sa.Column("letter", sa.JSON(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("collector_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('reminder_call', 'desk_call', 'field_visit', 'warning_letter', 'repossession')",
            name=op.f("ck_collection_actions_kind"),
        ),
        sa.CheckConstraint(
            "result IN ('contacted', 'promise_to_pay', 'refused', 'not_found', 'paid', 'no_answer', 'sent', 'handed_over')",
            name=op.f("ck_collection_actions_result"),
        ),
        sa.ForeignKeyConstraint(
            ["collector_id"], ["users.id"], name=op.f("fk_collection_actions_collector_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_collection_actions_contract_id_contracts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_actions")),
        sa.UniqueConstraint("letter_number", name=op.f("uq_collection_actions_letter_number")),
    )
    with op.batch_alter_table("collection_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_collection_actions_contract_id"), ["contract_id"], unique=False
        )

    op.create_table(
        "collection_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_collection_consents_contract_id_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_collection_consents_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_consents")),
    )
    with op.batch_alter_table("collection_consents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_collection_consents_contract_id"), ["contract_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("collection_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collection_consents_contract_id"))

    op.drop_table("collection_consents")
    with op.batch_alter_table("collection_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collection_actions_contract_id"))

    op.drop_table("collection_actions")
    op.drop_table("holidays")
