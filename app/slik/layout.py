"""The SLIK debtor report's layout: every segment's fields in the guideline's order, each with
its length, whether it is mandatory and the codes it takes. The writer and the validator
(:mod:`app.slik.rules`) both read this one table.

Source: OJK, *Pedoman Penyusunan Laporan Debitur* for SLIK, the appendix of SEOJK
50/SEOJK.03/2017 and its later amendments, as published for a *lembaga pembiayaan* (reporter
type 0201). Field order and the code lists marked "guideline" follow its segment chapters;
field lengths and the codes marked "approximate" follow the layouts public reporting tools
use where the stored text of the guideline was not at hand (see the README).
"""

from dataclasses import dataclass
from typing import Literal

GUIDELINE = "OJK Pedoman Penyusunan Laporan Debitur SLIK (SEOJK 50/SEOJK.03/2017, as amended)"
GUIDELINE_VERSION = "SEOJK-50-2017"
REPORTER_TYPE = "0201"  # Perusahaan Pembiayaan
SEPARATOR = "|"

Kind = Literal["text", "number", "date", "month", "code"]

# The code lists an admin maintains (table ``slik_codes``), by name.
LISTS = (
    "debtor_kind",
    "facility_kind",
    "collateral_kind",
    "region",
    "sector",
    "occupation",
    "branch",
)

YES_NO = ("Y", "T")
OPERATIONS = ("C", "U", "D")  # create, update, delete (the guideline's Operasi Data)


@dataclass(frozen=True)
class Field:
    name: str  # the guideline's column title
    length: int  # the most characters the column takes
    mandatory: bool
    kind: Kind = "text"
    # The codes it takes: a fixed tuple from the guideline, or the name of an admin's list.
    codes: tuple[str, ...] | str | None = None


def _f(
    name: str,
    length: int,
    mandatory: bool = True,
    kind: Kind = "text",
    codes: tuple[str, ...] | str | None = None,
) -> Field:
    return Field(name, length, mandatory, "code" if codes is not None else kind, codes)


_DETAIL = _f("Flag Detail", 1, codes=("D",))
_BRANCH = _f("Kode Kantor Cabang", 3, codes="branch")  # the office codes OJK registered
_OPERATION = _f("Operasi Data", 1, codes=OPERATIONS)
FACILITY_SEGMENTS = ("F01", "F02", "F03", "F04", "F05", "F06")

HEADER: tuple[Field, ...] = (
    _f("Flag Header", 1, codes=("H",)),
    _f("Kode Jenis Pelapor", 4, codes=("0101", "0102", "0103", "0104", "0201", "0202", "0203",
                                       "0204", "0205", "0301", "0302", "0401", "0402", "0909")),
    _f("Kode Pelapor", 6, kind="number"),
    _f("Tahun Bulan Data", 6, kind="month"),
    _f("Kode Jenis Segmen", 3, codes=("D01", "D02", *FACILITY_SEGMENTS, "A01", "P01", "M01")),
    _f("Jumlah Record", 10, kind="number"),
)  # fmt: skip

