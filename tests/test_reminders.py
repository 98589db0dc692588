"""Reminders: a month and a half of a contract played day by day with the worker, a real SMTP
server (aiosmtpd) and a real HTTP receiver standing in for the SMS gateway. The days they
should arrive on are worked out here from the plan, Indonesia's holidays (the ``holidays``
package) and the Sunday rule, without the service's code."""

import calendar as cal
import copy
import json
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from email import message_from_bytes, policy
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from app.contracts.models import Contract
from app.core.clock import today_jakarta
from app.core.settings import Settings
from app.reminders.service import plan
from app.servicing.ledger import add_months
from app.worker import run_once
from tests.conftest import (
    ADMIN,
    ANALYST,
    COLLECTOR,
    CS,
    DEALER,
    FINANCE,
    application,
    force_state,
    free_port,
    submit,
)
from tests.test_collection import pay
from tests.test_transitions import purchase_order
from tests.test_webhooks import Receiver

WIB = ZoneInfo("Asia/Jakarta")
EMAIL = "siti.rahmawati@example.co.id"
MOBILE = "+6281234567890"  # the example form's 0812-3456-7890
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember"]  # fmt: skip


class Mailbox:
    """An aiosmtpd handler that keeps every message with the worker's clock when it came."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.clock: datetime | None = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        mail = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({
            "at": self.clock, "to": list(envelope.rcpt_tos), "subject": str(mail["Subject"]),
            "body": mail.get_body().get_content(),  # type: ignore[union-attr]
            "id": str(mail["Message-ID"]),
        })  # fmt: skip
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield mailbox, controller.port
    controller.stop()


@pytest.fixture
def gateway() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


def reachable_contract(
    client: TestClient, database: Any, disbursed_on: date, **applicant: Any
) -> str:
    """An active contract whose debtor gave his e-mail and agreed to e-mail and SMS."""
    number = submit(
        client,
        applicant={
            "marital_status": "single",
            "spouse": None,
            "email": EMAIL,
            "contact_consent": {"email": True, "sms": True},
            **applicant,
        },
    )
    force_state(database, number, "SURVEYED")
    assert client.post(f"/v1/contracts/{number}/prescreening", headers=ANALYST).status_code == 200
    force_state(database, number, "DELIVERED")
    purchase_order(database, number)
    paid = client.post(
        f"/v1/contracts/{number}/disbursement",
        headers=FINANCE,
        json={"amount": 14_000_000, "reference": "TRF-REM", "disbursed_on": str(disbursed_on)},
    )
    assert paid.status_code == 200, paid.text
    return number


# The reference: when each reminder should arrive.
def national(year: int) -> set[date]:
    return set(holidays.country_holidays("ID", years=[year - 1, year, year + 1]))


def contact_day(day: date) -> bool:
    return day.weekday() != 6 and day not in national(day.year)


def moved(day: date, earlier: bool) -> date:
    """A plan day on a Sunday or holiday: to the contact day before (reminders before the
    due date or a promise) or after (after the due date)."""
    while not contact_day(day):
        day += timedelta(days=-1 if earlier else 1)
    return day


def stopped(at: datetime) -> Callable[[], datetime]:
    """The worker's clock, stopped at ``at``."""
    return lambda: at


def indonesian_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")


def outlets(smtp_port: int, gateway: Receiver, key: str | None = "gateway-key") -> Settings:
    """The worker's settings: e-mail to the test's SMTP server, SMS to its gateway."""
    return Settings(
        database_url="sqlite://", smtp_host="127.0.0.1", smtp_port=smtp_port,
        sms_gateway_url=gateway.url("/sms"), sms_gateway_key=key,
    )  # fmt: skip


def promise_to_pay(client: TestClient, number: str, on: date, promised: date, amount: int) -> None:
    """A collector's call at 10:00 on ``on``: the debtor promises ``amount`` for ``promised``."""
    made = client.post(
        f"/v1/contracts/{number}/collection-actions",
        headers=COLLECTOR,
        json={
            "kind": "reminder_call",
            "performed_at": datetime.combine(on, time(10), WIB).isoformat(),
            "place": "billing_address",
            "person": "debtor",
            "result": "promise_to_pay",
            "promise_date": str(promised),
            "promise_amount": amount,
        },
    )
    assert made.status_code == 201, made.text


