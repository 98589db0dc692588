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
    Integer,
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


PARTY_ROLES = ("applicant", "spouse", "board_member", "guarantor", "co_applicant")


class ContractParty(Base):
    """Who a contract is about: its applicant, the spouse, the board members, the guarantors
    and co-applicants."""

    __tablename__ = "contract_parties"
    __table_args__ = (
        CheckConstraint(f"role IN {PARTY_ROLES!r}", name="role"),
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
    # new_customer | repeat_order | possible_repeat_order (until the analyst's review)
    customer_type: Mapped[str] = mapped_column(String(25))
    outcome: Mapped[str] = mapped_column(String(10))  # passed | rejected | review
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The weights model that decided (0: the built-in one), see ``MatchModel``.
    model_version: Mapped[int] = mapped_column(Integer, default=0)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MatchModel(Base):
    """A version of the duplicate check's weights (m, u, term frequencies, thresholds; see
    ``evidence.WeightsModel``), stored like rule sets: who fitted it, when, on how many
    records. The highest version decides; each pre-screening keeps the version it used."""

    __tablename__ = "match_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    customers: Mapped[int] = mapped_column(Integer)  # records the u and the EM were fitted on
    pairs: Mapped[int] = mapped_column(Integer)  # candidate pairs of the EM
    reviews: Mapped[int] = mapped_column(Integer)  # analysts' decisions among the evidence
    fitted_by: Mapped[str] = mapped_column(String(100))
    fitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PrescreeningReview(Base):
    """An analyst's decision on a Possible Repeat Order: the applicant's identity, the
    customer he may be, the decision and why. The decisions feed the next fit's m."""

    __tablename__ = "prescreening_reviews"
    __table_args__ = (CheckConstraint("decision IN ('confirmed', 'denied')", name="decision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prescreening_id: Mapped[int] = mapped_column(ForeignKey("prescreenings.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    party: Mapped[str] = mapped_column(String(15))
    decision: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(500))
    levels: Mapped[dict[str, Any]] = mapped_column(JSON)  # identifier -> agreement level
    model_version: Mapped[int] = mapped_column(Integer)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
