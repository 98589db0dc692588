"""Survey orders: the analyst sends a surveyor to the applicant; he records what he found and
which documents he brought back."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.models import Base, UTCDateTime


class SurveyOrder(Base):
    __tablename__ = "survey_orders"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'done', 'reassigned')", name="status"),
        # At most one open order per contract.
        Index("uq_survey_orders_open_contract", "contract_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
        Index("ix_survey_orders_surveyor_status", "surveyor_id", "status"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    surveyor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # False when the analyst named the surveyor instead of letting the area decide.
    automatic: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12), default="open")
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    visit_date: Mapped[date | None] = mapped_column(Date)
    residence_verified: Mapped[bool | None] = mapped_column(Boolean)
    income_verified: Mapped[bool | None] = mapped_column(Boolean)
    remarks: Mapped[str | None] = mapped_column(String(2000))
    documents: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