SEGMENTS: dict[str, tuple[Field, ...]] = {
    # Individual debtors (Debitur Perseorangan).
    "D01": (
        _DETAIL,
        _f("Nomor CIF Debitur", 25),
        _f("Jenis Identitas", 1, codes=("1", "2")),  # 1 KTP (NIK), 2 passport
        _f("Nomor Identitas", 16),
        _f("Nama Sesuai Identitas", 100),
        _f("Nama Lengkap", 100),
        _f("Kode Status Pendidikan", 2, mandatory=False),
        _f("Jenis Kelamin", 1, codes=("L", "P")),
        _f("Tempat Lahir", 50),
        _f("Tanggal Lahir", 8, kind="date"),
        _f("Nomor Pokok Wajib Pajak", 15, mandatory=False, kind="number"),
        _f("Alamat", 300),
        _f("Kelurahan", 100),
        _f("Kecamatan", 100),
        _f("Kode Kabupaten atau Kota", 4, codes="region"),
        _f("Kode Pos", 5, mandatory=False, kind="number"),
        _f("Nomor Telepon", 20, mandatory=False),
        _f("Nomor Telepon Seluler", 20, mandatory=False),
        _f("Alamat Surat Elektronik", 150, mandatory=False),
        _f("Kode Negara Domisili", 2, codes=("ID",)),
        _f("Kode Pekerjaan", 3, codes="occupation"),
        _f("Tempat Bekerja", 100, mandatory=False),
        _f("Kode Bidang Usaha Tempat Bekerja", 6, mandatory=False, codes="sector"),
        _f("Alamat Tempat Bekerja", 300, mandatory=False),
        _f("Penghasilan Kotor per Tahun", 15, mandatory=False, kind="number"),
        _f("Kode Sumber Penghasilan", 1, mandatory=False, codes=("1", "2", "3")),
        _f("Jumlah Tanggungan", 2, mandatory=False, kind="number"),
        _f("Kode Hubungan dengan Pelapor", 1, codes=YES_NO),
        _f("Kode Golongan Debitur", 4, codes="debtor_kind"),
        _f("Status Perkawinan Debitur", 1, codes=("1", "2", "3")),  # married, single, divorced
        _f("Nomor Identitas Pasangan", 16, mandatory=False),
        _f("Nama Pasangan", 100, mandatory=False),
        _f("Tanggal Lahir Pasangan", 8, mandatory=False, kind="date"),
        _f("Perjanjian Pisah Harta", 1, mandatory=False, codes=YES_NO),
        _f("Melanggar BMPK", 1, codes=YES_NO),
        _f("Melampaui BMPK", 1, codes=YES_NO),
        _f("Nama Gadis Ibu Kandung", 100),
        _BRANCH,
        _OPERATION,
    ),
    # Company debtors (Debitur Badan Usaha).
    "D02": (
        _DETAIL,
        _f("Nomor CIF Debitur", 25),
        _f("Nomor Identitas Badan Usaha", 30),
        _f("Nama Badan Usaha", 100),
        _f("Kode Bentuk Badan Usaha", 2, codes=("01", "02", "03", "04", "99")),
        _f("Tempat Pendirian", 50, mandatory=False),
        _f("Nomor Akta Pendirian", 50, mandatory=False),
        _f("Tanggal Akta Pendirian", 8, kind="date"),
        _f("Nomor Telepon", 20, mandatory=False),
        _f("Alamat", 300),
        _f("Kelurahan", 100),
        _f("Kecamatan", 100),
        _f("Kode Kabupaten atau Kota", 4, codes="region"),
        _f("Kode Pos", 5, mandatory=False, kind="number"),
        _f("Kode Negara Domisili", 2, codes=("ID",)),
        _f("Kode Bidang Usaha", 6, codes="sector"),
        _f("Kode Hubungan dengan Pelapor", 1, codes=YES_NO),
        _f("Melanggar BMPK", 1, codes=YES_NO),
        _f("Melampaui BMPK", 1, codes=YES_NO),
        _f("Go Public", 1, codes=YES_NO),
        _f("Kode Golongan Debitur", 4, codes="debtor_kind"),
        _f("Peringkat Debitur", 6, mandatory=False),
        _f("Lembaga Pemeringkat", 2, mandatory=False),
        _f("Tanggal Pemeringkatan", 8, mandatory=False, kind="date"),
        _f("Nama Grup Debitur", 100, mandatory=False),
        _BRANCH,
        _OPERATION,
    ),
    # Credit and financing facilities (Kredit/Pembiayaan): one row per contract.
    "F01": (
        _DETAIL,
        _f("Nomor Rekening Fasilitas", 30),
        _f("Nomor CIF Debitur", 25),
        _f("Kode Sifat Kredit", 1, codes=("1", "2", "3", "4", "5", "6", "7", "8", "9")),
        _f("Kode Jenis Kredit", 3, codes="facility_kind"),
        _f("Kode Akad Kredit", 3, mandatory=False),
        _f("Nomor Akad Awal", 50),
        _f("Tanggal Akad Awal", 8, kind="date"),
        _f("Nomor Akad Akhir", 50),
        _f("Tanggal Akad Akhir", 8, kind="date"),
        _f("Frekuensi Perpanjangan", 4, kind="number"),
        _f("Tanggal Awal Kredit", 8, kind="date"),
        _f("Tanggal Mulai", 8, kind="date"),
        _f("Tanggal Jatuh Tempo", 8, kind="date"),
        _f("Kode Kategori Debitur", 2, codes=("UM", "UK", "NU", "UT")),
        _f("Kode Jenis Penggunaan", 1, codes=("1", "2", "3")),  # 3: consumption
        _f("Kode Orientasi Penggunaan", 1, codes=("1", "2", "3")),
        _f("Kode Sektor Ekonomi", 6, codes="sector"),
        _f("Kode Kabupaten atau Kota Lokasi Proyek", 4, codes="region"),
        _f("Nilai Proyek", 15, mandatory=False, kind="number"),
        _f("Kode Valuta", 3, codes=("IDR",)),
        _f("Suku Bunga atau Imbalan", 6),  # percent a year, two decimals
        _f("Jenis Suku Bunga", 1, codes=("0", "1", "2", "3", "4", "5", "9")),
        _f("Kredit Program Pemerintah", 3, mandatory=False),
        _f("Asal Kredit Takeover", 6, mandatory=False),
        _f("Sumber Dana", 4, mandatory=False),
        _f("Plafon Awal", 15, kind="number"),
        _f("Plafon", 15, kind="number"),
        _f("Realisasi atau Pencairan Bulan Berjalan", 15, kind="number"),
        _f("Denda", 15, mandatory=False, kind="number"),
        _f("Baki Debet", 15, kind="number"),
        _f("Nilai dalam Mata Uang Asal", 15, mandatory=False, kind="number"),
        _f("Kode Kualitas Kredit", 1, codes=("1", "2", "3", "4", "5")),
        _f("Tanggal Macet", 8, mandatory=False, kind="date"),
        _f("Kode Sebab Macet", 2, mandatory=False),
        _f("Tunggakan Pokok", 15, kind="number"),
        _f("Tunggakan Bunga", 15, kind="number"),
        _f("Jumlah Hari Tunggakan", 4, kind="number"),
        _f("Frekuensi Tunggakan", 4, kind="number"),
        _f("Frekuensi Restrukturisasi", 4, kind="number"),
        _f("Tanggal Restrukturisasi Awal", 8, mandatory=False, kind="date"),
        _f("Tanggal Restrukturisasi Akhir", 8, mandatory=False, kind="date"),
        _f("Kode Cara Restrukturisasi", 2, mandatory=False),
        # 00 active, 01 paid off, 02 written off (the guideline's further codes unused here).
        _f(
            "Kode Kondisi",
            2,
            codes=(
                "00",
                "01",
                "02",
                "03",
                "04",
                "05",
                "06",
                "07",
                "08",
                "09",
                "10",
                "11",
                "12",
                "13",
            ),
        ),
        _f("Tanggal Kondisi", 8, mandatory=False, kind="date"),
        _f("Keterangan", 150, mandatory=False),
        _BRANCH,
        _OPERATION,
    ),
    # Collateral (Agunan): the vehicle financed, one per facility.
    "A01": (
        _DETAIL,
        _f("Kode Register atau Nomor Agunan", 30),
        _f("Nomor Rekening Fasilitas", 30),
        _f("Nomor CIF Debitur", 25),
        _f("Kode Jenis Segmen Fasilitas", 3, codes=FACILITY_SEGMENTS),
        _f("Kode Status Agunan", 1, codes=("1", "2", "3")),
        _f("Kode Jenis Agunan", 3, codes="collateral_kind"),
        _f("Peringkat Agunan", 6, mandatory=False),
        _f("Kode Lembaga Pemeringkat", 2, mandatory=False),
        # 04 fiduciary (fidusia), 07 not yet bound; the guideline's other kinds unused here.
        _f("Kode Jenis Pengikatan", 2, codes=("01", "02", "03", "04", "05", "06", "07", "99")),
        _f("Tanggal Pengikatan", 8, mandatory=False, kind="date"),
        _f("Nama Pemilik Agunan", 100),
        _f("Bukti Kepemilikan", 100),
        _f("Alamat Agunan", 300),
        _f("Kode Kabupaten atau Kota Lokasi Agunan", 4, codes="region"),
        _f("Nilai Agunan Sesuai NJOP", 15, mandatory=False, kind="number"),
        _f("Nilai Agunan menurut Pelapor", 15, kind="number"),
        _f("Tanggal Penilaian Agunan menurut Pelapor", 8, kind="date"),
        _f("Nilai Agunan menurut Penilai Independen", 15, mandatory=False, kind="number"),
        _f("Nama Penilai Independen", 100, mandatory=False),
        _f("Tanggal Penilaian Agunan menurut Penilai Independen", 8, mandatory=False, kind="date"),
        _f("Status Paripasu", 1, codes=YES_NO),
        _f("Persentase Paripasu", 6, mandatory=False),
        _f("Status Kredit Joint Account", 1, codes=YES_NO),
        _f("Diasuransikan", 1, mandatory=False, codes=YES_NO),
        _f("Keterangan", 150, mandatory=False),
        _BRANCH,
        _OPERATION,
    ),
    # Guarantors (Penjamin) of a facility.
    "P01": (
        _DETAIL,
        _f("Nomor Identitas Penjamin", 30),
        _f("Nomor Rekening Fasilitas", 30),
        _f("Nomor CIF Debitur", 25),
        _f("Kode Jenis Segmen Fasilitas", 3, codes=FACILITY_SEGMENTS),
        _f("Kode Jenis Identitas Penjamin", 1, codes=("1", "2", "3")),
        _f("Nama Penjamin Sesuai Identitas", 100),
        _f("Nama Lengkap Penjamin", 100),
        _f("Kode Golongan Penjamin", 4, codes="debtor_kind"),
        _f("Alamat Penjamin", 300, mandatory=False),
        _f("Persentase Fasilitas yang Dijamin", 6, mandatory=False),
        _f("Keterangan", 150, mandatory=False),
        _BRANCH,
        _OPERATION,
    ),
    # Board members and owners (Pengurus/Pemilik) of a company debtor.
    "M01": (
        _DETAIL,
        _f("Nomor Identitas Pengurus atau Pemilik", 30),
        _f("Nomor CIF Debitur", 25),
        _f("Kode Jenis Identitas", 1, codes=("1", "2", "3")),
        _f("Nama Pengurus atau Pemilik", 100),
        _f("Jenis Kelamin", 1, codes=("L", "P")),
        _f("Alamat", 300, mandatory=False),
        _f("Kelurahan", 100, mandatory=False),
        _f("Kecamatan", 100, mandatory=False),
        _f("Kode Kabupaten atau Kota", 4, mandatory=False, codes="region"),
        _f("Kode Jabatan", 2, codes=("01", "02", "03", "04", "05", "99")),
        _f("Pangsa Kepemilikan", 6, mandatory=False),
        _f("Status Pengurus atau Pemilik", 1, codes=("1", "0")),
        _BRANCH,
        _OPERATION,
    ),
}

# The order the files are listed in: debtors, then facilities, then what hangs on them.
ORDER = ("D01", "D02", "F01", "A01", "P01", "M01")
# Each segment's row key: the fields that name a row from one month to the next.
KEYS: dict[str, tuple[str, ...]] = {
    "D01": ("Nomor CIF Debitur",),
    "D02": ("Nomor CIF Debitur",),
    "F01": ("Nomor Rekening Fasilitas",),
    "A01": ("Kode Register atau Nomor Agunan",),
    "P01": ("Nomor Identitas Penjamin", "Nomor Rekening Fasilitas"),
    "M01": ("Nomor Identitas Pengurus atau Pemilik", "Nomor CIF Debitur"),
}
