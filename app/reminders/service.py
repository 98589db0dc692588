"""Reminders: each product's plan (days before and after the due date, the day before a
promised payment) turned into messages for the day, set-based; the worker sends them.

The worker plans a day once, at its first round of that day (Jakarta date): one query finds
the installments falling due on the plan's days of every product (not paid, on active
contracts), one the promises kept for tomorrow; each becomes a message per channel the debtor
consented to, in his language, rendered now so the contract shows what will be sent. A plan
day on a Sunday or holiday moves to the contact day before it (reminders before or on the due
date, and before a promise) or after it (reminders after the due date); nothing is planned on
a Sunday or holiday. A message goes out only within its day's contact hours in the debtor's
time zone (08:00-20:00, POJK 22/2023 art. 62), only to the debtor's own address or mobile
number, and never once the installment (or the promise) is paid: it is then cancelled. A
message not sent within its day's hours fails (the next plan day sends the next one).
"""

import copy
import logging
import smtplib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import httpx
from sqlalchemy import and_, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.service import Principal
from app.collection.calendar import calendar
from app.collection.conduct import FIRST_HOUR, LAST_HOUR, Contact, contact_problems, debtor_zones
from app.collection.models import CollectionAction
from app.contracts.models import Contract
from app.contracts.service import log_event
from app.core.clock import JAKARTA
from app.core.database import Database
from app.core.i18n import N_, Language, format_date, format_rupiah, gettext, use_language
from app.core.privacy import mask_email, mask_phone
from app.core.settings import Settings
from app.reference.models import Product
from app.reminders.models import Reminder, ReminderDay
from app.reminders.schemas import ReminderOut
from app.servicing.models import Allocation, Installment, LoanAccount, Payment

log = logging.getLogger("kredo.reminders")

# A failed attempt is tried again after these minutes (within the day's contact hours);
# after the last, the message has failed.
RETRY_MINUTES = (5, 15, 30)
# A batch is leased for longer than its messages can take at their timeout (20 x 10 s):
# another worker takes them up only after one died.
SEND_BATCH = 20
LEASE = timedelta(minutes=5)
TIMEOUT_SECONDS = 10.0
CHANNELS = ("email", "sms", "whatsapp")

# The templates (gettext message ids: Bahasa Indonesia in the catalog).
SUBJECT = {
    "before_due": N_("Installment {installment} of contract {contract} is due on {due_date}"),
    "after_due": N_("Installment {installment} of contract {contract} is past due"),
    "promise": N_("Your promised payment for contract {contract} on {due_date}"),
}
BODY = {
    "before_due": N_(
        "Dear {name}, installment {installment} of your contract {contract}, {amount}, is due "
        "on {due_date}. Please pay into virtual account {va}. If you have paid, thank you and "
        "please ignore this message."
    ),
    "after_due": N_(
        "Dear {name}, installment {installment} of your contract {contract}, {amount}, was due "
        "on {due_date} and is not paid yet. Please pay into virtual account {va} to stop late "
        "charges. If you have paid, thank you and please ignore this message."
    ),
    "promise": N_(
        "Dear {name}, as agreed with our collector you will pay {amount} for contract "
        "{contract} on {due_date}. Please pay into virtual account {va}. If you have paid, "
        "thank you and please ignore this message."
    ),
}


def holidays_around(session: Session, day: date) -> set[date]:
    return set(calendar(session, [day.year - 1, day.year, day.year + 1]))


def contact_day(day: date, holidays: set[date]) -> bool:
    return day.weekday() != 6 and day not in holidays


def landing_here(day: date, holidays: set[date], *, earlier: bool) -> list[date]:
    """The plan days whose reminders go out on ``day`` (a contact day): itself, and the
    Sundays and holidays right after it (``earlier``: their reminders move back to it) or
    right before it (their reminders move on to it)."""
    days = [day]
    step = timedelta(days=1 if earlier else -1)
    other = day + step
    while not contact_day(other, holidays):
        days.append(other)
        other += step
    return days