def test_a_month_of_reminders_with_the_worker_and_a_real_smtp_server(
    client: TestClient, database: Any, smtp: tuple[Mailbox, int], gateway: Receiver
) -> None:
    mailbox, port = smtp
    settings = outlets(port, gateway)
    start = today_jakarta() - timedelta(days=75)
    number = reachable_contract(client, database, start)
    items = client.get(f"/v1/contracts/{number}/installments", headers=FINANCE).json()["items"]
    first, second = items[0], items[1]
    due1, due2 = date.fromisoformat(first["due_date"]), date.fromisoformat(second["due_date"])
    assert (due1, due2) == (add_months(start, 1), add_months(start, 2))

    # The plan: 3 and 1 days before, 1 and 7 after, and the day before a promise.
    before3_1, before1_1 = moved(due1 - timedelta(3), True), moved(due1 - timedelta(1), True)
    before3_2, before1_2 = moved(due2 - timedelta(3), True), moved(due2 - timedelta(1), True)
    after1_2 = moved(due2 + timedelta(1), False)
    # The first installment is paid on the morning its second reminder is to go out (it is
    # planned, then cancelled); the second is not paid when due: the collector calls on the
    # day of the first reminder after it, the debtor promises a day whose eve is a contact
    # day, and pays on it, before the seventh day's reminder.
    promised = after1_2 + timedelta(days=2)
    while not contact_day(promised - timedelta(1)):
        promised += timedelta(days=1)
    expected = sorted(
        {
        ("before_due", due1, before3_1), ("before_due", due2, before3_2),
        ("before_due", due2, before1_2), ("after_due", due2, after1_2),
        ("promise", promised, promised - timedelta(1)),
    } - {("before_due", due1, before1_1)}, key=lambda e: e[2])  # fmt: skip

    arrivals: list[tuple[datetime, str, dict[str, Any]]] = []
    day = due1 - timedelta(days=5)
    with httpx.Client() as http:
        while day <= due2 + timedelta(days=10):
            if day == promised:
                pay(client, number, second["amount"] + 50_000, day, "VA-REM-2")
            for hour in (time(7, 30), time(12, 0), time(20, 30)):
                at = datetime.combine(day, hour, tzinfo=WIB)
                mailbox.clock, mails, sms_count = at, len(mailbox.messages), len(gateway.received)
                run_once(database, http, now=stopped(at), settings=settings)
                arrivals += [(at, "email", m) for m in mailbox.messages[mails:]]
                arrivals += [(at, "sms", json.loads(r["body"]) | {"headers": r["headers"]})
                             for r in gateway.received[sms_count:]]  # fmt: skip
                if hour == time(7, 30) and day == before1_1:
                    pay(client, number, first["amount"], day, "VA-REM-1")
                if hour == time(7, 30) and day == after1_2:
                    promise_to_pay(client, number, day, promised, second["amount"])
            day += timedelta(days=1)

    # Every message within the contact hours of a contact day (Jakarta: the debtor's zone).
    for at, _, _ in arrivals:
        assert at.time() == time(12, 0), at
        assert contact_day(at.date()), at
    # On the right days, on both channels, each once, only to the debtor himself.
    emails = [(at.date(), m) for at, channel, m in arrivals if channel == "email"]
    texts = [(at.date(), m) for at, channel, m in arrivals if channel == "sms"]
    assert sorted(d for d, _ in emails) == [sent for _, _, sent in expected]
    assert sorted(d for d, _ in texts) == [sent for _, _, sent in expected]
    assert all(m["to"] == [EMAIL] for _, m in emails)
    assert all(m["to"] == MOBILE and m["channel"] == "sms" for _, m in texts)
    assert all(m["headers"]["Authorization"] == "Bearer gateway-key" for _, m in texts)
    # In Indonesian, with Indonesian dates and amounts.
    by_day = dict(emails)
    for kind, due, sent in expected:
        mail = by_day[sent]
        assert indonesian_date(due) in mail["body"]
        if kind == "before_due":
            assert "jatuh tempo pada" in mail["subject"]
            assert mail["body"].startswith("Yth. Siti Rahmawati, angsuran ke-")
        elif kind == "after_due":
            assert "telah lewat jatuh tempo" in mail["subject"]
            assert rupiah(second["amount"]) in mail["body"]
            assert "belum dibayar" in mail["body"]
        else:
            assert mail["subject"].startswith("Janji bayar Anda")
            assert rupiah(second["amount"]) in mail["body"]
    assert rupiah(first["amount"]) in by_day[before3_1]["body"]
    sms = dict(texts)
    assert sms[before3_2]["text"] == by_day[before3_2]["body"].rstrip("\r\n")

    # Each message's status on the contract; nothing after the payments.
    shown = client.get(f"/v1/contracts/{number}/reminders", headers=COLLECTOR).json()["items"]
    assert sorted((r["kind"], r["due_date"], r["day"], r["status"]) for r in shown
                  if r["channel"] == "email") == sorted(
        [(k, str(d), str(s), "sent") for k, d, s in expected]
        + [("before_due", str(due1), str(before1_1), "cancelled")]
    )  # fmt: skip
    assert all(r["recipient"] in (EMAIL, MOBILE) and r["body"] for r in shown)
    # Finance reads the statuses, not the debtor's address or the text.
    masked = client.get(f"/v1/contracts/{number}/reminders", headers=FINANCE).json()["items"]
    assert {r["recipient"] for r in masked} == {"s***@example.co.id", "+62812*****890"}
    assert all(r["body"] is None for r in masked)
    # A sent reminder is in the collection history.
    history = client.get(f"/v1/contracts/{number}/collection-actions", headers=COLLECTOR).json()
    assert len(history["reminders"]) == 2 * len(expected)
    assert {r["status"] for r in history["reminders"]} == {"sent"}
    assert [a["result"] for a in history["items"]] == ["promise_to_pay"]


