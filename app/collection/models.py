"""Collection's tables: each contract's position history (spans of unchanged standing and
whole month-ends), the days closed, write-offs, and collection work: actions, consents,
collector assignments, and the national holidays."""

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
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.models import Base, UTCDateTime


class PositionSpan(Base):
    """A contract's standing over the business days it did not change: the history the close
    of business keeps. The standing is what the days cannot move on their own (the oldest
    installment in arrears, the Kol held by a restructuring, the principal outstanding); the
    days past due, bucket and Kol of any day inside the span follow from it and the day. A
    span runs from ``valid_from`` to the day before ``valid_until``; the open one (no end) is
    today's. A contract paying on time has about one span a month instead of a row a day."""

    __tablename__ = "collection_position_spans"
    __table_args__ = (
        PrimaryKeyConstraint("contract_id", "valid_from"),
        # The close's questions about today (who crossed 60 or the write-off threshold, the
        # work list): only open spans in arrears, a small slice of the history.
        Index(
            "ix_collection_position_spans_arrears",
            "arrears_since",
            postgresql_where=text("valid_until IS NULL AND arrears_since IS NOT NULL"),
            sqlite_where=text("valid_until IS NULL AND arrears_since IS NOT NULL"),
        ),
        {"sqlite_with_rowid": False},
    )

    # No foreign key, as for the month-end positions: derived data only the close writes.
    contract_id: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    # The oldest due date whose arrears exceed the tolerance: days past due = day - this.
    arrears_since: Mapped[date | None] = mapped_column(Date)
    # The Kol a restructuring holds the contract at until three installments are paid on time.
    kol_floor: Mapped[int | None] = mapped_column(SmallInteger)
    outstanding_principal: Mapped[int] = mapped_column(BigInteger)


class Position(Base):
    """A contract's standing at the close of a month-end, complete: what the portfolio report
    and its roll rates read (any other day is derived from the spans).

    Keyed by day first, and on SQLite stored in key order (``WITHOUT ROWID``): one month-end's
    positions lie together in contract order."""

    __tablename__ = "collection_positions"
    __table_args__ = (
        PrimaryKeyConstraint("business_date", "contract_id"),
        Index("ix_collection_positions_contract", "contract_id", "business_date"),
        # Each debtor's worst Kol, read in debtor order from the index alone.
        Index("ix_collection_positions_debtor", "business_date", "debtor_id", "kol"),
        # The report's pass over a month-end (buckets, Kol, roll rates) from the index alone,
        # already in its groups' order.
        Index("ix_collection_positions_roll", "business_date", "bucket_before", "bucket", "kol",
              "outstanding_principal", "outstanding_before"),
        {"sqlite_with_rowid": False},
    )  # fmt: skip

    business_date: Mapped[date] = mapped_column(Date)
    # No foreign key: a derived history that only the close of business writes, from the
    # contracts it reads in the same transaction; on PostgreSQL the key check locked every
    # contract row and cost as much as the day's computation.
    contract_id: Mapped[int] = mapped_column(Integer)
    days_past_due: Mapped[int] = mapped_column(Integer)
    bucket: Mapped[str] = mapped_column(String(10))
    kol: Mapped[int] = mapped_column(Integer)
    outstanding_principal: Mapped[int] = mapped_column(BigInteger)
    # The applicant (a customer): his worst Kol over his contracts is the debtor's quality.
    debtor_id: Mapped[int | None] = mapped_column(Integer)
    # Where the contract stood at the month-end before (none: not on the book then), so that
    # the roll rates read one month-end, not two joined.
    bucket_before: Mapped[str | None] = mapped_column(String(10))
    outstanding_before: Mapped[int | None] = mapped_column(BigInteger)


class CloseOfBusiness(Base):
    """Each business date closed, once and in order."""

    __tablename__ = "close_of_business"

    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    contracts: Mapped[int] = mapped_column(Integer)
    written_off: Mapped[int] = mapped_column(Integer)
    listed_overdue_60: Mapped[int] = mapped_column(Integer)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WriteOff(Base):
    """A contract written off, with what it still owed that day."""

    __tablename__ = "write_offs"

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    business_date: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[int] = mapped_column(BigInteger)


class Holiday(Base):
    """Head office's changes to the national holiday calendar (:mod:`app.collection.calendar`):
    a day added or renamed (``observed``), or a national holiday taken off (not ``observed``)."""

    __tablename__ = "holidays"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    observed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class CollectionConsent(Base):
    """The debtor's recorded agreement to be met somewhere else than at home or his billing
    address (POJK 22/2023 allows it when agreed beforehand)."""

    __tablename__ = "collection_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    place: Mapped[str] = mapped_column(String(200))
    recorded_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class CollectionAction(Base):
    __tablename__ = "collection_actions"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('reminder_call', 'desk_call', 'field_visit', "
            "'warning_letter', 'repossession')",
            name="kind",
        ),
        CheckConstraint(
            "result IN ('contacted', 'promise_to_pay', 'refused', 'not_found', "
            "'paid', 'no_answer', 'sent', 'handed_over')",
            name="result",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    performed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(String(20))
    promise_date: Mapped[date | None] = mapped_column(Date)
    promise_amount: Mapped[int | None] = mapped_column(BigInteger)
    promise_broken_on: Mapped[date | None] = mapped_column(Date)
    letter_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    letter: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(1000))
    collector_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CollectorAssignment(Base):
    """Which collector works a contract (the work list's ``collector`` filter)."""

    __tablename__ = "collector_assignments"

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    collector_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_on: Mapped[date] = mapped_column(Date)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
