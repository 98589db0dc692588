"""The contract (*aplikasi kontrak*), its append-only event log and its number sequences."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
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

from app.contracts.states import TERMINAL, ContractState
from app.core.clock import utcnow
from app.core.models import Base, UTCDateTime

STATE_VALUES = tuple(state.value for state in ContractState)
# The log keeps a reason in this many characters; requests whose reason is logged ask no more.
REASON_LENGTH = 500
# A contract is live until it ends; one vehicle may back only one live contract.
LIVE = text(f"state NOT IN {tuple(sorted(s.value for s in TERMINAL))!r}")


class Contract(Base):
    """One financing application, from submission to its last payment.

    ``version`` grows with every change; transitions compare-and-set on it so that of two
    concurrent changes only one wins. The full application form lives in ``application``;
    the columns beside it are what lists filter and sort on.
    """

    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint(f"state IN {STATE_VALUES!r}", name="state"),
        CheckConstraint("otr_price > 0", name="otr_positive"),
        CheckConstraint("down_payment >= 0 AND down_payment < otr_price", name="dp_below_otr"),
        CheckConstraint("tenor_months > 0", name="tenor_positive"),
        CheckConstraint("applicant_type IN ('individual', 'company')", name="applicant_type"),
        Index("uq_contracts_live_chassis", "chassis_number", unique=True,
              sqlite_where=LIVE, postgresql_where=LIVE),
        Index("uq_contracts_live_engine", "engine_number", unique=True,
              sqlite_where=LIVE, postgresql_where=LIVE),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealers.id"), index=True)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    form_category: Mapped[str] = mapped_column(String(20))
    applicant_type: Mapped[str] = mapped_column(String(12))
    # A person's name and NIK, or a company's name (and no NIK: its board members have them).
    applicant_name: Mapped[str] = mapped_column(String(150))
    applicant_nik: Mapped[str | None] = mapped_column(String(16), index=True)
    applicant_birth_date: Mapped[date | None] = mapped_column(Date)
    chassis_number: Mapped[str | None] = mapped_column(String(30))
    engine_number: Mapped[str | None] = mapped_column(String(30))
    otr_price: Mapped[int] = mapped_column(BigInteger)
    down_payment: Mapped[int] = mapped_column(BigInteger)
    tenor_months: Mapped[int] = mapped_column(Integer)
    application: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContractEvent(Base):
    """One entry of a contract's log: who, in which role, when, from, to, why, what."""

    __tablename__ = "contract_events"
    __table_args__ = (UniqueConstraint("contract_id", "seq"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    # Position in this contract's log: 1, 2, 3... (the contract's version after the change).
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(String(REASON_LENGTH))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContractSequence(Base):
    """The last number used per branch, year and product; its row lock keeps numbers gap-free."""

    __tablename__ = "contract_sequences"

    branch_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)
