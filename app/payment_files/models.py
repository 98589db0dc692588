"""Settlement files and every line they held: posted, waiting in suspense, matched by hand
from suspense, or a duplicate of a bank reference already taken (nothing is ever dropped)."""

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.models import Base, UTCDateTime

STATUSES = "('posted', 'suspense', 'matched', 'duplicate')"
# A bank reference is taken once per channel: by the first line that carried it.
FIRST_OF_REFERENCE = text("status <> 'duplicate'")
IN_SUSPENSE = text("status = 'suspense'")


class PaymentFile(Base):
    __tablename__ = "payment_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PaymentFileLine(Base):
    """One line of a settlement file and what became of it."""

    __tablename__ = "payment_file_lines"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES}", name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("uq_payment_file_lines_reference", "channel", "reference", unique=True,
              sqlite_where=FIRST_OF_REFERENCE, postgresql_where=FIRST_OF_REFERENCE),
        Index("ix_payment_file_lines_suspense", "id",
              sqlite_where=IN_SUSPENSE, postgresql_where=IN_SUSPENSE),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("payment_files.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(30))
    reference: Mapped[str] = mapped_column(String(60))
    virtual_account: Mapped[str] = mapped_column(String(30))
    amount: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    # Why it waits in suspense (unknown_va, contract_state, before_disbursement...), or for a
    # duplicate whether it differs from the line that took the reference first.
    reason: Mapped[str | None] = mapped_column(String(30))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("payment_file_lines.id"))
    matched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