def contact_window(day: date, province: str) -> tuple[datetime, datetime]:
    """``day``'s contact hours in the debtor's time zone, as UTC instants (his province
    unknown to the code list: the hours allowed in all three of Indonesia's zones)."""
    zones = debtor_zones(province)
    start = max(datetime.combine(day, FIRST_HOUR, tzinfo=zone) for zone in zones)
    end = min(datetime.combine(day, LAST_HOUR, tzinfo=zone) for zone in zones)
    return start.astimezone(UTC), end.astimezone(UTC)


def mobile_of(applicant: dict[str, Any]) -> str | None:
    """The debtor's own mobile number in international form (+62...), or none."""
    for phone in applicant.get("phones") or []:
        if phone.get("kind") == "mobile":
            digits = "".join(c for c in phone["number"] if c.isdigit())
            if digits.startswith("0"):
                digits = "62" + digits[1:]
            return "+" + digits
    return None


def recipients(applicant: dict[str, Any]) -> list[tuple[str, str]]:
    """The channels the debtor consented to, each with his own address on it."""
    consent = applicant.get("contact_consent") or {}
    mobile = mobile_of(applicant)
    found = []
    if consent.get("email") and applicant.get("email"):
        found.append(("email", str(applicant["email"])))
    for channel in ("sms", "whatsapp"):
        if consent.get(channel) and mobile:
            found.append((channel, mobile))
    return found


def name_of(applicant: dict[str, Any]) -> str:
    return str(applicant.get("full_name") or applicant.get("name") or "")


@dataclass(frozen=True)
class Due:
    """Something to remind of: an installment or a promise."""

    kind: str
    contract_id: int
    contract_number: str
    application: dict[str, Any]
    virtual_account: str | None
    due_date: date
    amount: int
    installment: int | None
    installment_id: int | None = None
    action_id: int | None = None


def render(due: Due, language: Language) -> tuple[str, str]:
    applicant = due.application["applicant"]
    with use_language(language):
        values = {
            "name": name_of(applicant),
            "installment": due.installment or "",
            "contract": due.contract_number,
            "amount": format_rupiah(due.amount),
            "due_date": format_date(due.due_date),
            "va": due.virtual_account or "-",
        }
        return gettext(SUBJECT[due.kind]).format(**values), gettext(BODY[due.kind]).format(**values)


def _installments_due(session: Session, day: date, holidays: set[date]) -> list[Due]:
    """One query: the unpaid installments of active contracts that a plan day landing on
    ``day`` reminds of, for every product."""
    before = landing_here(day, holidays, earlier=True)
    after = landing_here(day, holidays, earlier=False)
    wanted: dict[int, dict[date, str]] = defaultdict(dict)
    for product_id, plan in session.execute(select(Product.id, Product.reminder_days)):
        for offset in plan or []:
            kind = "before_due" if offset <= 0 else "after_due"
            for planned in before if offset <= 0 else after:
                wanted[product_id].setdefault(planned - timedelta(days=offset), kind)
    if not wanted:
        return []
    # What is still owed of the installment: a part paid is not asked for again.
    paid = (
        select(func.coalesce(func.sum(Allocation.amount), 0))
        .where(
            Allocation.contract_id == Installment.contract_id,
            Allocation.installment_id == Installment.id,
            Allocation.component.in_(("principal", "interest")),
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Installment.id, Installment.contract_id, Installment.number, Installment.due_date,
            Installment.amount - paid, Contract.product_id, Contract.number,
            Contract.application, LoanAccount.virtual_account,
        )
        .join(Contract, Contract.id == Installment.contract_id)
        .join(LoanAccount, LoanAccount.contract_id == Contract.id)
        .where(
            Contract.state == "ACTIVE",
            Installment.superseded_by_id.is_(None),
            Installment.settled_on.is_(None),
            or_(*(and_(Contract.product_id == product_id, Installment.due_date.in_(dues))
                  for product_id, dues in wanted.items())),
        )
    )  # fmt: skip
    return [
        Due(
            wanted[product_id][due_date],
            contract_id,
            number,
            application,
            va,
            due_date,
            amount,
            installment,
            installment_id=installment_id,
        )
        for (
            installment_id,
            contract_id,
            installment,
            due_date,
            amount,
            product_id,
            number,
            application,
            va,
        ) in rows
    ]


