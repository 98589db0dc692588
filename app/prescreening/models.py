"""Known people (customers), the negative list, the blocking keys that find them, and each
contract's pre-screening outcome."""

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
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.models import Base, UTCDateTime


class Customer(Base):
    """Everyone who ever applied, was a spouse or a board member, or came from a legacy file."""

    __tablename__ = "customers"
    __table_args__ = (CheckConstraint("kind IN ('person', 'company')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    full_name: Mapped[str] = mapped_column(String(150))
    nik: Mapped[str | None] = mapped_column(String(16), index=True)
    npwp: Mapped[str | None] = mapped_column(String(16), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    birth_place: Mapped[str | None] = mapped_column(String(100))
    mother_maiden_name: Mapped[str | None] = mapped_column(String(150))
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdentityKey(Base):
    """A blocking key (a 64-bit hash, see ``matching.blocking_keys``) of a customer or of a
    negative-list entry. The primary key's leading column is the index lookups use."""

    __tablename__ = "identity_keys"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    owner: Mapped[str] = mapped_column(String(8), primary_key=True)  # customer | negative
    owner_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class ContractParty(Base):
    """Who a contract is about: its applicant, the spouse, the board members."""

    __tablename__ = "contract_parties"
    __table_args__ = (
        CheckConstraint("role IN ('applicant', 'spouse', 'board_member')", name="role"),
        UniqueConstraint("contract_id", "customer_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    role: Mapped[str] = mapped_column(String(15))


BAD_CATEGORIES = ("fraud", "repossessed", "overdue_60", "bounced_cheques", "blocked")
CATEGORIES = ("rejected_order", *BAD_CATEGORIES)


class NegativeEntry(Base):
    """A person or a vehicle the company will not finance again, or must look at twice."""

    __tablename__ = "negative_list"
    __table_args__ = (
        CheckConstraint(f"category IN {CATEGORIES!r}", name="category"),
        CheckConstraint("subject IN ('person', 'vehicle')", name="subject"),
        CheckConstraint(
            "subject <> 'vehicle' OR chassis_number IS NOT NULL OR engine_number IS NOT NULL",
            name="vehicle_identified",
        ),
        Index("ix_negative_list_chassis", "chassis_number"),
        Index("ix_negative_list_engine", "engine_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(20))
    full_name: Mapped[str | None] = mapped_column(String(150))
    nik: Mapped[str | None] = mapped_column(String(16), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    birth_place: Mapped[str | None] = mapped_column(String(100))
    mother_maiden_name: Mapped[str | None] = mapped_column(String(150))
    chassis_number: Mapped[str | None] = mapped_column(String(30))
    engine_number: Mapped[str | None] = mapped_column(String(30))
    # For a rejected order: the dealers of the earlier application(s).
    dealers: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(20))
    source_contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    reason: Mapped[str | None] = mapped_column(String(500))
    listed_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Prescreening(Base):
    """The stored outcome of a contract's pre-screening: never recomputed for display."""

    __tablename__ = "prescreenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    customer_type: Mapped[str] = mapped_column(String(15))  # new_customer | repeat_order
    outcome: Mapped[str] = mapped_column(String(10))  # passed | rejected
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