def test_a_promise_made_today_for_tomorrow_is_reminded_of_today(
    client: TestClient, database: Any, smtp: tuple[Mailbox, int], gateway: Receiver
) -> None:
    """The worker plans a day at its first round; a promise a collector records later that
    day, for the next day, is still reminded of on its eve: today."""
    today = today_jakarta()
    if not contact_day(today):
        pytest.skip("no collection action is taken on a Sunday or a holiday")
    mailbox, port = smtp
    settings = outlets(port, gateway)
    number = reachable_contract(client, database, today - timedelta(days=40))
    morning, noon = (datetime.combine(today, hour, tzinfo=WIB) for hour in (time(7, 30), time(12)))
    with httpx.Client() as http:
        run_once(database, http, now=stopped(morning), settings=settings)
    promised = today + timedelta(days=1)
    promise_to_pay(client, number, today, promised, 500_000)
    shown = client.get(f"/v1/contracts/{number}/reminders", headers=COLLECTOR).json()["items"]
    promise = sorted((r["channel"], r["day"], r["status"]) for r in shown if r["kind"] == "promise")
    assert promise == [("email", str(today), "queued"), ("sms", str(today), "queued")]
    mailbox.clock = noon
    with httpx.Client() as http:
        run_once(database, http, now=stopped(noon), settings=settings)
    promises = [m for m in mailbox.messages if m["subject"].startswith("Janji bayar Anda")]
    assert len(promises) == 1
    assert indonesian_date(promised) in promises[0]["body"]
    assert rupiah(500_000) in promises[0]["body"]


def test_a_reminder_asks_only_for_what_is_still_owed(client: TestClient, database: Any) -> None:
    """Part of an installment paid after its due date: the reminder seven days after asks for
    the rest, the principal and interest the installments list shows still owed."""
    start = today_jakarta() - timedelta(days=75)
    number = reachable_contract(client, database, start)
    first = client.get(f"/v1/contracts/{number}/installments", headers=FINANCE).json()["items"][0]
    due = date.fromisoformat(first["due_date"])
    pay(client, number, 400_000, due + timedelta(days=2), "VA-PART-1")
    owed = client.get(f"/v1/contracts/{number}/installments", headers=FINANCE).json()["items"][0]
    assert 0 < owed["outstanding"] < first["amount"] - 300_000  # most of it went to the installment
    day = moved(due + timedelta(days=7), False)
    with database.transaction() as session:
        assert plan(session, day) == 2  # e-mail and SMS
    shown = client.get(f"/v1/contracts/{number}/reminders", headers=COLLECTOR).json()["items"]
    assert {(r["kind"], r["due_date"], r["day"]) for r in shown} == {
        ("after_due", str(due), str(day))
    }
    assert all(rupiah(owed["outstanding"]) in r["body"] for r in shown)
    assert not any(rupiah(first["amount"]) in r["body"] for r in shown)


def moved_to(database: Any, number: str, province: str) -> None:
    """The debtor's address in another province (test set-up: the stored application)."""
    with database.transaction() as session:
        contract = session.scalar(select(Contract).where(Contract.number == number))
        form = copy.deepcopy(contract.application)
        form["applicant"]["address"]["province"] = province
        contract.application = form


