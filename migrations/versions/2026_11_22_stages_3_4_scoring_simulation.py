"""stages 3 and 4: rule sets, SLIK, fatal scores, packages, simulations

Revision ID: 5fa8908e0094
Revises: d6a7b760cfba
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5fa8908e0094"
down_revision: str | None = "d6a7b760cfba"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("min_down_payment_pct", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("admin_fee", sa.BigInteger(), nullable=False),
        sa.Column("insurance_admin_fee", sa.BigInteger(), nullable=False),
        sa.Column("fiduciary_fee", sa.BigInteger(), nullable=False),
        sa.Column("provision_rate", sa.Numeric(precision=7, scale=5), nullable=False),
        sa.Column("rounding_unit", sa.Integer(), nullable=False),
        sa.Column("in_advance", sa.Boolean(), nullable=False),
        sa.Column("rates", sa.JSON(), nullable=False),
        sa.Column("insurance", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "admin_fee >= 0 AND insurance_admin_fee >= 0 AND fiduciary_fee >= 0",
            name=op.f("ck_packages_fees"),
        ),
        sa.CheckConstraint(
            "min_down_payment_pct >= 0 AND min_down_payment_pct < 100", name=op.f("ck_packages_dp")
        ),
        sa.CheckConstraint("rounding_unit > 0", name=op.f("ck_packages_rounding_unit")),
        sa.CheckConstraint("valid_from <= expires_on", name=op.f("ck_packages_validity")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_packages_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packages")),
        sa.UniqueConstraint("code", name=op.f("uq_packages_code")),
    )
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_packages_product_id"), ["product_id"], unique=False)

    op.create_table(
        "package_dealers",
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("dealer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dealer_id"],
            ["dealers.id"],
            name=op.f("fk_package_dealers_dealer_id_dealers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.id"],
            name=op.f("fk_package_dealers_package_id_packages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("package_id", "dealer_id", name=op.f("pk_package_dealers")),
    )
    with op.batch_alter_table("package_dealers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_package_dealers_dealer_id"), ["dealer_id"], unique=False
        )

    op.create_table(
        "rule_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('active', 'retired')", name=op.f("ck_rule_sets_status")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_rule_sets_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["users.id"], name=op.f("fk_rule_sets_published_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_sets")),
        sa.UniqueConstraint("product_id", "version", name=op.f("uq_rule_sets_product_id_version")),
    )
    with op.batch_alter_table("rule_sets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rule_sets_product_id"), ["product_id"], unique=False)
        batch_op.create_index(
            "uq_rule_sets_active_product",
            ["product_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "fatal_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("rule_set_id", sa.Integer(), nullable=False),
        sa.Column("rule_set_version", sa.Integer(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=False),
        sa.Column("recommendation", sa.String(length=30), nullable=False),
        sa.Column("reason_codes", sa.JSON(), nullable=False),
        sa.Column("knocked_out", sa.Boolean(), nullable=False),
        sa.Column("deviation", sa.JSON(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_fatal_scores_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_fatal_scores_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["rule_set_id"], ["rule_sets.id"], name=op.f("fk_fatal_scores_rule_set_id_rule_sets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fatal_scores")),
    )
    with op.batch_alter_table("fatal_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fatal_scores_contract_id"), ["contract_id"], unique=False
        )

    op.create_table(
        "simulations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("package", sa.JSON(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("chosen_by_id", sa.Integer(), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chosen_by_id"], ["users.id"], name=op.f("fk_simulations_chosen_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_simulations_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["package_id"], ["packages.id"], name=op.f("fk_simulations_package_id_packages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_simulations")),
    )
    with op.batch_alter_table("simulations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_simulations_contract_id"), ["contract_id"], unique=False
        )

    op.create_table(
        "slik_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("worst_kol", sa.Integer(), nullable=False),
        sa.Column("outstanding", sa.BigInteger(), nullable=False),
        sa.Column("facilities", sa.Integer(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outstanding >= 0 AND facilities >= 0", name=op.f("ck_slik_checks_non_negative")
        ),
        sa.CheckConstraint("worst_kol BETWEEN 1 AND 5", name=op.f("ck_slik_checks_kol_range")),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_slik_checks_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_slik_checks_entered_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slik_checks")),
    )
    with op.batch_alter_table("slik_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_slik_checks_contract_id"), ["contract_id"], unique=False
        )

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "slik_required_above",
                sa.BigInteger(),
                nullable=False,
                server_default="50000000",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("slik_required_above")

    with op.batch_alter_table("slik_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slik_checks_contract_id"))

    op.drop_table("slik_checks")
    with op.batch_alter_table("simulations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_simulations_contract_id"))

    op.drop_table("simulations")
    with op.batch_alter_table("fatal_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fatal_scores_contract_id"))

    op.drop_table("fatal_scores")
    with op.batch_alter_table("rule_sets", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_rule_sets_active_product",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_rule_sets_product_id"))

    op.drop_table("rule_sets")
    with op.batch_alter_table("package_dealers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_package_dealers_dealer_id"))

    op.drop_table("package_dealers")
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_packages_product_id"))

    op.drop_table("packages")
