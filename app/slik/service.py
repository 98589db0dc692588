"""The monthly SLIK debtor report: the month-end standing the close of business stored (Kol,
days past due, principal outstanding) and the arrears on the schedule at that day, read in a
few set-based queries; each facility's debtor, collateral and guarantors beside it; every row
validated against the layout before any file is produced; and a correction file for a month
reported before, holding only the rows that changed."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Date, and_, case, delete, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from app.collection.arithmetic import KolBands
from app.collection.models import Position, PositionSpan, WriteOff
from app.collection.positions import policy
from app.collection.report import _require_closed, month_end
from app.contracts.models import Contract
from app.core.errors import Unprocessable
from app.core.i18n import N_, gettext
from app.core.settings import get_settings
from app.prescreening.models import ContractParty, Customer
from app.reference.models import Branch, Product
from app.servicing.ledger import balance_of
from app.servicing.models import (
    Allocation,
    Collateral,
    Installment,
    LoanAccount,
    Payment,
    Restructuring,
)
from app.slik import rules
from app.slik.layout import GUIDELINE, GUIDELINE_VERSION, LISTS, ORDER, REPORTER_TYPE
from app.slik.models import SlikCode, SlikReportedRow
from app.slik.rules import Problem, Row

ACTIVE, PAID_OFF, WRITTEN_OFF = "00", "01", "02"  # the guideline's Kode Kondisi
SEX = {"male": "L", "female": "P"}
MARITAL = {"married": "1", "single": "2", "divorced": "3", "widowed": "3"}
LEGAL_FORM = {"pt": "01", "cv": "02", "koperasi": "03", "yayasan": "04", "other": "99"}
BOARD_POSITION = {"president_director": "01", "director": "02", "president_commissioner": "03",
                  "commissioner": "04", "partner": "05"}  # fmt: skip


class ReportBlocked(Unprocessable):
    """Rows break the guideline's rules: nothing is produced, the problems are listed."""

    slug, title = "slik-report-blocked", N_("SLIK report blocked")


@dataclass
class SegmentFile:
    name: str
    segment: str
    rows: int
    content: str


@dataclass
class Report:
    month: str
    kind: str  # original | correction
    rows_validated: int
    files: list[SegmentFile] = field(default_factory=list)
    guideline: str = GUIDELINE
    guideline_version: str = GUIDELINE_VERSION
    reporter_type: str = REPORTER_TYPE


@dataclass
class Lists:
    """The admin's code lists: the active codes of each, and the code each of our values maps to."""

    codes: dict[str, frozenset[str]]
    maps: dict[str, dict[str, str]]

    def code(self, name: str, ours: str | None) -> str:
        return self.maps[name].get((ours or "").strip().lower(), "")


def code_lists(session: Session) -> Lists:
    codes: dict[str, set[str]] = {name: set() for name in LISTS}
    maps: dict[str, dict[str, str]] = {name: {} for name in LISTS}
    for row in session.scalars(select(SlikCode).where(SlikCode.active)):
        codes.setdefault(row.list, set()).add(row.code)
        if row.maps:
            maps.setdefault(row.list, {})[row.maps.strip().lower()] = row.code
    return Lists({k: frozenset(v) for k, v in codes.items()}, maps)


# --- the month-end standing, set-based ---------------------------------------------------


