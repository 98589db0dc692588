"""Bahasa Indonesia and English: the catalogs are complete, and the request's
``Accept-Language`` (else the default, Indonesian) chooses the words of every answer."""

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from app.core.clock import today_jakarta
from app.core.i18n import (
    format_date,
    format_month,
    format_rupiah,
    negotiate,
    set_default_language,
    use_language,
)
from tests.conftest import ADMIN, COLLECTOR, CS, DEALER, FINANCE, application, row_counts, submit
from tests.test_collection import active_contract, pay
from tools import messages


def test_every_marked_message_has_its_indonesian_translation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = messages.main(["--check"])
    assert code == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("id", "id"),
        ("id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7", "id"),
        ("en-US,en;q=0.9", "en"),
        ("en;q=0.5, id;q=0.8", "id"),
        ("in-ID", "id"),  # Java's and old Android's code for Indonesian
        ("fr-FR, en;q=0.3", "en"),
        ("fr-FR", None),
        ("id;q=0, en", "en"),
        ("*", "id"),
        ("", None),
        ("en;q=abc, id;q=0.1", "id"),
    ],
)
def test_accept_language_is_negotiated_by_quality(header: str, chosen: str | None) -> None:
    set_default_language("id")
    assert negotiate(header) == chosen


def test_indonesian_numbers_money_and_dates_come_from_the_locale_data() -> None:
    with use_language("id"):
        assert format_rupiah(1_234_567) == "Rp 1.234.567"
        assert format_rupiah(-500) == "-Rp 500"
        assert format_date(date(2026, 11, 23)) == "23 November 2026"
        assert format_date(date(2026, 8, 17)) == "17 Agustus 2026"
        assert format_month(date(2026, 2, 1)) == "Februari 2026"
    with use_language("en"):
        assert format_rupiah(1_234_567) == "Rp 1,234,567"
        assert format_date(date(2026, 11, 23)) == "November 23, 2026"


def test_an_error_is_worded_in_the_language_asked_for(client: TestClient) -> None:
    indonesian = client.get("/v1/contracts/NOPE", headers={"Accept-Language": "id"})
    english = client.get("/v1/contracts/NOPE", headers={"Accept-Language": "en"})
    assert indonesian.status_code == english.status_code == 401
    assert indonesian.json()["title"] == "Autentikasi diperlukan"
    assert english.json()["title"] == "Authentication required"
    assert indonesian.headers["content-language"] == "id"
    assert "accept-language" in indonesian.headers["vary"].lower()
    # Machine fields stay as they are.
    assert indonesian.json()["type"] == english.json()["type"] == "/problems/unauthorized"


def test_indonesian_is_the_default_when_no_language_is_asked_for(client: TestClient) -> None:
    for header in ("", "fr-FR"):
        answer = client.post(
            "/v1/contracts", json={}, headers={**DEALER, "Accept-Language": header}
        )
        assert answer.status_code == 422
        assert answer.headers["content-language"] == "id"
        assert answer.json()["title"] == "Permintaan tidak valid"
        messages_of = {e["rule"]: e["message"] for e in answer.json()["errors"]}
        assert messages_of["missing"] == "Kolom ini wajib diisi."


# --- The words of the answers, in each language ----------------------------------------------

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")  # fmt: skip


def rupiah_id(amount: int) -> str:
    """An amount as Indonesians write it, built here without Babel: Rp 1.234.567."""
    return "Rp " + f"{amount:,}".replace(",", ".")


def date_id(day: date) -> str:
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


ID, EN = {"Accept-Language": "id"}, {"Accept-Language": "en"}


def test_a_404_and_a_409_detail_in_each_language(client: TestClient) -> None:
    indonesian = client.get("/v1/contracts/JKT01-2026-MC-999999", headers=CS | ID)
    english = client.get("/v1/contracts/JKT01-2026-MC-999999", headers=CS | EN)
    assert indonesian.status_code == english.status_code == 404
    assert indonesian.json()["title"] == "Tidak ditemukan"
    assert indonesian.json()["detail"] == (
        "Kontrak JKT01-2026-MC-999999 tidak ada dalam cakupan akses Anda."
    )
    assert english.json()["detail"] == "No contract JKT01-2026-MC-999999 in your scope."

    # A date in a detail is written out in the language asked for.
    day = date(2026, 11, 24)
    not_a_holiday = client.delete(f"/v1/holidays/{day}", headers=ADMIN | ID)
    assert not_a_holiday.status_code == 404
    assert not_a_holiday.json()["detail"] == "24 November 2026 bukan hari libur."
    english = client.delete(f"/v1/holidays/{day}", headers=ADMIN | EN)
    assert english.json()["detail"] == "November 24, 2026 is not a holiday."

    number = submit(client)
    cancel = {"reason": "Konsumen membeli tunai"}
    assert client.post(f"/v1/contracts/{number}/cancellation", json=cancel, headers=CS).is_success
    again = client.post(f"/v1/contracts/{number}/cancellation", json=cancel, headers=CS | ID)
    assert again.status_code == 409
    assert again.json()["title"] == "Perpindahan status tidak diizinkan"
    assert again.json()["detail"].startswith(f"Kontrak {number} berstatus CANCELLED; cancel ")
    english = client.post(f"/v1/contracts/{number}/cancellation", json=cancel, headers=CS | EN)
    assert english.json()["detail"].startswith(f"Contract {number} is CANCELLED; cancel is ")
    # Machine fields stay as they are.
    assert again.json()["type"] == english.json()["type"] == "/problems/invalid-transition"
    assert again.json()["current_state"] == english.json()["current_state"] == "CANCELLED"


