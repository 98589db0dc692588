"""A contract's reminders as the API shows them."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from app.core.inputs import RequestModel


class ReminderOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "kind": "before_due",
                    "due_date": "2026-12-23",
                    "channel": "email",
                    "recipient": "s***@example.co.id",
                    "language": "id",
                    "subject": "Angsuran ke-2 kontrak JKT01-MC-2026-000001 jatuh tempo pada "
                    "23 Desember 2026",
                    "body": None,
                    "day": "2026-12-19",
                    "status": "sent",
                    "attempts": 1,
                    "sent_at": "2026-12-19T01:00:03Z",
                    "last_error": None,
                }
            ]
        }
    )

    id: int
    kind: Literal["before_due", "after_due", "promise"] = Field(
        description="before (or on) the due date, after it, or the day before a promise to pay"
    )
    due_date: date = Field(description="The installment's due date, or the promised day")
    channel: Literal["email", "sms", "whatsapp"]
    recipient: str = Field(description="The debtor's address or number (masked for some roles)")
    language: Literal["id", "en"]
    subject: str
    body: str | None = Field(description="The text sent (only for roles that see personal data)")
    day: date = Field(description="The day it goes out (within the debtor's contact hours)")
    status: Literal["queued", "sent", "retried", "failed", "cancelled"]
    attempts: int
    sent_at: datetime | None
    last_error: str | None


class ReminderList(BaseModel):
    items: list[ReminderOut]


class ReminderConsent(RequestModel):
    """The channels the debtor agrees to receive reminders on, each said (false: withdrawn)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": True, "sms": False, "whatsapp": True}]}
    )

    email: StrictBool
    sms: StrictBool
    whatsapp: StrictBool
