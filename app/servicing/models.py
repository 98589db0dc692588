"""Servicing's tables: each disbursed contract's account (the terms fixed at disbursement), its
schedule, its collateral, and its ledger — every money movement as a row with its value date,
and what each movement paid of each installment and component (derived: written again by
:func:`app.servicing.ledger.reallocate` whenever a movement is added or reversed)."""

from datetime import date, datetime
from decimal import Decimal
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
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.models import Base, UTCDateTime

ALLOCATION_ORDERS = "('installment_first', 'late_charge_first')"
ENTRY_KINDS = (
    "('disbursement', 'paid_at_signing', 'payment', 'recovery', 'late_charge_waiver', "
    "'refund', 'reversal', 'write_off', 'restructuring', 'early_settlement', "
    "'repossession_cost', 'auction_sale')"
)
COMPONENTS = (
    "('interest', 'principal', 'late_charge', 'late_charge_waived', 'interest_waived', "
    "'settlement_fee', 'credit', 'refund')"
)


class LoanAccount(Base):
    """A disbursed contract's servicing terms, fixed at disbursement from its product (a later
    change to the product never re-prices it), and the day it left the book."""

    __tablename__ = "loan_accounts"
    __table_args__ = (CheckConstraint(f"allocation_order IN {ALLOCATION_ORDERS}", name="order"),)

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    disbursed_on: Mapped[date] = mapped_column(Date, index=True)
    addm: Mapped[bool] = mapped_column(Boolean)  # first installment paid at signing
    late_charge_rate: Mapped[Decimal] = mapped_column(Numeric(6, 5))
    late_charge_cap: Mapped[Decimal | None] = mapped_column(Numeric(6, 5))
    arrears_tolerance: Mapped[int] = mapped_column(BigInteger)
    allocation_order: Mapped[str] = mapped_column(String(20))
    settlement_fee_rate: Mapped[Decimal] = mapped_column(Numeric(6, 5))
    # The first day without a position: the pay-off day, or the day after the write-off.
    off_book_from: Mapped[date | None] = mapped_column(Date, index=True)
    # Where the customer pays in (app.servicing.virtual_accounts); settlement files name it.
    virtual_account: Mapped[str | None] = mapped_column(String(16), unique=True, index=True)


class Installment(Base):
    """The repayment schedule, made from the stored simulation at disbursement. An installment
    is owed from ``in_force_from`` (a restructured schedule's) until ``superseded_on``."""

    __tablename__ = "installments"
    __table_args__ = (
        UniqueConstraint("contract_id", "number"),
        # Covers the close of business's pass over every schedule.
        Index("ix_installments_in_force", "contract_id", "superseded_by_id", "due_date",
              "principal", "id"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    number: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    principal: Mapped[int] = mapped_column(BigInteger)
    interest: Mapped[int] = mapped_column(BigInteger)
    accrues_from: Mapped[date] = mapped_column(Date)  # the interest period's first day
    in_force_from: Mapped[date | None] = mapped_column(Date)
    superseded_on: Mapped[date | None] = mapped_column(Date)
    # Replaced by a restructuring's new schedule: kept, but no longer owed.
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("restructurings.id"))
    # The value date on which principal and interest were paid in full (derived, from the ledger).
    settled_on: Mapped[date | None] = mapped_column(Date)


class Collateral(Base):
    """The fiduciary guarantee (to register within 30 days) and the BPKB held until paid off."""

    __tablename__ = "collaterals"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), unique=True)
    fiduciary_deadline: Mapped[date] = mapped_column(Date, index=True)
    fiduciary_registered_on: Mapped[date | None] = mapped_column(Date)
    fiduciary_certificate: Mapped[str | None] = mapped_column(String(60))
    bpkb_status: Mapped[str] = mapped_column(String(12), default="awaited")
    bpkb_number: Mapped[str | None] = mapped_column(String(30))
    # The first business day the close found each one overdue (kept once it is done: the
    # record that it was late).
    fiduciary_overdue_since: Mapped[date | None] = mapped_column(Date)
    bpkb_overdue_since: Mapped[date | None] = mapped_column(Date)


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        # The report's recoveries per write-off: a small slice of a large table.
        Index(
            "ix_payments_recoveries",
            "contract_id",
            "paid_on",
            postgresql_where=text("recovery"),
            sqlite_where=text("recovery = 1"),
        ),
    )

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


