"""Audit findings: internal audit's private remarks on a contract, one per parameter."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.models import Base, UTCDateTime


class AuditFinding(Base):
    __tablename__ = "audit_findings"
    __table_args__ = (
        CheckConstraint("severity IN ('info', 'warning', 'blocking')", name="severity"),
        CheckConstraint("status IN ('open', 'resolved')", name="status"),
        Index(
            "ix_audit_findings_open_blocking",
            "contract_id",
            sqlite_where=text("status = 'open' AND severity = 'blocking'"),
            postgresql_where=text("status = 'open' AND severity = 'blocking'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    parameter: Mapped[str] = mapped_column(String(80))  # income, address, documents.kuitansi
    remark: Mapped[str] = mapped_column(String(2000))
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="open")
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(String(2000))