def _facilities(session: Session, first: date, end: date) -> list[Any]:
    """Each facility to report for the month: on the book at its end (the stored month-end
    position), paid off during it, or written off by then (reported until recovered)."""
    written = select(WriteOff.contract_id)
    recovered = (
        select(Payment.contract_id, func.sum(Payment.amount).label("amount"))
        .where(Payment.recovery, Payment.reversed_at.is_(None), Payment.paid_on <= end)
        .group_by(Payment.contract_id)
        .subquery()
    )
    last_span = (
        select(PositionSpan.contract_id, func.max(PositionSpan.valid_from).label("valid_from"))
        .where(PositionSpan.contract_id.in_(written))
        .group_by(PositionSpan.contract_id)
        .subquery()
    )
    on_book = select(
        Position.contract_id,
        Position.kol,
        Position.days_past_due,
        Position.outstanding_principal,
        literal(ACTIVE).label("condition"),
        literal(None, Date).label("condition_on"),
        literal(None, Date).label("arrears_since"),
    ).where(
        Position.business_date == end,
        # Written off on the month-end itself: reported as written off.
        Position.contract_id.not_in(written.where(WriteOff.business_date <= end)),
    )
    paid_off = select(
        LoanAccount.contract_id,
        literal(1),
        literal(0),
        literal(0),
        literal(PAID_OFF),
        LoanAccount.off_book_from,
        literal(None, Date),
    ).where(LoanAccount.off_book_from.between(first, end), LoanAccount.contract_id.not_in(written))
    written_off = (
        select(
            WriteOff.contract_id,
            literal(5),
            literal(0),
            func.max(WriteOff.amount - func.coalesce(recovered.c.amount, 0), 0)
            if session.get_bind().dialect.name == "sqlite"
            else func.greatest(WriteOff.amount - func.coalesce(recovered.c.amount, 0), 0),
            literal(WRITTEN_OFF),
            WriteOff.business_date,
            PositionSpan.arrears_since,
        )
        .outerjoin(recovered, recovered.c.contract_id == WriteOff.contract_id)
        .outerjoin(last_span, last_span.c.contract_id == WriteOff.contract_id)
        .outerjoin(
            PositionSpan,
            and_(
                PositionSpan.contract_id == last_span.c.contract_id,
                PositionSpan.valid_from == last_span.c.valid_from,
            ),
        )
        .where(WriteOff.business_date <= end)
    )
    standing = union_all(on_book, paid_off, written_off).subquery()
    original = (
        select(
            Installment.contract_id,
            func.sum(Installment.principal).label("financed"),
            func.sum(Installment.interest).label("interest"),
        )
        .where(Installment.in_force_from.is_(None))
        .group_by(Installment.contract_id)
        .subquery()
    )
    in_force = _in_force(end)
    maturity = (
        select(Installment.contract_id, func.max(Installment.due_date).label("due"))
        .where(in_force)
        .group_by(Installment.contract_id)
        .subquery()
    )
    restructured = (
        select(
            Restructuring.contract_id,
            func.count().label("times"),
            func.min(Restructuring.effective_on).label("first"),
            func.max(Restructuring.effective_on).label("last"),
        )
        .where(Restructuring.status == "approved", Restructuring.effective_on <= end)
        .group_by(Restructuring.contract_id)
        .subquery()
    )
    arrears = _arrears(end, select(standing.c.contract_id))
    applicant = (
        select(ContractParty.contract_id, ContractParty.customer_id)
        .where(ContractParty.role == "applicant")
        .subquery()
    )
    query = (
        select(
            standing,
            Contract.number,
            Contract.branch_id,
            Branch.code.label("branch_code"),
            Contract.application,
            Contract.applicant_name,
            Contract.chassis_number,
            Contract.otr_price,
            Contract.tenor_months,
            Product.code.label("product"),
            LoanAccount.disbursed_on,
            original.c.financed,
            original.c.interest,
            maturity.c.due.label("maturity"),
            func.coalesce(restructured.c.times, 0).label("restructured"),
            restructured.c.first.label("restructured_first"),
            restructured.c.last.label("restructured_last"),
            func.coalesce(arrears.c.principal, 0).label("arrears_principal"),
            func.coalesce(arrears.c.interest, 0).label("arrears_interest"),
            func.coalesce(arrears.c.count, 0).label("arrears_count"),
            Collateral.fiduciary_registered_on,
            Collateral.bpkb_number,
            Customer.id.label("debtor_id"),
            Customer.kind.label("debtor_kind"),
            Customer.nik,
            Customer.npwp,
            Customer.full_name,
            Customer.birth_place,
            Customer.birth_date,
            Customer.mother_maiden_name,
        )
        .join(Contract, Contract.id == standing.c.contract_id)
        .join(Product, Product.id == Contract.product_id)
        .join(Branch, Branch.id == Contract.branch_id)
        .join(LoanAccount, LoanAccount.contract_id == Contract.id)
        .join(applicant, applicant.c.contract_id == Contract.id)
        .join(Customer, Customer.id == applicant.c.customer_id)
        .outerjoin(original, original.c.contract_id == Contract.id)
        .outerjoin(maturity, maturity.c.contract_id == Contract.id)
        .outerjoin(restructured, restructured.c.contract_id == Contract.id)
        .outerjoin(arrears, arrears.c.contract_id == Contract.id)
        .outerjoin(Collateral, Collateral.contract_id == Contract.id)
        .order_by(Contract.number)
    )
    return list(session.execute(query).all())


