"""Money in by the file: a bank's virtual-account report and a convenience store's, each line
matched by its virtual account and posted as a single payment is, once per bank reference;
what matches nothing or is refused waits in suspense for finance; the totals reconcile."""

from datetime import date, timedelta

from fastapi.testclient import TestClient
from stdnum import luhn

from app.core.clock import today_jakarta
from app.servicing.ledger import add_months
from app.servicing.virtual_accounts import is_valid, virtual_account
from tests.conftest import ADMIN, COLLECTOR, FINANCE, row_counts
from tests.test_cli import kredo
from tests.test_collection import active_contract, close

BANK_HEADER = "NO;TANGGAL;NO VA;NAMA;NOMINAL;NO REFERENSI;KETERANGAN\n"


def bank_line(n: int, day: date, va: str, amount: int, reference: str) -> str:
    """A line as the bank writes it: day/month/year, Indonesian thousands and sen."""
    written = f"{amount:,}".replace(",", ".") + ",00"
    return f"{n};{day:%d/%m/%Y};{va};PELANGGAN {n};{written};{reference};SETORAN VA\n"


def va_of(client: TestClient, number: str) -> str:
    body = client.get(f"/v1/contracts/{number}/installments", headers=FINANCE).json()
    va: str = body["virtual_account"]
    return va


def upload(client: TestClient, text: str, channel: str = "bank_va", headers=FINANCE):
    return client.post(
        f"/v1/payment-files?channel={channel}&filename=report.csv",
        content=text.encode(),
        headers={**headers, "Content-Type": "text/csv"},
    )


def payments_of(client: TestClient, number: str) -> list[dict]:
    items: list[dict] = client.get(f"/v1/contracts/{number}/payments", headers=FINANCE).json()[
        "items"
    ]
    return items


def test_the_virtual_account_number():
    assert virtual_account("88080", 42) == "8808000000000429"
    number = virtual_account("1234", 987_654)
    assert len(number) == 16
    assert number.startswith("1234")
    assert number[4:15] == "00000987654"
    assert luhn.checksum(number) == 0
    assert is_valid(number)
    swapped = number[:12] + number[13] + number[12] + number[14:]
    assert number[12] == number[13] or not is_valid(swapped)
    assert not is_valid(number[:-1] + str((int(number[-1]) + 1) % 10))