def _promises_due(session: Session, day: date, holidays: set[date]) -> list[Due]:
    """One query: the promises to pay falling the day after a plan day landing on ``day``,
    not broken, of active contracts whose product reminds of promises."""
    promised_days = [d + timedelta(days=1) for d in landing_here(day, holidays, earlier=True)]
    rows = session.execute(
        select(
            CollectionAction.id, CollectionAction.contract_id, CollectionAction.promise_date,
            CollectionAction.promise_amount, Contract.number, Contract.application,
            LoanAccount.virtual_account,
        )
        .join(Contract, Contract.id == CollectionAction.contract_id)
        .join(Product, Product.id == Contract.product_id)
        .join(LoanAccount, LoanAccount.contract_id == Contract.id)
        .where(
            Contract.state == "ACTIVE",
            Product.promise_reminder.is_(True),
            CollectionAction.result == "promise_to_pay",
            CollectionAction.promise_broken_on.is_(None),
            CollectionAction.promise_date.in_(promised_days),
        )
    )  # fmt: skip
    return [
        Due(
            "promise",
            contract_id,
            number,
            application,
            va,
            promised,
            amount or 0,
            None,
            action_id=action_id,
        )
        for action_id, contract_id, promised, amount, number, application, va in rows
    ]


def plan(session: Session, day: date, *, installments: bool = True) -> int:
    """The messages of ``day`` (a Jakarta date), queued; gives how many. Nothing on a Sunday
    or holiday (their plan days land on a contact day next to them). Planning again plans
    only what is missing; ``installments=False``: the promises alone (one made today)."""
    holidays = holidays_around(session, day)
    if not contact_day(day, holidays):
        return 0
    taken: set[tuple[int, str, date, str]] = {
        (contract_id, kind, due_date, channel)
        for contract_id, kind, due_date, channel in session.execute(
            select(Reminder.contract_id, Reminder.kind, Reminder.due_date, Reminder.channel).where(
                Reminder.day == day
            )
        )
    }
    rows: list[dict[str, Any]] = []
    dues = _installments_due(session, day, holidays) if installments else []
    for due in dues + _promises_due(session, day, holidays):
        applicant = due.application["applicant"]
        reachable = [
            (channel, recipient)
            for channel, recipient in recipients(applicant)
            if (due.contract_id, due.kind, due.due_date, channel) not in taken
        ]
        if not reachable:  # no consent (most debtors, often): nothing to render
            continue
        language: Language = "en" if applicant.get("language") == "en" else "id"
        subject, body = render(due, language)
        opens, closes = contact_window(day, applicant["address"]["province"])
        for channel, recipient in reachable:
            taken.add((due.contract_id, due.kind, due.due_date, channel))
            rows.append({
                "contract_id": due.contract_id, "kind": due.kind, "due_date": due.due_date,
                "installment_id": due.installment_id, "action_id": due.action_id,
                "channel": channel, "recipient": recipient, "language": language,
                "subject": subject, "body": body, "day": day, "not_before": opens,
                "not_after": closes, "status": "queued", "attempts": 0,
                "next_attempt_at": opens,
            })  # fmt: skip
    if rows:
        session.execute(insert(Reminder), rows)
    return len(rows)


