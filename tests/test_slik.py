"""The monthly SLIK debtor report (issue 16 step 5): the layout's rules on their own, then the
report of a month of the history demo — every row validated, one debtor's facility checked
field by field against his contract and the ledger's own balance at the month-end, a correction
holding only what changed, and a report blocked (nothing stored) when a code is retired."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from app.collection.arithmetic import kol
from app.contracts.models import Contract
from app.core.clock import today_jakarta
from app.core.database import Database
from app.prescreening.models import ContractParty, Customer
from app.reference.models import Branch
from app.servicing.ledger import balance_of
from app.servicing.models import Collateral, Installment, LoanAccount, Restructuring
from app.slik import rules
from app.slik.layout import HEADER, KEYS, ORDER, REPORTER_TYPE, SEGMENTS, SEPARATOR
from app.slik.models import SlikCode, SlikReportedRow
from tests.conftest import (
    ADMIN,
    ANALYST,
    COLLECTOR,
    CS,
    FINANCE,
    DemoServer,
    application,
    auth,
    force_state,
    kredo_command,
    row_counts,
)
from tests.test_applications import COMPANY
from tests.test_collection import close_in_steps
from tests.test_guarantors import FATHER
from tests.test_transitions import purchase_order

CODES = {"region": frozenset({"0391"}), "occupation": frozenset({"001"})}


def _row(segment: str, **values: str) -> rules.Row:
    return {field.name: values.get(field.name, "") for field in SEGMENTS[segment]}


# --- the rules on plain data -----------------------------------------------------------------


def test_a_row_is_checked_for_mandatory_fields_lengths_kinds_and_codes() -> None:
    row = _row("D01", **{"Flag Detail": "D", "Nomor CIF Debitur": "0000000001",
                         "Tanggal Lahir": "19900231", "Kode Kabupaten atau Kota": "0392",
                         "Nomor Identitas": "3" * 17, "Kode Pos": "10A30"})  # fmt: skip
    found = {(p.field, p.rule) for p in rules.validate("D01", [row], CODES)}
    assert ("Tanggal Lahir", "date") in found  # 31 February
    assert ("Kode Kabupaten atau Kota", "code") in found  # not in the admin's list
    assert ("Nomor Identitas", "length") in found  # 17 of 16
    assert ("Kode Pos", "number") in found
    assert ("Nama Sesuai Identitas", "mandatory") in found
    assert ("Nomor Telepon", "mandatory") not in found  # optional, empty
    assert ("Nomor CIF Debitur", "mandatory") not in found
    # Every problem names the row's key and its line.
    assert {(p.segment, p.line, p.key) for p in rules.validate("D01", [row], CODES)} == {
        ("D01", 1, "0000000001")
    }


def test_a_segment_file_is_its_header_then_its_rows_in_the_layouts_order() -> None:
    row = _row("P01", **{"Flag Detail": "D", "Nomor Identitas Penjamin": "3171",
                         "Nomor Rekening Fasilitas": "JKT01", "Operasi Data": "C"})  # fmt: skip
    text = rules.render("P01", rules.header("999001", date(2026, 10, 31), "P01", 1), [row])
    lines = text.splitlines()
    assert lines[0] == SEPARATOR.join(["H", REPORTER_TYPE, "999001", "202610", "P01", "1"])
    assert len(lines[1].split(SEPARATOR)) == len(SEGMENTS["P01"])
    assert lines[1].startswith("D|3171|JKT01|")
    assert lines[1].endswith("|C")
    assert rules.clean("a|b\nc") == "a b c"  # the separator never reaches a field


def test_a_correction_holds_only_the_rows_changed_new_or_gone() -> None:
    def facility(account: str, balance: str) -> rules.Row:
        return _row("F01", **{"Nomor Rekening Fasilitas": account, "Baki Debet": balance,
                              "Operasi Data": "C"})  # fmt: skip

    before = [facility("A1", "100"), facility("A2", "200"), facility("A3", "300")]
    reported = {rules.key_of("F01", r): rules.content_of("F01", r) for r in before}
    now = [facility("A1", "100"), facility("A2", "150"), facility("A4", "400")]
    changed = rules.correction("F01", reported, now)
    shown = [(r["Nomor Rekening Fasilitas"], r["Operasi Data"], r["Baki Debet"]) for r in changed]
    assert shown == [("A2", "U", "150"), ("A4", "C", "400"), ("A3", "D", "300")]
    assert rules.correction("F01", reported, before) == []


# --- the report of a month of the history demo ------------------------------------------------


def _parse(content: str, segment: str) -> tuple[list[str], list[dict[str, str]]]:
    lines = content.splitlines()
    head = lines[0].split(SEPARATOR)
    names = [f.name for f in SEGMENTS[segment]]
    rows = []
    for line in lines[1:]:
        values = line.split(SEPARATOR)
        assert len(values) == len(names), (segment, line)
        rows.append(dict(zip(names, values, strict=True)))
    return head, rows


def _files(body: dict[str, Any]) -> dict[str, tuple[list[str], list[dict[str, str]]]]:
    return {f["segment"]: _parse(f["content"], f["segment"]) for f in body["files"]}


@pytest.fixture(scope="module")
def month(demo_server: DemoServer) -> str:
    today = today_jakarta()
    return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def test_the_report_of_a_history_month_validates_and_matches_a_contract(
    demo_server: DemoServer, month: str
) -> None:
    database = Database(demo_server.database_url)
    try:
        with httpx.Client(base_url=demo_server.base, timeout=120) as http:
            assert http.get(f"/v1/reports/slik/{month}", headers=COLLECTOR).status_code == 403
            this_month = today_jakarta().strftime("%Y-%m")
            # The month running now is not closed at its end: no report.
            assert http.get(f"/v1/reports/slik/{this_month}", headers=FINANCE).status_code == 409
            answer = http.get(f"/v1/reports/slik/{month}", headers=FINANCE)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["kind"] == "original"
        assert body["guideline_version"] == "SEOJK-50-2017"
        files = _files(body)
        assert [f["segment"] for f in body["files"]] == list(ORDER)
        end = date.fromisoformat(f"{month}-01").replace(day=28) + timedelta(days=4)
        end -= timedelta(days=end.day)
        everything = 0
        for f in body["files"]:
            head, rows = files[f["segment"]]
            assert f["name"] == f"0201.999001.{month[:4]}.{month[5:]}.{f['segment']}.0.txt"
            assert head == ["H", "0201", "999001", month.replace("-", ""), f["segment"],
                            str(len(rows))]  # fmt: skip
            assert len(head) == len(HEADER)
            # Every row: mandatory fields, lengths, kinds, and codes the layout allows.
            for row in rows:
                for field in SEGMENTS[f["segment"]]:
                    value = row[field.name]
                    assert value or not field.mandatory, (f["segment"], field.name, row)
                    assert len(value) <= field.length, (f["segment"], field.name, value)
                    if value and isinstance(field.codes, tuple):
                        assert value in field.codes, (f["segment"], field.name, value)
                assert row["Operasi Data"] == "C"
            everything += len(rows)
        assert body["rows_validated"] == everything
        facilities = files["F01"][1]
        assert len(facilities) > 150
        assert len(files["A01"][1]) == len(facilities)
        # One row per debtor: each facility's debtor is in D01, once.
        debtors = [r["Nomor CIF Debitur"] for r in files["D01"][1]]
        assert len(debtors) == len(set(debtors))
        assert {r["Nomor CIF Debitur"] for r in facilities} == set(debtors)
        conditions = {r["Kode Kondisi"] for r in facilities}
        assert "00" in conditions
        # Written-off facilities stay in the report, at Kol 5.
        written_off = [r for r in facilities if r["Kode Kondisi"] == "02"]
        assert written_off, "no written-off facility in the month"
        assert {r["Kode Kualitas Kredit"] for r in written_off} == {"5"}
        # Bad (macet) since it crossed 180 days past due, or its write-off if that was first.
        for r in written_off:
            assert r["Tanggal Macet"], r
            assert r["Tanggal Akad Awal"] < r["Tanggal Macet"] <= r["Tanggal Kondisi"], r
        # Paid off during the month: reported once more, with nothing left.
        for r in (r for r in facilities if r["Kode Kondisi"] == "01"):
            assert (r["Baki Debet"], r["Tunggakan Pokok"], r["Jumlah Hari Tunggakan"]) == (
                "0", "0", "0"
            )  # fmt: skip
            assert r["Tanggal Kondisi"][:6] == month.replace("-", ""), r
        # Below Kol-5 no facility has a date it became bad.
        assert {r["Tanggal Macet"] for r in facilities if r["Kode Kualitas Kredit"] != "5"} <= {""}
        _check_one_debtor(database, facilities, files, end)
    finally:
        database.dispose()


def _check_one_debtor(
    database: Database,
    facilities: list[dict[str, str]],
    files: dict[str, tuple[list[str], list[dict[str, str]]]],
    end: date,
) -> None:
    """An active facility in arrears without a restructuring, field by field."""
    with database.sessions() as session:
        restructured = set(session.scalars(select(Restructuring.contract_id)))
        row = contract = None
        for candidate in facilities:
            if candidate["Kode Kondisi"] != "00" or int(candidate["Jumlah Hari Tunggakan"]) < 5:
                continue
            found = session.scalar(
                select(Contract).where(
                    func.replace(Contract.number, "-", "") == candidate["Nomor Rekening Fasilitas"]
                )
            )
            if found is not None and found.id not in restructured:
                row, contract = candidate, found
                break
        assert row is not None, "no facility in arrears"
        assert contract is not None
        account = session.get_one(LoanAccount, contract.id)
        schedule = list(
            session.scalars(
                select(Installment)
                .where(Installment.contract_id == contract.id)
                .order_by(Installment.number)
            )
        )
        debtor = session.scalar(
            select(Customer)
            .join(ContractParty, ContractParty.customer_id == Customer.id)
            .where(ContractParty.contract_id == contract.id, ContractParty.role == "applicant")
        )
        assert debtor is not None
        collateral = session.scalar(select(Collateral).where(Collateral.contract_id == contract.id))
        balance = balance_of(session, contract, end)
        assert balance.late_charge_owed > 0  # five days or more late: Denda is owed
        financed = sum(i.principal for i in schedule)
        interest = sum(i.interest for i in schedule)
        product = "CAR" if "-CAR-" in contract.number else "MC"
        disbursed = f"{account.disbursed_on:%Y%m%d}"
        # The office code OJK registered for the contract's branch, from the admin's list.
        branch = session.get_one(Branch, contract.branch_id)
        office = session.scalar(
            select(SlikCode.code).where(SlikCode.list == "branch", SlikCode.maps == branch.code)
        )
        assert office is not None
        assert len(office) == 3
        expected = {
            "Flag Detail": "D",
            "Nomor Rekening Fasilitas": contract.number.replace("-", ""),
            "Nomor CIF Debitur": f"{debtor.id:010d}",
            "Kode Sifat Kredit": "9",
            "Kode Jenis Kredit": {"MC": "P04", "CAR": "P05"}[product],
            "Kode Akad Kredit": "",
            "Nomor Akad Awal": contract.number,
            "Tanggal Akad Awal": disbursed,
            "Nomor Akad Akhir": contract.number,
            "Tanggal Akad Akhir": disbursed,
            "Frekuensi Perpanjangan": "0",
            "Tanggal Awal Kredit": disbursed,
            "Tanggal Mulai": disbursed,
            "Tanggal Jatuh Tempo": f"{schedule[-1].due_date:%Y%m%d}",
            "Kode Kategori Debitur": "NU",
            "Kode Jenis Penggunaan": "3",
            "Kode Orientasi Penggunaan": "3",
            "Kode Sektor Ekonomi": {"MC": "004150", "CAR": "004160"}[product],
            "Kode Kabupaten atau Kota Lokasi Proyek": "0391",  # Jakarta Pusat
            "Nilai Proyek": "",
            "Kode Valuta": "IDR",
            # Flat a year: interest over financed, per year of the tenor, in percent.
            "Suku Bunga atau Imbalan": str(
                (Decimal(interest * 1200) / (financed * contract.tenor_months)).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                )
            ),
            "Jenis Suku Bunga": "1",
            "Kredit Program Pemerintah": "",
            "Asal Kredit Takeover": "",
            "Sumber Dana": "",
            "Plafon Awal": str(financed),
            "Plafon": str(financed),
            "Realisasi atau Pencairan Bulan Berjalan": str(
                financed if account.disbursed_on >= end.replace(day=1) else 0
            ),
            "Denda": str(balance.late_charge_owed),
            "Baki Debet": str(balance.outstanding_principal),
            "Nilai dalam Mata Uang Asal": "",
            "Kode Kualitas Kredit": str(kol(balance.days_past_due)),
            "Tanggal Macet": "",
            "Kode Sebab Macet": "",
            "Tunggakan Pokok": str(balance.arrears - balance.interest_due),
            "Tunggakan Bunga": str(balance.interest_due),
            "Jumlah Hari Tunggakan": str(balance.days_past_due),
            "Frekuensi Tunggakan": str(
                sum(1 for i in balance.installments if i.due_date <= end and i.unpaid > 0)
            ),
            "Frekuensi Restrukturisasi": "0",
            "Tanggal Restrukturisasi Awal": "",
            "Tanggal Restrukturisasi Akhir": "",
            "Kode Cara Restrukturisasi": "",
            "Kode Kondisi": "00",
            "Tanggal Kondisi": "",
            "Keterangan": "",
            "Kode Kantor Cabang": office,
            "Operasi Data": "C",
        }
        assert list(row) == list(expected)
        for name, value in expected.items():
            assert row[name] == value, (name, row[name], value)
        # His debtor row and his collateral row, from the same contract.
        person = next(r for r in files["D01"][1] if r["Nomor CIF Debitur"] == f"{debtor.id:010d}")
        assert person["Nomor Identitas"] == contract.applicant_nik
        assert person["Nama Sesuai Identitas"] == contract.applicant_name
        assert person["Tanggal Lahir"] == f"{contract.applicant_birth_date:%Y%m%d}"
        assert person["Kode Kabupaten atau Kota"] == "0391"
        vehicle = next(r for r in files["A01"][1] if r["Nomor Rekening Fasilitas"] == row[
            "Nomor Rekening Fasilitas"])  # fmt: skip
        assert vehicle["Nilai Agunan menurut Pelapor"] == str(contract.otr_price)
        assert vehicle["Kode Jenis Agunan"] == {"MC": "189", "CAR": "190"}[product]
        assert vehicle["Kode Jenis Pengikatan"] == (
            "04" if collateral is not None and collateral.fiduciary_registered_on else "07"
        )


def test_a_second_run_is_a_correction_and_a_retired_code_blocks_the_report(
    demo_server: DemoServer, month: str
) -> None:
    database = Database(demo_server.database_url)
    end = date.fromisoformat(f"{month}-01").replace(day=28) + timedelta(days=4)
    end -= timedelta(days=end.day)
    try:
        with httpx.Client(base_url=demo_server.base, timeout=120) as http:
            first = http.get(f"/v1/reports/slik/{month}", headers=FINANCE)
            assert first.status_code == 200, first.text
            # Nothing changed since the month was reported: an empty correction.
            assert first.json()["kind"] == "correction"
            assert {f["segment"]: f["rows"] for f in first.json()["files"]} == dict.fromkeys(
                ORDER, 0
            )
            assert all(f["name"].endswith(".K.txt") for f in first.json()["files"])
            with database.transaction() as session:
                cif = session.scalars(
                    select(SlikReportedRow.key).where(
                        SlikReportedRow.month == end, SlikReportedRow.segment == "D01"
                    )
                ).first()
                assert cif is not None
                stored = session.scalar(
                    select(func.count()).select_from(SlikReportedRow).where(
                        SlikReportedRow.month == end
                    )
                )  # fmt: skip
                person = session.get_one(Customer, int(cif))
                place = person.birth_place
                session.execute(
                    update(Customer).where(Customer.id == person.id).values(birth_place="Bandung")
                )
            corrected = http.get(f"/v1/reports/slik/{month}", headers=FINANCE)
            assert corrected.status_code == 200, corrected.text
            files = _files(corrected.json())
            assert {name: len(rows) for name, (_h, rows) in files.items()} == {
                **dict.fromkeys(ORDER, 0),
                "D01": 1,
            }
            (changed,) = files["D01"][1]
            assert (changed["Nomor CIF Debitur"], changed["Operasi Data"]) == (cif, "U")
            assert changed["Tempat Lahir"] == "Bandung"

            # The admin retires Jakarta Pusat's region code: every row naming it is blocked.
            retire = {"label": "Kota Jakarta Pusat", "maps": "jakarta pusat", "active": False}
            assert http.put("/v1/slik/codes/region/0391", json=retire, headers=FINANCE
                            ).status_code == 403  # fmt: skip
            assert http.put("/v1/slik/codes/region/0391", json=retire, headers=ADMIN
                            ).status_code == 200  # fmt: skip
            with database.transaction() as session:
                session.execute(
                    update(Customer).where(Customer.id == person.id).values(birth_place=place)
                )
            blocked = http.get(f"/v1/reports/slik/{month}", headers=FINANCE)
            assert blocked.status_code == 422, blocked.text
            problem = blocked.json()
            assert problem["type"].endswith("/slik-report-blocked")
            seen = {(p["segment"], p["field"], p["rule"]) for p in problem["problems"]}
            assert ("D01", "Kode Kabupaten atau Kota", "mandatory") in seen
            assert ("F01", "Kode Kabupaten atau Kota Lokasi Proyek", "mandatory") in seen
            assert all(p["key"] for p in problem["problems"])
            with database.sessions() as session:
                # Nothing stored: the birth place put back is still to be corrected.
                content = session.scalar(
                    select(SlikReportedRow.content).where(
                        SlikReportedRow.month == end,
                        SlikReportedRow.segment == "D01",
                        SlikReportedRow.key == cif,
                    )
                )
                assert content is not None
                assert content.split(SEPARATOR)[8] == "Bandung"
            restore = {**retire, "active": True}
            assert http.put("/v1/slik/codes/region/0391", json=restore, headers=ADMIN
                            ).status_code == 200  # fmt: skip
            codes = http.get("/v1/slik/codes?list=region", headers=FINANCE).json()["items"]
            assert {"list": "region", "code": "0391", "label": "Kota Jakarta Pusat",
                    "maps": "jakarta pusat", "active": True} in codes  # fmt: skip
            back = http.get(f"/v1/reports/slik/{month}", headers=FINANCE)
            assert back.status_code == 200, back.text
            assert [r["Tempat Lahir"] for r in _files(back.json())["D01"][1]] == [place]
        with database.sessions() as session:
            count = select(func.count()).select_from(SlikReportedRow)
            assert session.scalar(count.where(SlikReportedRow.month == end)) == stored
    finally:
        database.dispose()


def test_the_console_writes_the_files_the_api_answers(
    demo_server: DemoServer, month: str, tmp_path: Path
) -> None:
    said = kredo_command(
        demo_server.env, "slik-report", "--month", month, "--output", f"{tmp_path}"
    )
    written = {path.name: path.read_text(encoding="utf-8") for path in tmp_path.iterdir()}
    assert len(written) == len(ORDER)
    # The month was reported above: a correction, and nothing changed since.
    for name, content in written.items():
        assert name.endswith(".K.txt")
        assert name in said
        (head,) = content.splitlines()
        assert head.endswith("|0")
    with httpx.Client(base_url=demo_server.base, timeout=120) as http:
        answer = http.get(f"/v1/reports/slik/{month}", headers=FINANCE)
    assert {f["name"]: f["content"] for f in answer.json()["files"]} == written


def test_keys_name_fields_of_their_segment() -> None:
    for segment, names in KEYS.items():
        assert set(names) <= {f.name for f in SEGMENTS[segment]}


# --- a guarantor and a company debtor with its board ------------------------------------------


def _disbursed(client: Any, database: Database, on: date, body: dict[str, Any]) -> str:
    submitted = client.post("/v1/contracts", json=body, headers=CS)
    assert submitted.status_code == 201, submitted.text
    number: str = submitted.json()["number"]
    force_state(database, number, "SURVEYED")
    screened = client.post(f"/v1/contracts/{number}/prescreening", headers=ANALYST)
    assert screened.status_code == 200, screened.text
    force_state(database, number, "DELIVERED")
    purchase_order(database, number)
    paid = client.post(
        f"/v1/contracts/{number}/disbursement",
        headers=FINANCE,
        json={"amount": 14_000_000, "reference": f"TRF-{number}", "disbursed_on": f"{on}"},
    )
    assert paid.status_code == 200, paid.text
    return number


def test_guarantors_company_debtors_and_their_boards_have_their_segments(
    client: Any, database: Database
) -> None:
    end = today_jakarta().replace(day=1) - timedelta(days=1)
    start = end.replace(day=1)
    single = {"marital_status": "single", "spouse": None}
    person = _disbursed(client, database, start, application(guarantors=[FATHER], applicant=single))
    company = _disbursed(client, database, start, {**application(), "applicant": COMPANY})
    with database.transaction() as session:
        close_in_steps(session, start, end)
    answer = client.get(f"/v1/reports/slik/{end:%Y-%m}", headers=FINANCE)
    assert answer.status_code == 200, answer.text
    files = _files(answer.json())
    with database.sessions() as session:
        ids = {
            number: session.scalar(
                select(ContractParty.customer_id)
                .join(Contract, Contract.id == ContractParty.contract_id)
                .where(Contract.number == number, ContractParty.role == "applicant")
            )
            for number in (person, company)
        }
    (guarantor,) = files["P01"][1]
    assert guarantor["Nomor Identitas Penjamin"] == FATHER["nik"]
    assert guarantor["Nama Penjamin Sesuai Identitas"] == FATHER["full_name"]
    assert guarantor["Nomor Rekening Fasilitas"] == person.replace("-", "")
    assert guarantor["Nomor CIF Debitur"] == f"{ids[person]:010d}"
    assert guarantor["Kode Golongan Penjamin"] == "9000"
    (firm,) = files["D02"][1]
    assert firm["Nomor CIF Debitur"] == f"{ids[company]:010d}"
    assert firm["Nomor Identitas Badan Usaha"] == COMPANY["npwp"]
    assert firm["Nama Badan Usaha"] == COMPANY["name"]
    assert firm["Kode Bentuk Badan Usaha"] == "01"  # PT
    assert firm["Tanggal Akta Pendirian"] == COMPANY["established"].replace("-", "")
    assert firm["Kode Kabupaten atau Kota"] == "0391"
    board = {r["Nomor Identitas Pengurus atau Pemilik"]: r for r in files["M01"][1]}
    assert set(board) == {m["nik"] for m in COMPANY["board_members"]}
    first = COMPANY["board_members"][0]
    assert board[first["nik"]]["Kode Jabatan"] == "01"  # president director
    assert board[first["nik"]]["Jenis Kelamin"] == "L"
    assert {r["Nomor CIF Debitur"] for r in board.values()} == {f"{ids[company]:010d}"}
    # Each in its own segment: the company is no individual debtor, both have a facility.
    assert [r["Nomor CIF Debitur"] for r in files["D01"][1]] == [f"{ids[person]:010d}"]
    facilities = {r["Nomor Rekening Fasilitas"]: r for r in files["F01"][1]}
    assert set(facilities) == {person.replace("-", ""), company.replace("-", "")}
    assert facilities[company.replace("-", "")]["Kode Sektor Ekonomi"] == "479900"
    assert {r["Realisasi atau Pencairan Bulan Berjalan"] for r in facilities.values()} == {
        r["Plafon Awal"] for r in facilities.values()
    }


def test_an_admin_maintains_the_code_lists(client: Any, database: Database) -> None:
    new = {"label": "Kota Bandung", "maps": "Bandung", "active": True}
    assert client.put("/v1/slik/codes/region/0191", json=new, headers=FINANCE).status_code == 403
    added = client.put("/v1/slik/codes/region/0191", json=new, headers=ADMIN)
    assert added.status_code == 200, added.text
    assert added.json() == {"list": "region", "code": "0191", **new}
    # One code per value of ours: a second active code for Jakarta Pusat is refused.
    twice = {"label": "Jakarta Pusat again", "maps": "JAKARTA PUSAT", "active": True}
    before = row_counts(database)
    refused = client.put("/v1/slik/codes/region/0399", json=twice, headers=ADMIN)
    assert refused.status_code == 422, refused.text
    (error,) = refused.json()["errors"]
    assert (error["field"], error["rule"]) == ("body.maps", "maps_taken")
    assert "0391" in error["message"]
    assert row_counts(database) == before
    # An unknown list is no list.
    assert client.put("/v1/slik/codes/planets/01", json=new, headers=ADMIN).status_code == 422
    listed = client.get("/v1/slik/codes?list=region", headers=CS).json()["items"]
    assert [c["code"] for c in listed] == ["0191", "0391", "0392", "0393", "0394", "0395", "0396"]
    assert client.get("/v1/slik/codes", headers=auth("dealer.sinar")).status_code == 403
