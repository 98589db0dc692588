"""records: a contract's documents and photos (content-addressed, never overwritten); the
collateral's overdue marks from the close of business; repossession to auction (the
REPOSSESSED state, the repossessions table, the ledger's repossession costs and auction sales);
guarantors and co-applicants among a contract's parties; the SLIK report's code lists
(seeded with the guideline's codes) and the rows reported for each month

Revision ID: d9daba7644c5
Revises: 12c42c59b4d4
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.models

revision: str = "d9daba7644c5"
down_revision: str | None = "12c42c59b4d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATES = (
    "SUBMITTED", "SURVEY_ASSIGNED", "SURVEYED", "PRESCREENED", "SCORED", "SIMULATED",
    "PENDING_APPROVAL", "RETURNED", "APPROVED", "DELIVERED", "ACTIVE", "PAID_OFF", "WRITTEN_OFF",
    "REJECTED", "CANCELLED", "EXPIRED",
)  # fmt: skip
NEW_STATES = (*OLD_STATES[:13], "REPOSSESSED", *OLD_STATES[13:])
OLD_KINDS = (
    "disbursement", "paid_at_signing", "payment", "recovery", "late_charge_waiver", "refund",
    "reversal", "write_off", "restructuring", "early_settlement",
)  # fmt: skip
NEW_KINDS = (*OLD_KINDS, "repossession_cost", "auction_sale")
OLD_ROLES = ("applicant", "spouse", "board_member")
NEW_ROLES = (*OLD_ROLES, "guarantor", "co_applicant")


def _check(table: str, name: str, column: str, old: tuple[str, ...], new: tuple[str, ...]) -> None:
    """Widen (or narrow back) a ``column IN (...)`` check constraint."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
            batch_op.create_check_constraint(name, sa.text(f"{column} IN {new!r}"))
        return
    # SQLite cannot alter a constraint, and copying a table that others refer to (contracts)
    # fails its foreign keys once it holds rows. A check constraint does not change what is
    # stored, so its text is rewritten in the schema, as SQLite's documentation describes for
    # such changes (ALTER TABLE, "Making Other Kinds Of Table Schema Changes").
    before, after = f"{column} IN {old!r}", f"{column} IN {new!r}"
    found = bind.scalar(
        sa.text("SELECT instr(sql, :before) FROM sqlite_master WHERE type = 'table' AND name = :t"),
        {"before": before, "t": table},
    )
    if not found:
        raise RuntimeError(f"{table}: check {before!r} not found")
    version = bind.scalar(sa.text("PRAGMA schema_version"))
    bind.execute(sa.text("PRAGMA writable_schema = ON"))
    bind.execute(
        sa.text(
            "UPDATE sqlite_master SET sql = replace(sql, :before, :after) "
            "WHERE type = 'table' AND name = :t"
        ),
        {"before": before, "after": after, "t": table},
    )
    bind.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema = OFF"))