def test_field_messages_of_our_own_rules_in_each_language(client: TestClient) -> None:
    bad_nik = application(applicant={"nik": "3171018508900001"})  # day code 85
    indonesian = client.post("/v1/contracts", json=bad_nik, headers=DEALER | ID)
    english = client.post("/v1/contracts", json=bad_nik, headers=DEALER | EN)
    assert indonesian.status_code == english.status_code == 422
    nik = {e["rule"]: e for e in indonesian.json()["errors"]}["nik_day_code"]
    assert nik["field"] == "applicant.nik"
    assert nik["message"] == "Kode tanggal lahir pada NIK adalah 01-31, atau 41-71 untuk perempuan."
    assert {e["rule"]: e["message"] for e in english.json()["errors"]}["nik_day_code"] == (
        "A NIK's birth day code is 01-31, or 41-71 for a woman."
    )

    too_early = {"business_date": "1999-12-31"}
    for headers, words in (
        (ID, "Tanggal dari 2000-01-01 sampai 2100-12-31."),
        (EN, "A date from 2000-01-01 to 2100-12-31."),
    ):
        answer = client.post("/v1/collection/close-of-business", json=too_early,
                             headers=ADMIN | headers)  # fmt: skip
        assert answer.status_code == 422
        assert answer.json()["errors"] == [
            {"field": "business_date", "message": words, "rule": "date_range"}
        ]


def test_a_validator_value_error_in_each_language(client: TestClient, database) -> None:
    vehicle = {"subject": "vehicle", "category": "repossessed", "reason": "Ditarik"}
    counts = row_counts(database)
    for headers, words in (
        (ID, "data kendaraan memerlukan nomor rangka atau nomor mesin"),
        (EN, "a vehicle needs its chassis or engine number"),
    ):
        answer = client.post("/v1/negative-list", json=vehicle, headers=ADMIN | headers)
        assert answer.status_code == 422
        (error,) = answer.json()["errors"]
        assert (error["rule"], error["message"]) == ("value_error", words)
    assert row_counts(database) == counts


