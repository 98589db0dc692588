"""The settlement files banks and payment points send, column by column: one place that says,
per channel, where a file keeps the virtual account, the amount, the value date and the
bank's reference, and how it writes them. Reading a file is plain Python (no database)."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from app.core.i18n import N_, _

FIELDS = ("reference", "virtual_account", "amount", "paid_on")


@dataclass(frozen=True)
class Layout:
    """One channel's file: its delimiter, the header of each field we read, how it writes a
    date and an amount, and the payment method its payments are recorded with."""

    channel: str
    title: str
    method: str  # the payment method of app.applications: virtual_account, pos ...
    delimiter: str
    headers: dict[str, str]  # our field -> the file's column header
    date_format: str  # strptime; a date-and-time column is read as its date
    indonesian_amounts: bool  # "1.250.000,00" (thousands ".", decimals ",") or "1250000"


LAYOUTS: dict[str, Layout] = {
    # A bank's virtual-account settlement report as its internet banking exports it: one
    # line per credit, semicolon-separated, Indonesian numbers, day/month/year.
    "bank_va": Layout(
        channel="bank_va",
        title=N_("Bank virtual-account report"),
        method="virtual_account",
        delimiter=";",
        headers={
            "paid_on": "TANGGAL",
            "virtual_account": "NO VA",
            "amount": "NOMINAL",
            "reference": "NO REFERENSI",
        },
        date_format="%d/%m/%Y",
        indonesian_amounts=True,
    ),
    # A convenience-store chain's daily reconciliation: comma-separated, the payment code
    # the customer gave at the till (our virtual-account number), whole rupiah, ISO times.
    "convenience_store": Layout(
        channel="convenience_store",
        title=N_("Convenience-store payment report"),
        method="pos",
        delimiter=",",
        headers={
            "reference": "transaction_id",
            "virtual_account": "payment_code",
            "amount": "amount",
            "paid_on": "paid_at",
        },
        date_format="%Y-%m-%d %H:%M:%S",
        indonesian_amounts=False,
    ),
}


@dataclass(frozen=True)
class Row:
    line: int  # the line of the file (the header is line 1)
    reference: str
    virtual_account: str
    amount: int
    paid_on: date


@dataclass(frozen=True)
class RowError:
    field: str
    rule: str
    message: str


class FileRefused(Exception):
    """The file is not the channel's layout, or a line cannot be read: nothing is posted."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


MAX_ERRORS = 20


def _amount(text: str, indonesian: bool) -> int:
    written = text.strip().replace(" ", "")
    # 1.250.000,00 in Indonesian; 1,250,000 or 1250000 in the other.
    written = written.replace(".", "").replace(",", ".") if indonesian else written.replace(",", "")
    value = Decimal(written)
    if value != value.to_integral_value():
        raise ValueError("sen")
    return int(value)


def read(layout: Layout, text: str) -> list[Row]:
    """Every line of a settlement file, or :class:`FileRefused` naming the lines (at most
    twenty) and fields that cannot be read."""
    lines = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=layout.delimiter)
    header = next(lines, None)
    named = {h.strip().upper(): i for i, h in enumerate(header or [])}
    missing = [h for h in layout.headers.values() if h.upper() not in named]
    if missing:
        raise FileRefused([RowError("file.header", "layout", _(
            "This is not a {title} file: it has no column {columns}."
        ).format(title=_(layout.title), columns=", ".join(missing)))])  # fmt: skip
    where = {f: named[layout.headers[f].upper()] for f in FIELDS}
    rows: list[Row] = []
    errors: list[RowError] = []
    for number, cells in enumerate(lines, start=2):
        if not any(c.strip() for c in cells):
            continue

        values = {f: cells[at].strip() if at < len(cells) else "" for f, at in where.items()}

        problems: list[RowError] = []
        reference = values["reference"]
        if not 3 <= len(reference) <= 60:
            problems.append(RowError(f"lines[{number}].reference", "reference", _(
                "The bank's reference has 3 to 60 characters.")))  # fmt: skip
        va = values["virtual_account"]
        if not va or len(va) > 30:
            problems.append(RowError(f"lines[{number}].virtual_account", "virtual_account", _(
                "The virtual account is missing or longer than 30 characters.")))  # fmt: skip
        try:
            amount = _amount(values["amount"], layout.indonesian_amounts)
            if amount <= 0 or amount > 10**13:
                raise ValueError(amount)
        except (InvalidOperation, ValueError):
            amount = 0
            problems.append(RowError(f"lines[{number}].amount", "amount", _(
                "{value!r} is not an amount of whole rupiah above zero.").format(
                value=values["amount"])))  # fmt: skip
        try:
            paid_on = datetime.strptime(values["paid_on"], layout.date_format).date()
        except ValueError:
            paid_on = date.min
            problems.append(RowError(f"lines[{number}].paid_on", "date_format", _(
                "{value!r} is not a date written {format}.").format(
                value=values["paid_on"], format=layout.date_format)))  # fmt: skip
        if problems:
            errors.extend(problems)
            if len(errors) >= MAX_ERRORS:
                break
            continue
        rows.append(Row(number, reference, va, amount, paid_on))
    if errors:
        raise FileRefused(errors[:MAX_ERRORS])
    if not rows:
        raise FileRefused([RowError("file", "empty", _("The file has no payment lines."))])
    return rows