def test_a_settlement_file_posted_then_posted_again(client: TestClient, database):
    today = today_jakarta()
    start = today - timedelta(days=250)
    gone = active_contract(client, database, start)
    close(client, add_months(start, 1) + timedelta(days=180))  # written off at 180 days
    assert client.get(f"/v1/contracts/{gone}", headers=ADMIN).json()["state"] == "WRITTEN_OFF"
    first, second = (active_contract(client, database, today - timedelta(days=40)) for _ in "ab")
    installment = client.get(f"/v1/contracts/{first}/installments", headers=FINANCE).json()[
        "items"
    ][0]["amount"]
    va1, va2, va_gone = va_of(client, first), va_of(client, second), va_of(client, gone)
    assert len({va1, va2, va_gone}) == 3
    assert all(is_valid(v) for v in (va1, va2, va_gone))
    unknown = virtual_account("88080", 9_999_999)  # well formed, nobody's
    mistyped = va1[:-1] + str((int(va1[-1]) + 1) % 10)  # the check digit catches it
    lines = [
        (today, va1, installment, "BCA2611230001"),  # posted
        (today, va2, 500_000, "BCA2611230002"),  # posted
        (today, unknown, 300_000, "BCA2611230003"),  # suspense: no such account
        (today, mistyped, 250_000, "BCA2611230004"),  # suspense: not one of ours
        (today, va1, installment, "BCA2611230001"),  # the bank sent it twice: duplicate
        (today, va_gone, 1_000_000, "BCA2611230005"),  # posted: a recovery
        (today + timedelta(days=1), va2, 100_000, "BCA2611240006"),  # suspense: future
    ]
    text = BANK_HEADER + "".join(bank_line(n, *x) for n, x in enumerate(lines, start=1))
    before = {n: len(payments_of(client, n)) for n in (first, second, gone)}

    answer = upload(client, text)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    amounts = [x[2] for x in lines]
    assert body["lines"] == {"lines": 7, "amount": sum(amounts)}
    assert body["posted"] == {"lines": 3, "amount": installment + 500_000 + 1_000_000}
    assert body["recoveries"] == {"lines": 1, "amount": 1_000_000}
    assert body["suspense"] == {"lines": 3, "amount": 300_000 + 250_000 + 100_000}
    assert body["duplicates"] == {"lines": 1, "amount": installment}
    assert body["matched"] == {"lines": 0, "amount": 0}
    assert body["reconciled"] is True
    waiting = {x["line"]: x["reason"] for x in body["suspense_lines"]}
    assert waiting == {4: "unknown_va", 5: "invalid_va", 8: "future_date"}
    assert f"No contract has the virtual account {unknown}." in [
        x["message"] for x in body["suspense_lines"]
    ]

    # Posted as POST /v1/payments posts: the schedule paid, the recovery outside it.
    paid = payments_of(client, first)
    assert len(paid) == before[first] + 1
    assert (paid[-1]["reference"], paid[-1]["amount"], paid[-1]["channel"]) == (
        "BCA2611230001", installment, "virtual_account")  # fmt: skip
    assert sum(a["amount"] for a in paid[-1]["allocations"]) == installment
    schedule = client.get(f"/v1/contracts/{first}/installments", headers=FINANCE).json()
    assert schedule["items"][0]["outstanding"] == 0
    recovered = payments_of(client, gone)[-1]
    assert (recovered["recovery"], recovered["amount"]) == (True, 1_000_000)
    events = client.get(f"/v1/contracts/{gone}/events", headers=ADMIN).json()
    assert events[-1]["action"] == "recovery"
    feed = client.get("/v1/events?limit=1000", headers=ADMIN).json()["items"]
    assert [e["action"] for e in feed[-3:]] == ["payment", "payment", "recovery"]

    # The same file again: every reference is taken, nothing is posted twice.
    counts = row_counts(database)
    again = upload(client, text)
    assert again.status_code == 201, again.text
    repeat = again.json()
    assert repeat["lines"] == body["lines"]
    assert repeat["duplicates"] == body["lines"]
    assert repeat["posted"] == repeat["suspense"] == {"lines": 0, "amount": 0}
    assert repeat["reconciled"] is True
    after = row_counts(database)
    assert after["payments"] == counts["payments"]
    assert after["ledger_entries"] == counts["ledger_entries"]
    assert after["payment_file_lines"] == counts["payment_file_lines"] + 7
    assert {n: len(payments_of(client, n)) for n in (first, second, gone)} == {
        n: before[n] + 1 for n in before
    }

    # Finance matches the unknown line by hand: posted through the same function.
    suspense = client.get("/v1/suspense", headers=FINANCE).json()["items"]
    assert [x["reference"] for x in suspense] == ["BCA2611230003", "BCA2611230004",
                                                  "BCA2611240006"]  # fmt: skip
    line_id = suspense[0]["id"]
    denied = client.post(f"/v1/suspense/{line_id}/match", headers=COLLECTOR,
                         json={"contract_number": second})  # fmt: skip
    assert denied.status_code == 403
    matched = client.post(f"/v1/suspense/{line_id}/match", headers=FINANCE,
                          json={"contract_number": second})  # fmt: skip
    assert matched.status_code == 200, matched.text
    assert (matched.json()["status"], matched.json()["contract_number"]) == ("matched", second)
    assert payments_of(client, second)[-1]["reference"] == "BCA2611230003"
    twice = client.post(f"/v1/suspense/{line_id}/match", headers=FINANCE,
                        json={"contract_number": second})  # fmt: skip
    assert twice.status_code == 409
    future = suspense[2]["id"]
    counts = row_counts(database)
    refused = client.post(f"/v1/suspense/{future}/match", headers=FINANCE,
                          json={"contract_number": second})  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["rule"] == "future_date"
    assert row_counts(database) == counts  # a refused match writes nothing
    reread = client.get(f"/v1/payment-files/{body['id']}", headers=FINANCE).json()
    assert reread["matched"] == {"lines": 1, "amount": 300_000}
    assert reread["suspense"] == {"lines": 2, "amount": 350_000}
    assert reread["reconciled"] is True