def test_the_tracking_timeline_in_each_language(client: TestClient) -> None:
    number = submit(client)
    url = f"/v1/contracts/{number}/tracking"
    indonesian = client.get(url, headers=CS | ID)
    english = client.get(url, headers=CS | EN)
    assert indonesian.status_code == english.status_code == 200
    assert indonesian.json()["stage"] == "1 aplikasi"
    assert indonesian.json()["stages"][0]["stage"] == "1 aplikasi"
    assert indonesian.json()["held_by"]["next_step"] == "menugaskan surveyor"
    assert indonesian.json()["events"][0]["what"] == "Aplikasi diajukan"
    assert english.json()["stage"] == "1 application"
    assert english.json()["held_by"]["next_step"] == "send a surveyor"
    assert english.json()["events"][0]["what"] == "Application submitted"
    # Machine fields stay; each language has its own entity tag.
    assert indonesian.json()["events"][0]["action"] == english.json()["events"][0]["action"]
    assert indonesian.json()["held_by"]["role"] == english.json()["held_by"]["role"]
    assert indonesian.headers["etag"] != english.headers["etag"]
    etag = indonesian.headers["etag"]
    assert client.get(url, headers=CS | ID | {"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers=CS | EN | {"If-None-Match": etag}).status_code == 200


def _contact_day(client: TestClient) -> date:
    """The latest past day a debtor may be contacted: not a Sunday, not a holiday."""
    day = today_jakarta() - timedelta(days=1)
    while True:
        listed = client.get(f"/v1/holidays?year={day.year}", headers=ADMIN).json()
        off = {h["day"] for h in listed["items"]}
        if day.weekday() != 6 and day.isoformat() not in off:
            return day
        day -= timedelta(days=1)


def test_a_warning_letter_in_each_language(client: TestClient, database) -> None:
    number = active_contract(client, database, today_jakarta() - timedelta(days=100))
    day = _contact_day(client)
    sent = client.post(
        f"/v1/contracts/{number}/collection-actions",
        json={"kind": "warning_letter", "performed_at": f"{day}T10:00:00+07:00",
              "place": "billing_address", "person": "debtor", "result": "sent"},
        headers=COLLECTOR | ID,
    )  # fmt: skip
    assert sent.status_code == 201, sent.text
    letter, letter_number = sent.json()["letter"], sent.json()["letter_number"]
    assert letter["days_late"] > 0
    assert letter["due_date"] is not None
    assert sent.json()["letter_title"] == "Surat Peringatan Pertama (SP1)"
    assert sent.json()["letter_text"] == (
        f"Nomor {letter_number}, {date_id(day)}.\n\n"
        f"Angsuran yang jatuh tempo pada {date_id(date.fromisoformat(letter['due_date']))} "
        f"belum dibayar: {letter['days_late']} hari keterlambatan, "
        f"{letter['installments_late']} angsuran tertunggak.\n\n"
        f"Tunggakan: {rupiah_id(letter['arrears'])}\n"
        f"Bunga terutang: {rupiah_id(letter['interest_due'])}\n"
        f"Denda keterlambatan: {rupiah_id(letter['fines'])}\n"
        f"Pokok terutang: {rupiah_id(letter['outstanding_principal'])}\n\n"
        "Mohon segera melunasi tunggakan beserta denda keterlambatan agar tidak dilakukan "
        "tindakan penagihan lebih lanjut."
    )
    assert letter["outstanding_principal"] >= 1_000_000  # the thousands are separated by dots

    listed = client.get(f"/v1/contracts/{number}/collection-actions", headers=COLLECTOR | EN)
    (english,) = [a for a in listed.json()["items"] if a["kind"] == "warning_letter"]
    assert english["letter"] == letter  # the figures are the same in every language
    assert english["letter_title"] == "First warning letter (SP1)"
    assert english["letter_text"].startswith(
        f"Number {letter_number}, {day:%B} {day.day}, {day.year}.\n\n"
    )
    principal = f"Principal outstanding: Rp {letter['outstanding_principal']:,}\n\n"
    assert principal in english["letter_text"]


def test_a_settlement_letter_in_each_language(client: TestClient, database) -> None:
    number = active_contract(client, database, today_jakarta() - timedelta(days=10))
    refused = client.get(f"/v1/contracts/{number}/settlement-letter", headers=FINANCE | ID)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        f"Kontrak {number} berstatus ACTIVE; surat keterangan lunas hanya untuk kontrak yang "
        "sudah lunas."
    )
    quote = client.get(f"/v1/contracts/{number}/settlement-quote", headers=FINANCE).json()
    assert pay(client, number, quote["total"], today_jakarta(), "LUNAS")["contract_state"] == (
        "PAID_OFF"
    )

    url = f"/v1/contracts/{number}/settlement-letter"
    indonesian = client.get(url, headers=FINANCE | ID).json()
    english = client.get(url, headers=FINANCE | EN).json()
    debtor, vehicle = indonesian["debtor"], indonesian["vehicle"]
    disbursed = date.fromisoformat(indonesian["disbursed_on"])
    paid_off = date.fromisoformat(indonesian["paid_off_on"])
    assert indonesian["early_settlement"] is True
    assert indonesian["total_paid"] >= 1_000_000
    assert indonesian["title"] == "Surat Keterangan Lunas"
    assert indonesian["text"] == (
        f"Nomor SKL-{number}.\n\n"
        f"Dengan ini kami menyatakan bahwa kontrak {number} atas nama {debtor}, yang dicairkan "
        f"pada {date_id(disbursed)}, telah lunas melalui pelunasan dipercepat pada "
        f"{date_id(paid_off)}, dengan jumlah pembayaran seluruhnya "
        f"{rupiah_id(indonesian['total_paid'])}. Debitur tidak memiliki kewajiban lagi atas "
        "kontrak ini.\n\n"
        f"Kendaraan: {vehicle}; nomor rangka {indonesian['chassis_number'] or '-'}; nomor mesin "
        f"{indonesian['engine_number'] or '-'}.\n\n"
        "BPKB (nomor -) diserahkan kembali kepada debitur dengan menunjukkan surat ini."
    )
    assert english["title"] == "Settlement letter"
    assert (
        f"was paid off by early settlement on {paid_off:%B} {paid_off.day}, {paid_off.year}, "
        f"Rp {english['total_paid']:,} having been paid in all." in english["text"]
    )
    # The facts are the same in every language.
    assert {k: v for k, v in english.items() if k not in ("title", "text")} == {
        k: v for k, v in indonesian.items() if k not in ("title", "text")
    }
