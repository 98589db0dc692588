"""Payments, what they paid of each installment, and each active contract's position as the
last close of business found it."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, UTCDateTime, utcnow


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(60))
    received_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reversal_reason: Mapped[str | None] = mapped_column(String(30))  # bounced | mistaken
    # Money collected on a written-off contract: a recovery, outside the schedule.
    recovery: Mapped[bool] = mapped_column(Boolean, default=False)


class InstallmentPayment(Base):
    """What the payments, allocated oldest first, covered of one installment."""

    __tablename__ = "installment_payments"

    installment_id: Mapped[int] = mapped_column(ForeignKey("installments.id"), primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    late_charge: Mapped[int] = mapped_column(BigInteger, default=0)
    interest: Mapped[int] = mapped_column(BigInteger, default=0)
    principal: Mapped[int] = mapped_column(BigInteger, default=0)
    settled_on: Mapped[date | None] = mapped_column(Date, index=True)


class Position(Base):
    """A contract's standing at the close of one business day (a daily history)."""

    __tablename__ = "collection_positions"

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    business_date: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    days_past_due: Mapped[int] = mapped_column(Integer)
    bucket: Mapped[str] = mapped_column(String(10), index=True)
    kol: Mapped[int] = mapped_column(Integer)
    outstanding_principal: Mapped[int] = mapped_column(BigInteger)


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
