"""Credit packages offered to dealers, and the simulation an analyst chose for a contract."""

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
    Integer,
    Numeric,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.models import Base, UTCDateTime


class Package(Base):
    """A *paket kredit*: rates per tenor, fees, insurance, and its validity window."""

    __tablename__ = "packages"
    __table_args__ = (
        CheckConstraint("valid_from <= expires_on", name="validity"),
        CheckConstraint("rounding_unit > 0", name="rounding_unit"),
        CheckConstraint("min_down_payment_pct >= 0 AND min_down_payment_pct < 100", name="dp"),
        CheckConstraint(
            "admin_fee >= 0 AND insurance_admin_fee >= 0 AND fiduciary_fee >= 0", name="fees"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    type: Mapped[str] = mapped_column(String(20))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    min_down_payment_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    admin_fee: Mapped[int] = mapped_column(BigInteger)
    insurance_admin_fee: Mapped[int] = mapped_column(BigInteger)
    fiduciary_fee: Mapped[int] = mapped_column(BigInteger)
    provision_rate: Mapped[Decimal] = mapped_column(Numeric(7, 5))
    rounding_unit: Mapped[int] = mapped_column(Integer)
    in_advance: Mapped[bool] = mapped_column(Boolean)
    rates: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{tenor_months, flat_rate}]
    insurance: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # a year each
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PackageDealer(Base):
    __tablename__ = "package_dealers"

    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id", ondelete="CASCADE"),
                                            primary_key=True)  # fmt: skip
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealers.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)  # fmt: skip


class Simulation(Base):
    """The terms an analyst chose for a contract, with the package as it was then."""

    __tablename__ = "simulations"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"))
    package: Mapped[dict[str, Any]] = mapped_column(JSON)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    chosen_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
