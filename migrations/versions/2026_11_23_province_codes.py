"""province codes: the province of each application's address, stored until now as typed
("Sulsel", "Kalimantan Timur", "DKI Jakarta"), becomes its two-digit BPS code wherever the
code list (app/reference/provinces.csv) reads it as one province; a text naming none
("Sulawesi") is kept, and collection then checks contact hours in every time zone.

Revision ID: 5b8d2f7a9c41
Revises: 2e7a4c91b3d0
Create Date: 2026-11-23
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "5b8d2f7a9c41"
down_revision: str | None = "2e7a4c91b3d0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACTS = sa.table("contracts", sa.column("id", sa.Integer), sa.column("application", sa.JSON))
BATCH = 1000


def _rewrite(province: Callable[[str], str | None]) -> None:
    """Each contract whose address's province ``province`` rewrites, a batch at a time."""
    bind = op.get_bind()
    update = (
        CONTRACTS.update()
        .where(CONTRACTS.c.id == sa.bindparam("key"))
        .values(application=sa.bindparam("application"))
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(CONTRACTS.c.id, CONTRACTS.c.application)
            .where(CONTRACTS.c.id > last)
            .order_by(CONTRACTS.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        changed: list[dict[str, Any]] = []
        for contract_id, application in rows:
            address = (application or {}).get("applicant", {}).get("address") or {}
            written = address.get("province")
            new = province(written) if isinstance(written, str) else None
            if new is not None and new != written:
                address["province"] = new
                changed.append({"key": contract_id, "application": application})
        if changed:
            bind.execute(update, changed)
        last = rows[-1][0]


def upgrade() -> None:
    from app.reference.regions import province_code

    _rewrite(province_code)


def downgrade() -> None:
    from app.reference.regions import provinces

    names = {code: p.name for code, p in provinces().items()}
    _rewrite(names.get)
