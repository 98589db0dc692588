"""The positions of a day recomputed from the ledger alone, for every contract on the book
(or those given): what the stored history must equal."""

from datetime import date
from typing import Any

from sqlalchemy import Select, literal, select
from sqlalchemy.orm import Session

from app.collection.positions import policy, seen_on, standing_query


def recomputed(session: Session, day: date, contract_ids: list[int] | None = None) -> Select[Any]:
    """(contract_id, day, days past due, bucket, Kol, principal outstanding)."""
    standing = standing_query(session, day, contract_ids).subquery()
    dpd, bucket, kol = seen_on(
        session, day, standing.c.arrears_since, standing.c.kol_floor, policy()
    )
    return select(
        standing.c.contract_id, literal(day), dpd, bucket, kol, standing.c.outstanding_principal
    )