def test_retries_failures_hours_of_another_time_zone_and_english(
    client: TestClient, database: Any, gateway: Receiver
) -> None:
    nobody = free_port()  # no SMTP server listens there: every e-mail attempt fails
    settings = outlets(nobody, gateway)
    number = reachable_contract(client, database, today_jakarta() - timedelta(days=45),
                                language="en")  # fmt: skip
    moved_to(database, number, "94")  # Papua: WIT, two hours ahead of Jakarta
    item = client.get(f"/v1/contracts/{number}/installments", headers=FINANCE).json()["items"][0]
    due = date.fromisoformat(item["due_date"])
    day = moved(due - timedelta(days=1), True)

    def statuses() -> dict[str, tuple[str, int]]:
        shown = client.get(f"/v1/contracts/{number}/reminders", headers=COLLECTOR).json()
        return {r["channel"]: (r["status"], r["attempts"]) for r in shown["items"]
                if r["day"] == str(day)}  # fmt: skip

    def run(hour: int, minute: int, on: date | None = None) -> None:
        at = datetime.combine(on or day, time(hour, minute), tzinfo=WIB)
        with httpx.Client() as http:
            run_once(database, http, now=stopped(at), settings=settings)

    gateway.status = 503
    run(5, 30)  # 07:30 in Papua: planned, not sent
    assert statuses() == {"email": ("queued", 0), "sms": ("queued", 0)}
    assert gateway.received == []
    run(6, 30)  # 08:30 in Papua (06:30 in Jakarta): both tried, both failed
    assert statuses() == {"email": ("retried", 1), "sms": ("retried", 1)}
    run(6, 32)  # the next attempt is 5 minutes later
    assert len(gateway.received) == 1
    gateway.status = 204
    run(6, 36)
    assert statuses() == {"email": ("retried", 2), "sms": ("sent", 2)}
    run(6, 52)  # 15 minutes after the second failure
    run(7, 23)  # 30 minutes after the third: the last
    assert statuses() == {"email": ("failed", 4), "sms": ("sent", 2)}
    shown = client.get(f"/v1/contracts/{number}/reminders", headers=COLLECTOR).json()["items"]
    failed = next(r for r in shown if r["channel"] == "email")
    assert failed["last_error"].startswith("ConnectionRefusedError")
    assert EMAIL not in failed["last_error"]
    # In his language, English.
    text = json.loads(gateway.received[-1]["body"])["text"]
    written = f"{cal.month_name[due.month]} {due.day}, {due.year}"
    assert text.startswith(f"Dear Siti Rahmawati, installment 1 of your contract {number}")
    assert f"is due on {written}" in text
    assert rupiah(item["amount"]).replace(".", ",") in text

    # The day after the due date: the worker comes only at 18:30 in Jakarta, 20:30 in Papua:
    # too late, the messages of the day have failed unsent.
    after = moved(due + timedelta(days=1), False)
    sent_before = len(gateway.received)
    run(18, 30, on=after)
    assert len(gateway.received) == sent_before
    late = [r for r in client.get(f"/v1/contracts/{number}/reminders", headers=COLLECTOR)
            .json()["items"] if r["day"] == str(after)]  # fmt: skip
    assert [(r["status"], r["attempts"], r["last_error"]) for r in late] == [
        ("failed", 0, "not sent within its day's contact hours")] * 2  # fmt: skip


