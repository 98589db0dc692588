"""The authority matrix, approval requests and decisions, Purchase Orders, and what a
disbursed contract leaves behind: its schedule and its collateral."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.models import Base, UTCDateTime


class AuthorityLevel(Base):
    """Who may approve how much, per branch: level 1 the lowest."""

    __tablename__ = "authority_levels"
    __table_args__ = (
        UniqueConstraint("branch_id", "level"),
        CheckConstraint("level >= 1 AND max_amount > 0", name="positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))
    max_amount: Mapped[int] = mapped_column(BigInteger)  # amount financed, rupiah
    approves_deviations: Mapped[bool] = mapped_column(Boolean, default=False)


class ApprovalRequest(Base):
    __tablename__ = "approval_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected', 'returned')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    amount_financed: Mapped[int] = mapped_column(BigInteger)
    deviation: Mapped[bool] = mapped_column(Boolean)
    required_level: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_level: Mapped[int | None] = mapped_column(Integer)
    decision_reason: Mapped[str | None] = mapped_column(String(1000))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'fulfilled', 'expired', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), unique=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealers.id"), index=True)
    vehicle: Mapped[dict[str, Any]] = mapped_column(JSON)
    otr_price: Mapped[int] = mapped_column(BigInteger)
    down_payment: Mapped[int] = mapped_column(BigInteger)
    amount_to_dealer: Mapped[int] = mapped_column(BigInteger)
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    delivery: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    disbursement: Mapped[dict[str, Any] | None] = mapped_column(JSON)