def _in_force(day: date) -> Any:
    return and_(
        or_(Installment.in_force_from.is_(None), Installment.in_force_from <= day),
        or_(Installment.superseded_on.is_(None), Installment.superseded_on > day),
    )


def _arrears(end: date, contracts: Any) -> Any:
    """Per contract, what its installments due by ``end`` still owed at the end of that day:
    principal, interest (less what was waived) and how many installments."""
    principal_paid = func.coalesce(
        func.sum(case((Allocation.component == "principal", Allocation.amount), else_=0)), 0
    )
    interest_paid = func.coalesce(
        func.sum(
            case(
                (Allocation.component.in_(("interest", "interest_waived")), Allocation.amount),
                else_=0,
            )
        ),
        0,
    )
    each = (
        select(
            Installment.contract_id,
            (Installment.principal - principal_paid).label("principal"),
            (Installment.interest - interest_paid).label("interest"),
        )
        .outerjoin(
            Allocation,
            and_(Allocation.installment_id == Installment.id, Allocation.value_date <= end),
        )
        .where(Installment.contract_id.in_(contracts), Installment.due_date <= end, _in_force(end))
        .group_by(Installment.id, Installment.contract_id, Installment.principal,
                  Installment.interest)
        .subquery()
    )  # fmt: skip
    return (
        select(
            each.c.contract_id,
            func.sum(each.c.principal).label("principal"),
            func.sum(each.c.interest).label("interest"),
            func.sum(case((each.c.principal + each.c.interest > 0, 1), else_=0)).label("count"),
        )
        .group_by(each.c.contract_id)
        .subquery()
    )


def _parties(session: Session, contracts: Sequence[int], role: str) -> list[Any]:
    return list(
        session.execute(
            select(ContractParty.contract_id, Customer)
            .join(Customer, Customer.id == ContractParty.customer_id)
            .where(ContractParty.contract_id.in_(contracts), ContractParty.role == role)
            .order_by(ContractParty.contract_id, Customer.id)
        ).all()
    )


# --- the rows ------------------------------------------------------------------------------


def cif(customer_id: int) -> str:
    return f"{customer_id:010d}"


def account(number: str) -> str:
    return rules.alphanumeric(number)


