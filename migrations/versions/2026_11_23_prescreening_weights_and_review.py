"""prescreening weights and review: the duplicate check's versioned weights models, the
analysts' decisions on Possible Repeat Orders, the model version of each pre-screening, and a
new blocking key for every known NIK (its region and sequence, without the birth-date part)

Revision ID: 12c42c59b4d4
Revises: 5b8d2f7a9c41
Create Date: 2026-11-23 19:58:48.773889
"""

import hashlib
from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op

import app.core.models

revision: str = "12c42c59b4d4"
down_revision: str | None = "5b8d2f7a9c41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "match_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("pairs", sa.Integer(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("fitted_by", sa.String(length=100), nullable=False),
        sa.Column("fitted_at", app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_models")),
        sa.UniqueConstraint("version", name=op.f("uq_match_models_version")),
    )
    op.create_table(
        "prescreening_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prescreening_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=15), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", app.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('confirmed', 'denied')", name=op.f("ck_prescreening_reviews_decision")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_prescreening_reviews_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_prescreening_reviews_decided_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["prescreening_id"],
            ["prescreenings.id"],
            name=op.f("fk_prescreening_reviews_prescreening_id_prescreenings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prescreening_reviews")),
    )
    with op.batch_alter_table("prescreening_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prescreening_reviews_prescreening_id"), ["prescreening_id"], unique=False
        )

    with op.batch_alter_table("prescreenings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("model_version", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.alter_column(
            "customer_type",
            existing_type=sa.VARCHAR(length=15),
            type_=sa.String(length=25),
            existing_nullable=False,
        )
    _rekey(add=True)


# The NIK's region and sequence as a blocking key (app.prescreening.matching, kind "nikrs"),
# hashed here as the matcher hashes it, so the migration stands alone.
SOURCES = (
    ("customer", "SELECT id, nik FROM customers WHERE kind = 'person' AND nik IS NOT NULL"),
    ("negative", "SELECT id, nik FROM negative_list WHERE subject = 'person' AND nik IS NOT NULL "
                 "AND full_name IS NOT NULL"),
)  # fmt: skip
BATCH = 10_000


def _key(nik: str) -> int:
    digest = hashlib.blake2b(f"nikrs:{nik[:6]}{nik[12:]}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _keys() -> Iterator[list[dict[str, object]]]:
    connection = op.get_bind()
    for owner, query in SOURCES:
        result = connection.execute(sa.text(query))
        while rows := result.fetchmany(BATCH):
            yield [
                {"key": _key(nik), "owner": owner, "owner_id": owner_id}
                for owner_id, nik in rows
                if nik and len(nik) == 16
            ]


def _rekey(add: bool) -> None:
    keys = sa.table(
        "identity_keys", sa.column("key", sa.BigInteger), sa.column("owner", sa.String),
        sa.column("owner_id", sa.Integer),
    )  # fmt: skip
    batches = list(_keys())  # read whole before writing: one connection, one cursor at a time
    for rows in batches:
        if not rows:
            continue
        if add:
            op.get_bind().execute(sa.insert(keys), rows)
        else:
            for row in rows:
                op.get_bind().execute(
                    sa.delete(keys).where(
                        keys.c.key == row["key"], keys.c.owner == row["owner"],
                        keys.c.owner_id == row["owner_id"],
                    )
                )  # fmt: skip


def downgrade() -> None:
    _rekey(add=False)
    with op.batch_alter_table("prescreenings", schema=None) as batch_op:
        batch_op.alter_column(
            "customer_type",
            existing_type=sa.String(length=25),
            type_=sa.VARCHAR(length=15),
            existing_nullable=False,
        )
        batch_op.drop_column("model_version")

    with op.batch_alter_table("prescreening_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prescreening_reviews_prescreening_id"))

    op.drop_table("prescreening_reviews")
    op.drop_table("match_models")
