"""Reference data maintained by head office: branches, dealers, survey areas, products."""

from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base

HEAD_OFFICE = "HO"
# Three days and one day before the due date, one and seven days after.
DEFAULT_REMINDER_DAYS = (-3, -1, 1, 7)


class FormCategory(StrEnum):
    """The application form differs for Jakarta and elsewhere (address and area fields)."""

    JAKARTA = "jakarta"
    NON_JAKARTA = "non_jakarta"


class Branch(Base):
    __tablename__ = "branches"
    label: ClassVar[str] = "branch"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    city: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Dealer(Base):
    __tablename__ = "dealers"
    label: ClassVar[str] = "dealer"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    city: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Area(Base):
    """A survey area: one of Jakarta's five cities, or a regency/city elsewhere."""

    __tablename__ = "areas"
    label: ClassVar[str] = "area"
    __table_args__ = (CheckConstraint("category IN ('jakarta', 'non_jakarta')", name="category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)


class AreaPostalPrefix(Base):
    """A postal-code prefix served by an area; the longest matching prefix wins."""

    __tablename__ = "area_postal_prefixes"
    __table_args__ = (CheckConstraint("length(prefix) BETWEEN 1 AND 5", name="prefix_length"),)

    prefix: Mapped[str] = mapped_column(String(5), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)


class Product(Base):
    """A financing product (``MC`` motorcycle, ``CAR``...), whose code is in contract numbers."""

    __tablename__ = "products"
    label: ClassVar[str] = "product"
    __table_args__ = (
        CheckConstraint(
            "min_down_payment_pct >= 0 AND min_down_payment_pct < 100", name="min_dp_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # OJK ties the minimum down payment to the company's NPF tier; packages may only raise it.
    min_down_payment_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    # Above this amount financed, fatal scores need the applicant's SLIK result first.
    slik_required_above: Mapped[int] = mapped_column(BigInteger, default=50_000_000)
    # Late charge per day late, as a share of the installment (0.001 = 0.1 % a day).
    late_charge_rate: Mapped[Decimal] = mapped_column(Numeric(6, 5), default=Decimal("0.001"))
    # Servicing terms, copied onto each contract at disbursement (app.servicing.models).
    late_charge_cap: Mapped[Decimal | None] = mapped_column(Numeric(7, 5), default=Decimal("0.5"))
    arrears_tolerance: Mapped[int] = mapped_column(BigInteger, default=10_000)
    allocation_order: Mapped[str] = mapped_column(String(20), default="installment_first")
    settlement_fee_rate: Mapped[Decimal] = mapped_column(Numeric(6, 5), default=Decimal(0))
    # The reminder plan (app.reminders): the days before (negative) and after the due date a
    # reminder goes out, and whether one goes the day before a promised payment.
    reminder_days: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_REMINDER_DAYS),
        server_default="[-3, -1, 1, 7]",
    )  # fmt: skip
    promise_reminder: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