def _rate(financed: int | None, interest: int | None, tenor: int) -> str:
    """The flat rate a year, in percent with two decimals, from the original schedule."""
    if not financed or interest is None:
        return ""
    rate = Decimal(interest) * 12 * 100 / (Decimal(financed) * tenor)
    return str(rate.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _address(place: Mapping[str, Any]) -> str:
    parts = [str(place.get("street", ""))]
    if place.get("rt") or place.get("rw"):
        parts.append(f"RT {place.get('rt') or '-'}/RW {place.get('rw') or '-'}")
    return rules.clean(" ".join(parts))


def _bad_since(kol: int, dpd: int, end: date, bands: KolBands) -> date | None:
    """The day the facility became Kol-5 *macet* (Tanggal Macet): when its days past due
    crossed the worst band's first day; none below it (or held there by a restructuring)."""
    worst, first_day = bands[-1][0], (bands[-2][1] or 0) + 1
    if kol != worst or dpd < first_day:
        return None
    return end - timedelta(days=dpd - first_day)


def late_charges(session: Session, facilities: Sequence[Any], end: date) -> dict[int, int]:
    """Denda: the late charges owed at the month-end by the facilities on the book that are
    in arrears, from the ledger's one balance (a facility not late owes none; the month-end
    positions keep days and amounts, not charges, so only these few are replayed)."""
    owed: dict[int, int] = {}
    for f in facilities:
        if f.condition == ACTIVE and f.days_past_due > 0:
            contract = session.get_one(Contract, f.contract_id)
            owed[f.contract_id] = balance_of(session, contract, end).late_charge_owed
    return owed


def facility_row(
    f: Any, lists: Lists, end: date, first: date, bands: KolBands, late_charge: int | None
) -> Row:
    applicant = (f.application or {}).get("applicant", {})
    city = (applicant.get("address") or {}).get("city")
    dpd = f.days_past_due
    if f.condition == WRITTEN_OFF and f.arrears_since is not None:
        dpd = (end - f.arrears_since).days
    financed = int(f.financed or 0)
    # Kol-5 from the day it crossed the worst band, or from its write-off if that came first.
    bad = [_bad_since(f.kol, dpd, end, bands)]
    bad.append(f.condition_on if f.condition == WRITTEN_OFF else None)
    bad_since = min((day for day in bad if day is not None), default=None)
    row = {
        "Flag Detail": "D",
        "Nomor Rekening Fasilitas": account(f.number),
        "Nomor CIF Debitur": cif(f.debtor_id),
        "Kode Sifat Kredit": "1" if f.restructured else "9",
        "Kode Jenis Kredit": lists.code("facility_kind", f.product),
        "Kode Akad Kredit": "",
        "Nomor Akad Awal": f.number,
        "Tanggal Akad Awal": rules.clean(f.disbursed_on),
        "Nomor Akad Akhir": f.number,
        "Tanggal Akad Akhir": rules.clean(f.restructured_last or f.disbursed_on),
        "Frekuensi Perpanjangan": "0",
        "Tanggal Awal Kredit": rules.clean(f.disbursed_on),
        "Tanggal Mulai": rules.clean(f.disbursed_on),
        "Tanggal Jatuh Tempo": rules.clean(f.maturity),
        "Kode Kategori Debitur": "NU",
        "Kode Jenis Penggunaan": "3",
        "Kode Orientasi Penggunaan": "3",
        "Kode Sektor Ekonomi": lists.code(
            "sector", "company" if f.debtor_kind == "company" else f.product
        ),
        "Kode Kabupaten atau Kota Lokasi Proyek": lists.code("region", city),
        "Nilai Proyek": "",
        "Kode Valuta": "IDR",
        "Suku Bunga atau Imbalan": _rate(f.financed, f.interest, f.tenor_months),
        "Jenis Suku Bunga": "1",
        "Kredit Program Pemerintah": "",
        "Asal Kredit Takeover": "",
        "Sumber Dana": "",
        "Plafon Awal": str(financed),
        "Plafon": str(financed),
        "Realisasi atau Pencairan Bulan Berjalan": str(
            financed if first <= f.disbursed_on <= end else 0
        ),
        "Denda": "" if late_charge is None else str(late_charge),
        "Baki Debet": str(max(int(f.outstanding_principal), 0)),
        "Nilai dalam Mata Uang Asal": "",
        "Kode Kualitas Kredit": str(f.kol),
        "Tanggal Macet": rules.clean(bad_since),
        "Kode Sebab Macet": "",
        "Tunggakan Pokok": str(max(int(f.arrears_principal), 0)),
        "Tunggakan Bunga": str(max(int(f.arrears_interest), 0)),
        "Jumlah Hari Tunggakan": str(dpd),
        "Frekuensi Tunggakan": str(int(f.arrears_count)),
        "Frekuensi Restrukturisasi": str(int(f.restructured)),
        "Tanggal Restrukturisasi Awal": rules.clean(f.restructured_first),
        "Tanggal Restrukturisasi Akhir": rules.clean(f.restructured_last),
        "Kode Cara Restrukturisasi": "",
        "Kode Kondisi": f.condition,
        "Tanggal Kondisi": rules.clean(f.condition_on),
        "Keterangan": "",
        "Kode Kantor Cabang": lists.code("branch", f.branch_code),
        "Operasi Data": "C",
    }
    return {k: rules.clean(v) for k, v in row.items()}


def _person_row(f: Any, lists: Lists) -> Row:
    applicant = (f.application or {}).get("applicant", {})
    address = applicant.get("address") or {}
    employment = applicant.get("employment") or {}
    spouse = applicant.get("spouse") or {}
    phones = applicant.get("phones") or []
    mobile = next((p["number"] for p in phones if p.get("kind") == "mobile"), "")
    fixed = next((p["number"] for p in phones if p.get("kind") != "mobile"), "")
    income = employment.get("monthly_income")
    occupation = employment.get("occupation")
    row = {
        "Flag Detail": "D",
        "Nomor CIF Debitur": cif(f.debtor_id),
        "Jenis Identitas": "1",
        "Nomor Identitas": f.nik,
        "Nama Sesuai Identitas": f.full_name,
        "Nama Lengkap": f.full_name,
        "Kode Status Pendidikan": "",
        "Jenis Kelamin": SEX.get(applicant.get("sex", ""), ""),
        "Tempat Lahir": f.birth_place,
        "Tanggal Lahir": f.birth_date,
        "Nomor Pokok Wajib Pajak": rules.alphanumeric(f.npwp or ""),
        "Alamat": _address(address),
        "Kelurahan": address.get("kelurahan"),
        "Kecamatan": address.get("kecamatan"),
        "Kode Kabupaten atau Kota": lists.code("region", address.get("city")),
        "Kode Pos": address.get("postal_code"),
        "Nomor Telepon": rules.alphanumeric(fixed),
        "Nomor Telepon Seluler": rules.alphanumeric(mobile),
        "Alamat Surat Elektronik": "",
        "Kode Negara Domisili": "ID",
        "Kode Pekerjaan": lists.code("occupation", occupation),
        "Tempat Bekerja": employment.get("employer"),
        "Kode Bidang Usaha Tempat Bekerja": "",
        "Alamat Tempat Bekerja": "",
        "Penghasilan Kotor per Tahun": str(income * 12) if isinstance(income, int) else "",
        "Kode Sumber Penghasilan": "2" if occupation == "entrepreneur" else "1",
        "Jumlah Tanggungan": str(applicant.get("dependants", "")),
        "Kode Hubungan dengan Pelapor": "T",
        "Kode Golongan Debitur": lists.code("debtor_kind", "person"),
        "Status Perkawinan Debitur": MARITAL.get(applicant.get("marital_status", ""), ""),
        "Nomor Identitas Pasangan": spouse.get("nik"),
        "Nama Pasangan": spouse.get("full_name"),
        "Tanggal Lahir Pasangan": (spouse.get("birth_date") or "").replace("-", ""),
        "Perjanjian Pisah Harta": "T" if spouse else "",
        "Melanggar BMPK": "T",
        "Melampaui BMPK": "T",
        "Nama Gadis Ibu Kandung": f.mother_maiden_name,
        "Kode Kantor Cabang": lists.code("branch", f.branch_code),
        "Operasi Data": "C",
    }
    return {k: rules.clean(v) for k, v in row.items()}


def _company_row(f: Any, lists: Lists) -> Row:
    applicant = (f.application or {}).get("applicant", {})
    address = applicant.get("address") or {}
    phones = applicant.get("phones") or []
    row = {
        "Flag Detail": "D",
        "Nomor CIF Debitur": cif(f.debtor_id),
        "Nomor Identitas Badan Usaha": rules.alphanumeric(f.npwp or applicant.get("npwp", "")),
        "Nama Badan Usaha": f.full_name,
        "Kode Bentuk Badan Usaha": LEGAL_FORM.get(applicant.get("legal_form", ""), ""),
        "Tempat Pendirian": "",
        "Nomor Akta Pendirian": "",
        "Tanggal Akta Pendirian": (applicant.get("established") or "").replace("-", ""),
        "Nomor Telepon": rules.alphanumeric(phones[0]["number"]) if phones else "",
        "Alamat": _address(address),
        "Kelurahan": address.get("kelurahan"),
        "Kecamatan": address.get("kecamatan"),
        "Kode Kabupaten atau Kota": lists.code("region", address.get("city")),
        "Kode Pos": address.get("postal_code"),
        "Kode Negara Domisili": "ID",
        "Kode Bidang Usaha": lists.code("sector", "company"),
        "Kode Hubungan dengan Pelapor": "T",
        "Melanggar BMPK": "T",
        "Melampaui BMPK": "T",
        "Go Public": "T",
        "Kode Golongan Debitur": lists.code("debtor_kind", "company"),
        "Peringkat Debitur": "",
        "Lembaga Pemeringkat": "",
        "Tanggal Pemeringkatan": "",
        "Nama Grup Debitur": "",
        "Kode Kantor Cabang": lists.code("branch", f.branch_code),
        "Operasi Data": "C",
    }
    return {k: rules.clean(v) for k, v in row.items()}


def _collateral_row(f: Any, lists: Lists) -> Row:
    applicant = (f.application or {}).get("applicant", {})
    address = applicant.get("address") or {}
    proof = f"BPKB {f.bpkb_number}" if f.bpkb_number else f"Rangka {f.chassis_number or '-'}"
    row = {
        "Flag Detail": "D",
        "Kode Register atau Nomor Agunan": "AG" + account(f.number),
        "Nomor Rekening Fasilitas": account(f.number),
        "Nomor CIF Debitur": cif(f.debtor_id),
        "Kode Jenis Segmen Fasilitas": "F01",
        "Kode Status Agunan": "1",
        "Kode Jenis Agunan": lists.code("collateral_kind", f.product),
        "Peringkat Agunan": "",
        "Kode Lembaga Pemeringkat": "",
        "Kode Jenis Pengikatan": "04" if f.fiduciary_registered_on else "07",
        "Tanggal Pengikatan": rules.clean(f.fiduciary_registered_on),
        "Nama Pemilik Agunan": f.full_name,
        "Bukti Kepemilikan": proof,
        "Alamat Agunan": _address(address),
        "Kode Kabupaten atau Kota Lokasi Agunan": lists.code("region", address.get("city")),
        "Nilai Agunan Sesuai NJOP": "",
        "Nilai Agunan menurut Pelapor": str(f.otr_price),
        "Tanggal Penilaian Agunan menurut Pelapor": rules.clean(f.disbursed_on),
        "Nilai Agunan menurut Penilai Independen": "",
        "Nama Penilai Independen": "",
        "Tanggal Penilaian Agunan menurut Penilai Independen": "",
        "Status Paripasu": "T",
        "Persentase Paripasu": "",
        "Status Kredit Joint Account": "T",
        "Diasuransikan": "",
        "Keterangan": "",
        "Kode Kantor Cabang": lists.code("branch", f.branch_code),
        "Operasi Data": "C",
    }
    return {k: rules.clean(v) for k, v in row.items()}


def _guarantor_row(f: Any, person: Customer, lists: Lists) -> Row:
    row = {
        "Flag Detail": "D",
        "Nomor Identitas Penjamin": person.nik,
        "Nomor Rekening Fasilitas": account(f.number),
        "Nomor CIF Debitur": cif(f.debtor_id),
        "Kode Jenis Segmen Fasilitas": "F01",
        "Kode Jenis Identitas Penjamin": "1",
        "Nama Penjamin Sesuai Identitas": person.full_name,
        "Nama Lengkap Penjamin": person.full_name,
        "Kode Golongan Penjamin": lists.code("debtor_kind", "person"),
        "Alamat Penjamin": "",
        "Persentase Fasilitas yang Dijamin": "100",
        "Keterangan": "",
        "Kode Kantor Cabang": lists.code("branch", f.branch_code),
        "Operasi Data": "C",
    }
    return {k: rules.clean(v) for k, v in row.items()}


def _board_row(f: Any, person: Customer, lists: Lists) -> Row:
    applicant = (f.application or {}).get("applicant", {})
    members: list[dict[str, Any]] = applicant.get("board_members", [])
    member = next((m for m in members if m.get("nik") == person.nik), {})
    address = applicant.get("address") or {}
    row = {
        "Flag Detail": "D",
        "Nomor Identitas Pengurus atau Pemilik": person.nik,
        "Nomor CIF Debitur": cif(f.debtor_id),
        "Kode Jenis Identitas": "1",
        "Nama Pengurus atau Pemilik": person.full_name,
        "Jenis Kelamin": SEX.get(member.get("sex", ""), ""),
        "Alamat": "",
        "Kelurahan": "",
        "Kecamatan": "",
        "Kode Kabupaten atau Kota": lists.code("region", address.get("city")),
        "Kode Jabatan": BOARD_POSITION.get(member.get("position", ""), ""),
        "Pangsa Kepemilikan": "",
        "Status Pengurus atau Pemilik": "1",
        "Kode Kantor Cabang": lists.code("branch", f.branch_code),
        "Operasi Data": "C",
    }
    return {k: rules.clean(v) for k, v in row.items()}


def rows_of(session: Session, year: int, month: int) -> dict[str, list[Row]]:
    """Every segment's rows for the month, in the layout's field names."""
    end = month_end(year, month)
    first = end.replace(day=1)
    lists = code_lists(session)
    facilities = _facilities(session, first, end)
    bands = policy().kol_bands
    owed = late_charges(session, facilities, end)
    segments: dict[str, list[Row]] = {name: [] for name in ORDER}
    debtors: dict[int, Any] = {}
    for f in facilities:
        late = owed.get(f.contract_id, 0) if f.condition != WRITTEN_OFF else None
        segments["F01"].append(facility_row(f, lists, end, first, bands, late))
        segments["A01"].append(_collateral_row(f, lists))
        debtors[f.debtor_id] = f  # the latest facility's form describes the debtor
    for debtor_id in sorted(debtors):
        f = debtors[debtor_id]
        if f.debtor_kind == "company":
            segments["D02"].append(_company_row(f, lists))
        else:
            segments["D01"].append(_person_row(f, lists))
    by_contract = {f.contract_id: f for f in facilities}
    ids = list(by_contract)
    for contract_id, person in _parties(session, ids, "guarantor"):
        segments["P01"].append(_guarantor_row(by_contract[contract_id], person, lists))
    companies = [f.contract_id for f in debtors.values() if f.debtor_kind == "company"]
    for contract_id, person in _parties(session, companies, "board_member"):
        segments["M01"].append(_board_row(by_contract[contract_id], person, lists))
    return segments


# --- producing the files -------------------------------------------------------------------


def _problems(segments: Mapping[str, list[Row]], codes: rules.Codes) -> list[Problem]:
    return [p for name in ORDER for p in rules.validate(name, segments[name], codes)]


def produce(session: Session, year: int, month: int) -> Report:
    """The month's report: every row validated first (any problem blocks it and nothing is
    stored); the first time, every row (operation C); after that, a correction holding only the
    rows that changed since, and what is stored as reported becomes today's rows."""
    _require_closed(session, year, month)
    end = month_end(year, month)
    segments = rows_of(session, year, month)
    problems = _problems(segments, code_lists(session).codes)
    if problems:
        raise ReportBlocked(
            gettext(
                "The SLIK report for {month} is blocked by {count} problems; nothing was produced."
            ).format(month=f"{end:%Y-%m}", count=len(problems)),
            problems=[p.__dict__ for p in problems],
        )
    reported: dict[str, dict[str, str]] = defaultdict(dict)
    for row in session.scalars(select(SlikReportedRow).where(SlikReportedRow.month == end)):
        reported[row.segment][row.key] = row.content
    correction = bool(reported)
    code = get_settings().slik_reporter_code
    report = Report(
        month=f"{end:%Y-%m}",
        kind="correction" if correction else "original",
        rows_validated=sum(len(rows) for rows in segments.values()),
    )
    for name in ORDER:
        rows = (
            rules.correction(name, reported[name], segments[name])
            if correction
            else (segments[name])
        )
        head = rules.header(code, end, name, len(rows))
        report.files.append(
            SegmentFile(
                name=rules.file_name(code, end, name, correction),
                segment=name,
                rows=len(rows),
                content=rules.render(name, head, rows),
            )
        )
    if not correction or any(f.rows for f in report.files):
        session.execute(delete(SlikReportedRow).where(SlikReportedRow.month == end))
        session.add_all(
            SlikReportedRow(
                month=end,
                segment=name,
                key=rules.key_of(name, row),
                content=rules.content_of(name, row),
            )
            for name in ORDER
            for row in segments[name]
        )
        session.flush()
    return report


def month_of(text: str) -> tuple[int, int]:
    year, number = (int(part) for part in text.split("-"))
    return year, number