def test_a_convenience_store_report(client: TestClient, database):
    today = today_jakarta()
    number = active_contract(client, database, today - timedelta(days=10))
    va = va_of(client, number)
    text = (
        "transaction_id,store_code,payment_code,customer_name,amount,paid_at\n"
        f"IDM-0001,T123,{va},BUDI,400000,{today:%Y-%m-%d} 10:15:00\n"
        f'IDM-0002,T123,{va},BUDI,"25,000",{today:%Y-%m-%d} 10:16:00\n'
    )
    answer = upload(client, text, channel="convenience_store")
    assert answer.status_code == 201, answer.text
    assert answer.json()["posted"] == {"lines": 2, "amount": 425_000}
    paid = payments_of(client, number)
    assert [(p["reference"], p["channel"]) for p in paid] == [
        ("IDM-0001", "pos"), ("IDM-0002", "pos")]  # fmt: skip
    # The same references on another channel are other payments (references are per channel),
    # but this file is not a bank report at all.
    wrong = upload(client, text, channel="bank_va")
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "file.header"


def test_a_file_that_cannot_be_read_posts_nothing(client: TestClient, database):
    today = today_jakarta()
    number = active_contract(client, database, today - timedelta(days=10))
    va = va_of(client, number)
    counts = row_counts(database)
    text = (
        BANK_HEADER
        + bank_line(1, today, va, 100_000, "BCA1")
        + (
            f"2;{today:%d/%m/%Y};{va};X;100.000,50;BCA2;-\n"  # sen: not whole rupiah
            f"3;{today:%Y-%m-%d};{va};X;100.000,00;BCA3;-\n"  # not day/month/year
        )
    )
    refused = upload(client, text)
    assert refused.status_code == 422, refused.text
    fields = [(e["field"], e["rule"]) for e in refused.json()["errors"]]
    assert fields == [("lines[3].amount", "amount"), ("lines[4].paid_on", "date_format")]
    assert upload(client, text, channel="cheques").json()["errors"][0]["field"] == "channel"
    assert upload(client, BANK_HEADER).json()["errors"][0]["rule"] == "empty"
    assert upload(client, text, headers=COLLECTOR).status_code == 403
    assert row_counts(database) == counts


def test_kredo_payments_import(client: TestClient, database, database_url, tmp_path):
    today = today_jakarta()
    number = active_contract(client, database, today - timedelta(days=10))
    report = tmp_path / "va.csv"
    report.write_text(BANK_HEADER + bank_line(1, today, va_of(client, number), 200_000, "CLI1"))
    result = kredo(database_url, "payments", "import", str(report), "--channel", "bank_va",
                   "--user", "finance.tono")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "1 lines, 1 posted, 0 in suspense, 0 duplicates" in result.stderr
    again = kredo(database_url, "payments", "import", str(report), "--channel", "bank_va",
                  "--user", "finance.tono")  # fmt: skip
    assert "1 lines, 0 posted, 0 in suspense, 1 duplicates" in again.stderr
    assert [p["reference"] for p in payments_of(client, number)] == ["CLI1"]
    nobody = kredo(database_url, "payments", "import", str(report), "--channel", "bank_va",
                   "--user", "collector.joko")  # fmt: skip
    assert nobody.returncode == 1