def upgrade() -> None:
    _check("contracts", "state", "state", OLD_STATES, NEW_STATES)
    _check("ledger_entries", "kind", "kind", OLD_KINDS, NEW_KINDS)
    _check("contract_parties", "role", "role", OLD_ROLES, NEW_ROLES)
    with op.batch_alter_table("collaterals") as batch_op:
        batch_op.add_column(sa.Column("fiduciary_overdue_since", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("bpkb_overdue_since", sa.Date(), nullable=True))
    with op.batch_alter_table("close_of_business") as batch_op:
        batch_op.add_column(
            sa.Column("collateral_flagged", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "repossessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("repossessed_on", sa.Date(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("appraised_value", sa.BigInteger(), nullable=True),
        sa.Column("appraised_on", sa.Date(), nullable=True),
        sa.Column("appraiser", sa.String(length=150), nullable=True),
        sa.Column("sold_on", sa.Date(), nullable=True),
        sa.Column("buyer", sa.String(length=150), nullable=True),
        sa.Column("proceeds", sa.BigInteger(), nullable=True),
        sa.Column("costs_recovered", sa.BigInteger(), nullable=True),
        sa.Column("to_debt", sa.BigInteger(), nullable=True),
        sa.Column("surplus", sa.BigInteger(), nullable=True),
        sa.Column("shortfall", sa.BigInteger(), nullable=True),
        sa.Column("shortfall_decision", sa.String(length=12), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", app.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "shortfall_decision IS NULL OR shortfall_decision IN ('kept', 'written_off')",
            name=op.f("ck_repossessions_shortfall_decision"),
        ),
        sa.CheckConstraint(
            "appraised_value IS NULL OR appraised_value > 0",
            name=op.f("ck_repossessions_appraisal"),
        ),
        sa.CheckConstraint(
            "proceeds IS NULL OR proceeds > 0", name=op.f("ck_repossessions_proceeds_positive")
        ),
        sa.CheckConstraint(
            "proceeds IS NULL OR proceeds = costs_recovered + to_debt + surplus",
            name=op.f("ck_repossessions_proceeds_split"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["collection_actions.id"],
            name=op.f("fk_repossessions_action_id_collection_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_repossessions_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_repossessions_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repossessions")),
        sa.UniqueConstraint("contract_id", name=op.f("uq_repossessions_contract_id")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('ktp', 'kk', 'npwp', 'pay_slip', 'residence_photo', 'vehicle_photo', 'bast', 'dealer_invoice', 'fiduciary_certificate', 'signed_contract')",
            name=op.f("ck_documents_kind"),
        ),
        sa.CheckConstraint(
            "media_type IN ('image/jpeg', 'image/png', 'application/pdf')",
            name=op.f("ck_documents_media_type"),
        ),
        sa.CheckConstraint("length(sha256) = 64", name=op.f("ck_documents_sha256_length")),
        sa.CheckConstraint("size > 0", name=op.f("ck_documents_size_positive")),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_documents_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_documents_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint(
            "contract_id", "kind", "version", name=op.f("uq_documents_contract_id_kind_version")
        ),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_sha256"), ["sha256"], unique=False)
    _slik_tables()


def _slik_tables() -> None:
    """The SLIK report's code lists (seeded with the guideline's codes) and its reported rows."""
    from app.slik.codes import SEED

    codes = op.create_table(
        "slik_codes",
        sa.Column("list", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("maps", sa.String(length=100), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("list", "code", name=op.f("pk_slik_codes")),
    )
    op.bulk_insert(
        codes,
        [
            {"list": name, "code": code, "label": label, "maps": maps, "active": True}
            for name, code, label, maps in SEED
        ],
    )
    op.create_table(
        "slik_reported_rows",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("segment", sa.String(length=3), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("reported_at", app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month", "segment", "key", name=op.f("pk_slik_reported_rows")),
    )
    with op.batch_alter_table("slik_reported_rows", schema=None) as batch_op:
        batch_op.create_index("ix_slik_reported_rows_month", ["month", "segment"], unique=False)


def downgrade() -> None:
    op.drop_table("slik_reported_rows")
    op.drop_table("slik_codes")
    op.drop_table("repossessions")
    with op.batch_alter_table("close_of_business") as batch_op:
        batch_op.drop_column("collateral_flagged")
    with op.batch_alter_table("collaterals") as batch_op:
        batch_op.drop_column("bpkb_overdue_since")
        batch_op.drop_column("fiduciary_overdue_since")
    _check("contract_parties", "role", "role", NEW_ROLES, OLD_ROLES)
    _check("ledger_entries", "kind", "kind", NEW_KINDS, OLD_KINDS)
    _check("contracts", "state", "state", NEW_STATES, OLD_STATES)
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_sha256"))
        batch_op.drop_index(batch_op.f("ix_documents_contract_id"))

    op.drop_table("documents")