class LedgerEntry(Base):
    """One money movement of a contract, append-only: a correction is a ``reversal`` entry
    naming the entry it cancels."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(f"kind IN {ENTRY_KINDS}", name="kind"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        Index("ix_ledger_entries_contract", "contract_id", "value_date"),
        Index("ix_ledger_entries_value_date", "value_date"),  # the day's movements
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    kind: Mapped[str] = mapped_column(String(20))
    value_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), unique=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"), unique=True)
    reference: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str | None] = mapped_column(String(1000))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Allocation(Base):
    """What a movement paid of one installment's component on its value date (derived). Rows
    without an entry are credit applied on a due date; rows without an installment are credit,
    refunds and the settlement fee."""

    __tablename__ = "allocations"
    __table_args__ = (
        CheckConstraint(f"component IN {COMPONENTS}", name="component"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_allocations_installment", "installment_id", "value_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    installment_id: Mapped[int | None] = mapped_column(ForeignKey("installments.id"))
    component: Mapped[str] = mapped_column(String(20))
    value_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)


class Restructuring(Base):
    """A payment holiday, tenor extension or rate reduction: requested by a collector,
    decided by an approver. Approval supersedes the unsettled installments (they stay, marked)
    with a new schedule from the balance; ``old_schedule`` is the schedule as it stood."""

    __tablename__ = "restructurings"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('payment_holiday', 'tenor_extension', 'rate_reduction')", name="kind"
        ),
        CheckConstraint("status IN ('requested', 'approved', 'rejected')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(10), default="requested")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(String(1000))
    effective_on: Mapped[date | None] = mapped_column(Date)
    annual_rate: Mapped[str | None] = mapped_column(String(20))  # of the new schedule, Decimal
    outstanding_principal: Mapped[int | None] = mapped_column(BigInteger)
    capitalised_interest: Mapped[int | None] = mapped_column(BigInteger)
    installment: Mapped[int | None] = mapped_column(BigInteger)
    installments: Mapped[int | None] = mapped_column(Integer)
    first_due_on: Mapped[date | None] = mapped_column(Date)
    old_schedule: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # OJK: the quality at restructuring holds until three installments are paid on time.
    kol_floor: Mapped[int | None] = mapped_column(Integer)


class Repossession(Base):
    """A vehicle withdrawn from a defaulting debtor, to its auction: the appraisal, the sale,
    and how its proceeds went — the costs of repossession and sale first (``repossession_cost``
    ledger entries), then the debt as of the sale day (an ``auction_sale`` movement), a
    surplus refunded to the debtor; a shortfall kept as debt or written off by an approver."""

    __tablename__ = "repossessions"
    __table_args__ = (
        CheckConstraint(
            "shortfall_decision IS NULL OR shortfall_decision IN ('kept', 'written_off')",
            name="shortfall_decision",
        ),
        CheckConstraint("appraised_value IS NULL OR appraised_value > 0", name="appraisal"),
        CheckConstraint("proceeds IS NULL OR proceeds > 0", name="proceeds_positive"),
        # The proceeds are accounted for to the rupiah.
        CheckConstraint(
            "proceeds IS NULL OR proceeds = costs_recovered + to_debt + surplus",
            name="proceeds_split",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), unique=True)
    repossessed_on: Mapped[date] = mapped_column(Date)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("collection_actions.id"))
    appraised_value: Mapped[int | None] = mapped_column(BigInteger)
    appraised_on: Mapped[date | None] = mapped_column(Date)
    appraiser: Mapped[str | None] = mapped_column(String(150))
    sold_on: Mapped[date | None] = mapped_column(Date)
    buyer: Mapped[str | None] = mapped_column(String(150))
    proceeds: Mapped[int | None] = mapped_column(BigInteger)
    costs_recovered: Mapped[int | None] = mapped_column(BigInteger)
    to_debt: Mapped[int | None] = mapped_column(BigInteger)
    surplus: Mapped[int | None] = mapped_column(BigInteger)
    shortfall: Mapped[int | None] = mapped_column(BigInteger)
    shortfall_decision: Mapped[str | None] = mapped_column(String(12))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(String(500))