def test_the_plan_is_the_products_and_the_address_is_personal_data(client: TestClient) -> None:
    product = client.get("/v1/products/MC", headers=ADMIN).json()
    assert (product["reminder_days"], product["promise_reminder"]) == ([-3, -1, 1, 7], True)
    changed = client.patch(
        "/v1/products/MC", json={"reminder_days": [3, -5, 0], "promise_reminder": False},
        headers=ADMIN,
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert (changed.json()["reminder_days"], changed.json()["promise_reminder"]) == (
        [-5, 0, 3], False)  # fmt: skip
    for days, rule in (([1, 1], "reminder_days_repeated"), ([61], "less_than_equal"),
                       (["1"], "int_type")):  # fmt: skip
        refused = client.patch("/v1/products/MC", json={"reminder_days": days}, headers=ADMIN)
        assert refused.status_code == 422, refused.text
        [error] = refused.json()["errors"]
        assert error["rule"] == rule
        assert error["field"].startswith("reminder_days")
    assert client.get("/v1/products/MC", headers=ADMIN).json()["reminder_days"] == [-5, 0, 3]
    assert (
        client.patch("/v1/products/MC", json={"reminder_days": []}, headers=CS).status_code == 403
    )

    # The e-mail is masked as the phones are, for the roles that do not see personal data.
    bad = client.post("/v1/contracts", headers=DEALER, json=application(
        applicant={"email": "not-an-address"}))  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "applicant.email"
    number = submit(client, applicant={"email": EMAIL, "contact_consent": {"whatsapp": True}})
    shown = client.get(f"/v1/contracts/{number}", headers=DEALER).json()["application"]
    assert shown["applicant"]["email"] == "s***@example.co.id"
    assert shown["applicant"]["contact_consent"] == {"email": False, "sms": False,
                                                     "whatsapp": True}  # fmt: skip
    assert shown["applicant"]["language"] == "id"
    clear = client.get(f"/v1/contracts/{number}", headers=CS).json()["application"]
    assert clear["applicant"]["email"] == EMAIL


def test_a_channel_withdrawn_gets_nothing_more(
    client: TestClient, database: Any, smtp: tuple[Mailbox, int], gateway: Receiver
) -> None:
    mailbox, port = smtp
    settings = outlets(port, gateway, key=None)
    number = reachable_contract(
        client, database, today_jakarta() - timedelta(days=45),
        contact_consent={"email": True, "sms": True, "whatsapp": True},
    )  # fmt: skip
    due = date.fromisoformat(
        client.get(f"/v1/contracts/{number}/installments", headers=FINANCE).json()["items"][0][
            "due_date"
        ]
    )
    day = moved(due - timedelta(days=3), True)
    with httpx.Client() as http:
        run_once(database, http, now=stopped(datetime.combine(day, time(7), WIB)),
                 settings=settings)  # fmt: skip
        path = f"/v1/contracts/{number}/reminder-consent"
        body = {"email": True, "sms": False, "whatsapp": True}
        assert client.put(path, json=body, headers=DEALER).status_code in (403, 404)
        assert client.put(path, json={"email": True}, headers=CS).status_code == 422
        withdrawn = client.put(path, json=body, headers=CS)
        assert withdrawn.status_code == 200, withdrawn.text
        run_once(database, http, now=stopped(datetime.combine(day, time(9), WIB)),
                 settings=settings)  # fmt: skip
    assert [m["to"] for m in mailbox.messages] == [[EMAIL]]
    assert [json.loads(r["body"])["channel"] for r in gateway.received] == ["whatsapp"]
    shown = client.get(f"/v1/contracts/{number}/reminders", headers=CS).json()["items"]
    assert {(r["channel"], r["status"]) for r in shown} == {
        ("email", "sent"),
        ("sms", "cancelled"),
        ("whatsapp", "sent"),
    }
    form = client.get(f"/v1/contracts/{number}", headers=CS).json()["application"]
    assert form["applicant"]["contact_consent"] == body
    events = client.get(f"/v1/contracts/{number}/events", headers=CS).json()
    assert events[-1]["action"] == "reminder_consent"


def test_two_workers_send_each_message_once(
    client: TestClient, database: Any, smtp: tuple[Mailbox, int], gateway: Receiver
) -> None:
    mailbox, port = smtp
    settings = outlets(port, gateway, key=None)
    start = today_jakarta() - timedelta(days=45)
    numbers = [reachable_contract(client, database, start) for _ in range(6)]
    day = moved(add_months(start, 1) - timedelta(days=3), True)
    at = datetime.combine(day, time(10), WIB)

    def worker() -> None:
        with httpx.Client() as http:
            run_once(database, http, now=stopped(at), settings=settings)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    ids = [m["id"] for m in mailbox.messages]
    assert len(ids) == len(set(ids)) == len(numbers)
    texts = [json.loads(r["body"])["id"] for r in gateway.received]
    assert len(texts) == len(set(texts)) == len(numbers)
    for number in numbers:
        shown = client.get(f"/v1/contracts/{number}/reminders", headers=CS).json()["items"]
        assert [(r["status"], r["attempts"]) for r in shown] == [("sent", 1)] * 2


def test_the_plan_takes_the_same_statements_for_one_contract_or_many(
    client: TestClient, database: Any
) -> None:
    start = today_jakarta() - timedelta(days=45)
    day = moved(add_months(start, 1) - timedelta(days=3), True)

    def statements_of_plan() -> tuple[int, int]:
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        event.listen(database.engine, "before_cursor_execute", count)
        try:
            with database.sessions() as session, session.begin():
                planned = plan(session, day)
                session.rollback()
        finally:
            event.remove(database.engine, "before_cursor_execute", count)
        return len(seen), planned

    reachable_contract(client, database, start)
    one = statements_of_plan()
    for _ in range(4):
        reachable_contract(client, database, start)
    five = statements_of_plan()
    assert (one[1], five[1]) == (2, 10)  # e-mail and SMS each
    assert one[0] == five[0] <= 8
