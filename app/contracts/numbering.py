"""Contract numbers ``BRANCH-YEAR-PRODUCT-SEQUENCE`` (``JKT01-2026-MC-000042``).

The sequence row is created if missing, then incremented with ``UPDATE ... RETURNING``; the
row lock that UPDATE takes queues concurrent submitters, and because the increment commits or
rolls back with the contract itself, numbers are unique and without gaps.
"""

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.contracts.models import ContractSequence


def format_number(branch_code: str, year: int, product_code: str, sequence: int) -> str:
    return f"{branch_code}-{year}-{product_code}-{sequence:06d}"


def next_number(session: Session, branch_code: str, year: int, product_code: str) -> str:
    key = {"branch_code": branch_code, "year": year, "product_code": product_code}
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(ContractSequence).values(**key, last_value=0).on_conflict_do_nothing()
    )
    sequence = session.scalar(
        update(ContractSequence)
        .where(
            ContractSequence.branch_code == branch_code,
            ContractSequence.year == year,
            ContractSequence.product_code == product_code,
        )
        .values(last_value=ContractSequence.last_value + 1)
        .returning(ContractSequence.last_value)
    )
    assert sequence is not None
    return format_number(branch_code, year, product_code, sequence)