def plan_day(database: Database, now: datetime) -> int:
    """Today's plan, once (several workers: the first records the day, the others find it)."""
    day = now.astimezone(JAKARTA).date()
    with database.sessions() as session:
        if session.get(ReminderDay, day) is not None:
            return 0
    try:
        with database.transaction() as session:
            planned = plan(session, day)
            session.add(ReminderDay(day=day, planned=planned, planned_at=now))
            session.flush()
    except IntegrityError:  # another worker planned the day first
        return 0
    return planned


# Sending.


@dataclass(frozen=True)
class Outlets:
    """Where messages go out, from the settings."""

    smtp_host: str | None
    smtp_port: int
    smtp_username: str | None
    smtp_password: str | None
    smtp_starttls: bool
    mail_from: str
    gateway_url: str | None
    gateway_key: str | None

    @classmethod
    def of(cls, settings: Settings) -> "Outlets":
        return cls(
            settings.smtp_host, settings.smtp_port, settings.smtp_username,
            settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            settings.smtp_starttls, settings.mail_from, settings.sms_gateway_url,
            settings.sms_gateway_key.get_secret_value() if settings.sms_gateway_key else None,
        )  # fmt: skip


@dataclass(frozen=True)
class Outgoing:
    id: int
    channel: str
    recipient: str
    subject: str
    body: str


def masked_recipient(channel: str, recipient: str) -> str:
    return mask_email(recipient) if channel == "email" else mask_phone(recipient)


def _without_recipient(error: str, message: Outgoing) -> str:
    """An error as kept and shown: the recipient's address never in it."""
    shown = error.replace(message.recipient, masked_recipient(message.channel, message.recipient))
    return shown[:300]


class Mailer:
    """One SMTP connection for a batch's e-mails, opened when the first needs it and opened
    again after an error; closed at the end of the batch."""

    def __init__(self, outlets: Outlets) -> None:
        self.outlets = outlets
        self.smtp: smtplib.SMTP | None = None

    def connection(self) -> smtplib.SMTP:
        outlets = self.outlets
        if not outlets.smtp_host:
            raise RuntimeError("no SMTP server configured (KREDO_SMTP_HOST)")
        if self.smtp is None:
            smtp = smtplib.SMTP(outlets.smtp_host, outlets.smtp_port, timeout=TIMEOUT_SECONDS)
            try:
                if outlets.smtp_starttls:
                    smtp.starttls()
                if outlets.smtp_username and outlets.smtp_password:
                    smtp.login(outlets.smtp_username, outlets.smtp_password)
            except BaseException:
                smtp.close()
                raise
            self.smtp = smtp
        return self.smtp

    def send(self, message: Outgoing) -> None:
        # Lines up to RFC 5322's 998 characters: the subject is not folded (Python would fold
        # it right after "Subject:", and some clients then show it with a leading space).
        mail = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
        mail["From"] = self.outlets.mail_from
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Message-ID"] = make_msgid(f"reminder-{message.id}")
        mail.set_content(message.body)
        try:
            self.connection().send_message(mail)
        except (OSError, smtplib.SMTPException):
            self.close()
            raise

    def close(self) -> None:
        if self.smtp is not None:
            smtp, self.smtp = self.smtp, None
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


def send_gateway(outlets: Outlets, client: httpx.Client, message: Outgoing) -> None:
    if not outlets.gateway_url:
        raise RuntimeError("no SMS/WhatsApp gateway configured (KREDO_SMS_GATEWAY_URL)")
    headers = {"Authorization": f"Bearer {outlets.gateway_key}"} if outlets.gateway_key else {}
    response = client.post(
        outlets.gateway_url,
        json={
            "id": f"reminder-{message.id}",
            "channel": message.channel,
            "to": message.recipient,
            "text": message.body,
        },
        headers=headers,
        timeout=TIMEOUT_SECONDS,
    )
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"gateway answered {response.status_code}")


