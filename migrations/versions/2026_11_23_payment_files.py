"""money in and messages out: a virtual account per disbursed contract (backfilled for the
contracts already disbursed), settlement files and their lines (posted, suspense, matched,
duplicate), webhook endpoints, the outbox of their deliveries and the worker's cursor; each
product's reminder plan, the reminders' outbox and the days planned

Revision ID: 6c832717e51d
Revises: d9daba7644c5
Create Date: 2026-11-23
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import app.core.models

revision: str = "6c832717e51d"
down_revision: str | None = "d9daba7644c5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCOUNTS = sa.table(
    "loan_accounts",
    sa.column("contract_id", sa.Integer),
    sa.column("virtual_account", sa.String),
)
BATCH = 5000


def _backfill() -> None:
    """Every disbursed contract gets the number a new one gets at disbursement."""
    from app.core.settings import get_settings
    from app.servicing.virtual_accounts import virtual_account

    prefix = get_settings().va_prefix
    bind = op.get_bind()
    update = (
        ACCOUNTS.update()
        .where(ACCOUNTS.c.contract_id == sa.bindparam("key"))
        .values(virtual_account=sa.bindparam("va"))
    )
    last = 0
    while True:
        ids = list(
            bind.scalars(
                sa.select(ACCOUNTS.c.contract_id)
                .where(ACCOUNTS.c.contract_id > last, ACCOUNTS.c.virtual_account.is_(None))
                .order_by(ACCOUNTS.c.contract_id)
                .limit(BATCH)
            )
        )
        if not ids:
            return
        rows: list[dict[str, Any]] = [{"key": i, "va": virtual_account(prefix, i)} for i in ids]
        bind.execute(update, rows)
        last = ids[-1]


def upgrade() -> None:
    op.create_table(
        "payment_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_payment_files_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_files")),
    )
    op.create_table(
        "payment_file_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("virtual_account", sa.String(length=30), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=True),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("matched_by_id", sa.Integer(), nullable=True),
        sa.Column("matched_at", app.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('posted', 'suspense', 'matched', 'duplicate')",
            name=op.f("ck_payment_file_lines_status"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payment_file_lines_amount_positive")),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_payment_file_lines_contract_id_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["payment_file_lines.id"],
            name=op.f("fk_payment_file_lines_duplicate_of_id_payment_file_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["payment_files.id"],
            name=op.f("fk_payment_file_lines_file_id_payment_files"),
        ),
        sa.ForeignKeyConstraint(
            ["matched_by_id"], ["users.id"], name=op.f("fk_payment_file_lines_matched_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_file_lines_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_file_lines")),
    )
    op.create_index(
        op.f("ix_payment_file_lines_file_id"), "payment_file_lines", ["file_id"], unique=False
    )
    op.create_index("ix_payment_file_lines_suspense", "payment_file_lines", ["id"], unique=False,
                    sqlite_where=sa.text("status = 'suspense'"), postgresql_where=sa.text("status = 'suspense'"))  # fmt: skip
    op.create_index("uq_payment_file_lines_reference", "payment_file_lines", ["channel", "reference"], unique=True,
                    sqlite_where=sa.text("status <> 'duplicate'"), postgresql_where=sa.text("status <> 'duplicate'"))  # fmt: skip
    with op.batch_alter_table("loan_accounts") as batch_op:
        batch_op.add_column(sa.Column("virtual_account", sa.String(length=16), nullable=True))
    _backfill()
    op.create_index(
        op.f("ix_loan_accounts_virtual_account"), "loan_accounts", ["virtual_account"], unique=True
    )

    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("owner_role", sa.String(length=30), nullable=False),
        sa.Column("dealer_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("disabled_at", app.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disabled_reason", sa.String(length=300), nullable=True),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
        sa.Column("leased_until", app.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dealer_id"], ["dealers.id"], name=op.f("fk_webhook_endpoints_dealer_id_dealers")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_webhook_endpoints_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    op.create_index(
        op.f("ix_webhook_endpoints_dealer_id"), "webhook_endpoints", ["dealer_id"], unique=False
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", app.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered')", name=op.f("ck_webhook_deliveries_status")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_webhook_deliveries_contract_id_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_webhook_deliveries_endpoint_id_webhook_endpoints"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["contract_events.id"],
            name=op.f("fk_webhook_deliveries_event_id_contract_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint(
            "endpoint_id", "event_id", name=op.f("uq_webhook_deliveries_endpoint_id_event_id")
        ),
    )
    op.create_index(
        "ix_webhook_deliveries_queue",
        "webhook_deliveries",
        ["endpoint_id", "status", "event_id"],
        unique=False,
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("attempted_at", app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("milliseconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_deliveries.id"],
            name=op.f("fk_webhook_attempts_delivery_id_webhook_deliveries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    op.create_index(
        op.f("ix_webhook_attempts_delivery_id"), "webhook_attempts", ["delivery_id"], unique=False
    )

    op.create_table(
        "reminder_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("planned", sa.Integer(), nullable=False),
        sa.Column("planned_at", app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_reminder_days")),
    )
    utc = app.core.models.UTCDateTime
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("installment_id", sa.Integer(), nullable=True),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=2000), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("not_before", utc(timezone=True), nullable=False),
        sa.Column("not_after", utc(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", utc(timezone=True), nullable=False),
        sa.Column("leased_until", utc(timezone=True), nullable=True),
        sa.Column("sent_at", utc(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", utc(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('email', 'sms', 'whatsapp')", name=op.f("ck_reminders_channel")
        ),
        sa.CheckConstraint(
            "kind IN ('before_due', 'after_due', 'promise')", name=op.f("ck_reminders_kind")
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'sent', 'retried', 'failed', 'cancelled')",
            name=op.f("ck_reminders_status"),
        ),
        sa.ForeignKeyConstraint(["action_id"], ["collection_actions.id"],
                                name=op.f("fk_reminders_action_id_collection_actions")),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"],
                                name=op.f("fk_reminders_contract_id_contracts")),
        sa.ForeignKeyConstraint(["installment_id"], ["installments.id"],
                                name=op.f("fk_reminders_installment_id_installments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("contract_id", "kind", "due_date", "channel", "day",
                            name=op.f("uq_reminders_contract_id_kind_due_date_channel_day")),
    )  # fmt: skip
    op.create_index(op.f("ix_reminders_contract_id"), "reminders", ["contract_id"], unique=False)
    op.create_index("ix_reminders_waiting", "reminders", ["status", "next_attempt_at"])
    with op.batch_alter_table("products") as batch_op:
        batch_op.add_column(
            sa.Column(
                "reminder_days",
                sa.JSON(),
                nullable=False,
                server_default="[-3, -1, 1, 7]",
            )
        )
        # Plain literals: an expression as the default would make SQLite copy the table (and
        # the copy cannot drop a table other tables' keys point to).
        batch_op.add_column(
            sa.Column("promise_reminder", sa.Boolean(), nullable=False, server_default="1")
        )


def downgrade() -> None:
    with op.batch_alter_table("products") as batch_op:
        batch_op.drop_column("promise_reminder")
        batch_op.drop_column("reminder_days")
    op.drop_index("ix_reminders_waiting", table_name="reminders")
    op.drop_index(op.f("ix_reminders_contract_id"), table_name="reminders")
    op.drop_table("reminders")
    op.drop_table("reminder_days")
    op.drop_index(op.f("ix_webhook_attempts_delivery_id"), table_name="webhook_attempts")
    op.drop_table("webhook_attempts")
    op.drop_index("ix_webhook_deliveries_queue", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index(op.f("ix_webhook_endpoints_dealer_id"), table_name="webhook_endpoints")
    op.drop_table("webhook_endpoints")
    op.drop_index(op.f("ix_loan_accounts_virtual_account"), table_name="loan_accounts")
    with op.batch_alter_table("loan_accounts") as batch_op:
        batch_op.drop_column("virtual_account")
    op.drop_index("uq_payment_file_lines_reference", table_name="payment_file_lines")
    op.drop_index("ix_payment_file_lines_suspense", table_name="payment_file_lines")
    op.drop_index(op.f("ix_payment_file_lines_file_id"), table_name="payment_file_lines")
    op.drop_table("payment_file_lines")
    op.drop_table("payment_files")
