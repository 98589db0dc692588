"""prescreening weights and review: the duplicate check's versioned weights models, the
analysts' decisions on Possible Repeat Orders, and the model version of each pre-screening

Revision ID: 12c42c59b4d4
Revises: 5b8d2f7a9c41
Create Date: 2026-11-23 19:58:48.773889
"""

from collections.abc import Sequence

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


def downgrade() -> None:
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
