"""The SLIK report's tables: the code lists an admin maintains, and what was reported for each
month (what a correction is worked out against)."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.models import Base, UTCDateTime


class SlikCode(Base):
    """One code of one of the guideline's lists (regions, sectors, debtor, facility and
    collateral kinds, occupations), and which of our own values it stands for (``maps``: a
    city, a product code, a customer kind, an occupation), so the report can pick it."""

    __tablename__ = "slik_codes"

    list: Mapped[str] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    maps: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SlikReportedRow(Base):
    """A row as it was last reported for a month: its segment, its key and its content."""

    __tablename__ = "slik_reported_rows"
    __table_args__ = (Index("ix_slik_reported_rows_month", "month", "segment"),)

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # the month-end
    segment: Mapped[str] = mapped_column(String(3), primary_key=True)
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    content: Mapped[str] = mapped_column(Text)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
