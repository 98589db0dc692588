"""records: a contract's documents and photos (content-addressed, never overwritten)

Revision ID: d9daba7644c5
Revises: 5b8d2f7a9c41
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.models

revision: str = "d9daba7644c5"
down_revision: str | None = "5b8d2f7a9c41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_sha256"))
        batch_op.drop_index(batch_op.f("ix_documents_contract_id"))

    op.drop_table("documents")