def send(outlets: Outlets, mailer: Mailer, client: httpx.Client, message: Outgoing) -> str | None:
    """Sends; gives the error (without the recipient), or none."""
    try:
        if message.channel == "email":
            mailer.send(message)
        else:
            send_gateway(outlets, client, message)
    except (OSError, smtplib.SMTPException, httpx.HTTPError, RuntimeError) as exc:
        return _without_recipient(f"{type(exc).__name__}: {exc}", message)
    return None


def expire(session: Session, now: datetime) -> None:
    """Messages whose day's contact hours passed unsent have failed."""
    session.execute(
        update(Reminder)
        .where(Reminder.status.in_(("queued", "retried")), Reminder.not_after < now)
        .values(status="failed", last_error="not sent within its day's contact hours")
    )


def claim(database: Database, now: datetime) -> list[int]:
    """Messages due now, leased to this worker (``FOR UPDATE SKIP LOCKED`` on PostgreSQL:
    several workers take different ones)."""
    with database.transaction() as session:
        expire(session, now)
        query = (
            select(Reminder.id)
            .where(
                Reminder.status.in_(("queued", "retried")),
                Reminder.next_attempt_at <= now,
                Reminder.not_after >= now,
                or_(Reminder.leased_until.is_(None), Reminder.leased_until < now),
            )
            .order_by(Reminder.next_attempt_at, Reminder.id)
            .limit(SEND_BATCH)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(session.scalars(query))
        if ids:
            session.execute(
                update(Reminder).where(Reminder.id.in_(ids)).values(leased_until=now + LEASE)
            )
    return ids


def _still_owed(session: Session, reminder: Reminder) -> bool:
    """The installment still unpaid (the promise: nothing paid since it was made), on a
    contract still active."""
    contract = session.get_one(Contract, reminder.contract_id)
    if contract.state != "ACTIVE":
        return False
    if reminder.installment_id is not None:
        installment = session.get_one(Installment, reminder.installment_id)
        return installment.settled_on is None and installment.superseded_by_id is None
    action = session.get_one(CollectionAction, reminder.action_id)
    paid_since = session.scalar(
        select(
            exists().where(
                Payment.contract_id == reminder.contract_id,
                Payment.reversed_at.is_(None),
                Payment.received_at >= action.created_at,
            )
        )
    )
    return action.promise_broken_on is None and not paid_since


def _allowed_now(session: Session, reminder: Reminder, now: datetime) -> bool:
    """The conduct rules, checked again at the moment of sending (head office may have added
    a holiday since the plan)."""
    contract = session.get_one(Contract, reminder.contract_id)
    province = contract.application["applicant"]["address"]["province"]
    contact = Contact("reminder_call", now, "billing_address", "debtor")
    return not contact_problems(
        contact, province, holidays_around(session, now.astimezone(JAKARTA).date()), False
    )


def record(session: Session, reminder_id: int, error: str | None, at: datetime) -> bool:
    reminder = session.get_one(Reminder, reminder_id)
    reminder.attempts += 1
    reminder.leased_until = None
    if error is None:
        reminder.status, reminder.sent_at, reminder.last_error = "sent", at, None
        return True
    reminder.last_error = error
    if reminder.attempts <= len(RETRY_MINUTES):
        reminder.status = "retried"
        reminder.next_attempt_at = at + timedelta(minutes=RETRY_MINUTES[reminder.attempts - 1])
    else:
        reminder.status = "failed"
    log.warning("reminder %s not sent (attempt %s): %s", reminder_id, reminder.attempts, error)
    return False


def work(
    database: Database,
    client: httpx.Client,
    outlets: Outlets,
    now: Callable[[], datetime],
    stopping: Callable[[], bool],
) -> int:
    """Plan today once, then send one batch of what is due (the worker comes back at once
    while there is more, after the webhook deliveries' turn): checked in one transaction,
    sent, recorded in one transaction (a worker killed between sends them again when the
    lease runs out: at least once). Gives how many were sent."""
    plan_day(database, now())
    ids = claim(database, now())
    if not ids:
        return 0
    with database.transaction() as session:
        outgoing = _ready(session, ids, now())
    results: list[tuple[int, str | None, datetime]] = []
    mailer = Mailer(outlets)
    try:
        for message in outgoing:
            if stopping():
                break
            started = time.monotonic()
            error = send(outlets, mailer, client, message)
            log.info(
                "reminder %s via %s: %s in %d ms", message.id, message.channel,
                "sent" if error is None else "failed", (time.monotonic() - started) * 1000,
            )  # fmt: skip
            results.append((message.id, error, now()))
    finally:
        mailer.close()
    with database.transaction() as session:
        sent = sum(record(session, reminder_id, error, at) for reminder_id, error, at in results)
        unsent = [m.id for m in outgoing[len(results) :]]
        if unsent:  # stopping: free for the next worker at once
            session.execute(
                update(Reminder).where(Reminder.id.in_(unsent)).values(leased_until=None)
            )
    return sent


def _ready(session: Session, ids: list[int], at: datetime) -> list[Outgoing]:
    """Of the leased messages, those to send now; the others settled: cancelled when paid
    meanwhile, left for their hours to pass when the rules forbid it now."""
    outgoing = []
    for reminder in session.scalars(select(Reminder).where(Reminder.id.in_(ids))):
        if reminder.status not in ("queued", "retried"):  # settled meanwhile (cancelled...)
            continue
        if not _still_owed(session, reminder):
            reminder.status, reminder.leased_until = "cancelled", None
        elif not _allowed_now(session, reminder, at):
            # Never sent against the rules: it fails once its hours have passed.
            reminder.leased_until = None
            reminder.next_attempt_at = reminder.not_after + timedelta(seconds=1)
        else:
            outgoing.append(
                Outgoing(reminder.id, reminder.channel, reminder.recipient, reminder.subject,
                         reminder.body)
            )  # fmt: skip
    return sorted(outgoing, key=lambda m: ids.index(m.id))


# Reading.


def of_contract(
    session: Session, contract: Contract, sees_personal_data: bool, statuses: Iterable[str] = ()
) -> list[ReminderOut]:
    """The contract's reminders, by day; recipient masked and text left out for the roles
    that do not see personal data."""
    query = select(Reminder).where(Reminder.contract_id == contract.id)
    wanted = list(statuses)
    if wanted:
        query = query.where(Reminder.status.in_(wanted))
    return [
        ReminderOut.model_validate(
            {
                "id": r.id,
                "kind": r.kind,
                "due_date": r.due_date,
                "channel": r.channel,
                "recipient": r.recipient
                if sees_personal_data
                else masked_recipient(r.channel, r.recipient),
                "language": r.language,
                "subject": r.subject,
                "body": r.body if sees_personal_data else None,
                "day": r.day,
                "status": r.status,
                "attempts": r.attempts,
                "sent_at": r.sent_at,
                "last_error": r.last_error,
            }
        )
        for r in session.scalars(query.order_by(Reminder.day, Reminder.id))
    ]


def set_consent(
    session: Session, principal: Principal, contract: Contract, consent: dict[str, bool]
) -> None:
    """The debtor's consent per channel, given or withdrawn after the application: kept on
    the application, logged (without personal data), and a withdrawn channel's messages still
    waiting cancelled."""
    form = copy.deepcopy(contract.application)
    form["applicant"]["contact_consent"] = consent
    contract.application = form
    withdrawn = [channel for channel in CHANNELS if not consent[channel]]
    session.execute(
        update(Reminder)
        .where(Reminder.contract_id == contract.id, Reminder.channel.in_(withdrawn),
               Reminder.status.in_(("queued", "retried")))
        .values(status="cancelled", leased_until=None)
    )  # fmt: skip
    log_event(session, contract, "reminder_consent", principal, payload=consent)
