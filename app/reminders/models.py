"""The reminders' outbox: one row per message to one debtor on one channel on one day, and
the days whose reminders were planned."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.models import Base, UTCDateTime

STATUSES = ("queued", "sent", "retried", "failed", "cancelled")


class Reminder(Base):
    """A message of the reminder plan: ``queued`` until sent; ``retried`` after a failed
    attempt that will be tried again; ``failed`` when its attempts are spent or its day's
    contact hours passed; ``cancelled`` when the installment (or the promise) was paid before
    it went out. ``not_before``/``not_after`` are the day's contact hours in the debtor's time
    zone (POJK 22/2023 art. 62)."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("contract_id", "kind", "due_date", "channel", "day"),
        CheckConstraint(
            "status IN ('queued', 'sent', 'retried', 'failed', 'cancelled')", name="status"
        ),
        CheckConstraint("kind IN ('before_due', 'after_due', 'promise')", name="kind"),
        CheckConstraint("channel IN ('email', 'sms', 'whatsapp')", name="channel"),
        # The worker's question: what is waiting, oldest first.
        Index("ix_reminders_waiting", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    # The installment's due date, or the promised day.
    due_date: Mapped[date] = mapped_column(Date)
    installment_id: Mapped[int | None] = mapped_column(ForeignKey("installments.id"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("collection_actions.id"))
    channel: Mapped[str] = mapped_column(String(10))
    # Personal data: never logged, masked for the roles that do not see it.
    recipient: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(2000))
    day: Mapped[date] = mapped_column(Date)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    not_after: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderDay(Base):
    """A day whose reminders the worker planned (once a day)."""

    __tablename__ = "reminder_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    planned: Mapped[int] = mapped_column(Integer)
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
