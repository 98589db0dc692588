"""Rule sets (versioned, immutable), SLIK results entered by the analyst, and each contract's
fatal-scores decision with the version and the rule outcomes that made it."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.models import Base, UTCDateTime


class RuleSet(Base):
    __tablename__ = "rule_sets"
    __table_args__ = (
        UniqueConstraint("product_id", "version"),
        CheckConstraint("status IN ('active', 'retired')", name="status"),
        Index("uq_rule_sets_active_product", "product_id", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(500))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlikCheck(Base):
    """The credit bureau's (SLIK OJK) view of the applicant, as the analyst read it."""

    __tablename__ = "slik_checks"
    __table_args__ = (
        CheckConstraint("worst_kol BETWEEN 1 AND 5", name="kol_range"),
        CheckConstraint("outstanding >= 0 AND facilities >= 0", name="non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    worst_kol: Mapped[int] = mapped_column(Integer)
    outstanding: Mapped[int] = mapped_column(BigInteger)
    facilities: Mapped[int] = mapped_column(Integer)
    checked_on: Mapped[date] = mapped_column(Date)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FatalScore(Base):
    __tablename__ = "fatal_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("rule_sets.id"))
    rule_set_version: Mapped[int] = mapped_column(Integer)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    outcomes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    points: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    score: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(1))
    recommendation: Mapped[str] = mapped_column(String(30))
    reason_codes: Mapped[list[str]] = mapped_column(JSON)
    knocked_out: Mapped[bool] = mapped_column(Boolean)
    # A knock-out overridden by the analyst: the rules and why; approval needs a higher level.
    deviation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
