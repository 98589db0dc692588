"""Money in by the file: a bank's or payment point's settlement file read with its channel's
layout, each line matched to its contract by the virtual account and posted through
:func:`app.servicing.payments.post_payments` (the function ``POST /v1/payments`` posts
through), once per bank reference; what matches nothing, or is refused, waits in suspense
for finance to match by hand."""

import hashlib
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from app.auth.service import Principal, username_of
from app.contracts.models import Contract
from app.contracts.service import get_visible
from app.core.clock import utcnow
from app.core.errors import Conflict, FieldError, NotFound, Unprocessable
from app.core.i18n import N_, _, format_date
from app.payment_files import layouts
from app.payment_files.models import PaymentFile, PaymentFileLine
from app.servicing.models import LoanAccount, Payment
from app.servicing.payments import Receipt, Refusal, post_payments
from app.servicing.virtual_accounts import is_valid

# Imports take this lock on PostgreSQL (SQLite has one writer at a time): two uploads of one
# file never both find a reference free.
IMPORT_LOCK = 7_402_115
CHUNK = 5000
LINES = cast(Table, PaymentFileLine.__table__)

# Why a line waits in suspense, in words (by the rule stored on the line).
SUSPENSE_REASONS: dict[str, str] = {
    "invalid_va": N_("{va} is not one of our virtual-account numbers (its length or check "
                     "digit is wrong)."),
    "unknown_va": N_("No contract has the virtual account {va}."),
    "contract_state": N_("Contract {number} is {state}: it takes no payment."),
    "future_date": N_("The line is dated {day}, in the future."),
    "before_disbursement": N_("The line is dated {day}, before contract {number} was "
                              "disbursed."),
    "before_restructuring": N_("The line is dated {day}, before contract {number} was "
                               "restructured."),
}  # fmt: skip


@dataclass(frozen=True)
class Tally:
    lines: int = 0
    amount: int = 0


@dataclass(frozen=True)
class Summary:
    """What became of a file's lines; ``lines`` is the sum of the four outcomes."""

    file: PaymentFile
    uploaded_by: str
    lines: Tally
    posted: Tally
    recoveries: Tally  # of the posted and matched lines, those on written-off contracts
    suspense: Tally
    matched: Tally
    duplicates: Tally

    @property
    def reconciled(self) -> bool:
        parts = (self.posted, self.suspense, self.matched, self.duplicates)
        return self.lines == Tally(sum(p.lines for p in parts), sum(p.amount for p in parts))


def layout_of(channel: str) -> layouts.Layout:
    layout = layouts.LAYOUTS.get(channel)
    if layout is None:
        raise Unprocessable.field(
            "channel",
            _("No layout for channel {channel}; the channels are {known}.").format(
                channel=channel, known=", ".join(layouts.LAYOUTS)
            ),
            "channel",
        )
    return layout


def import_file(
    session: Session, principal: Principal, channel: str, text: str, filename: str | None
) -> PaymentFile:
    """Read, match and post a settlement file; every line is kept with its outcome."""
    layout = layout_of(channel)
    try:
        rows = layouts.read(layout, text)
    except layouts.FileRefused as refused:
        raise Unprocessable(
            _("The file was not posted: {count} problem(s), the first: {first}").format(
                count=len(refused.errors), first=refused.errors[0].message
            ),
            errors=[FieldError(field=e.field, message=e.message, rule=e.rule)
                    for e in refused.errors],
        ) from None  # fmt: skip
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(IMPORT_LOCK)))
    upload = PaymentFile(
        channel=channel,
        filename=filename,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        uploaded_by_id=principal.user_id,
    )
    session.add(upload)
    session.flush()

    taken: dict[str, Any] = {}  # reference -> the line that took it in an earlier file
    references = sorted({r.reference for r in rows})
    for start in range(0, len(references), CHUNK):
        for line in session.execute(
            select(LINES.c.id, LINES.c.reference, LINES.c.virtual_account, LINES.c.amount,
                   LINES.c.paid_on)
            .where(LINES.c.channel == channel, LINES.c.status != "duplicate",
                   LINES.c.reference.in_(references[start:start + CHUNK]))
        ):  # fmt: skip
            taken[line.reference] = line
    accounts: dict[str, int] = {}
    numbers = sorted({r.virtual_account for r in rows if is_valid(r.virtual_account)})
    for start in range(0, len(numbers), CHUNK):
        accounts.update(
            (va, contract_id)
            for va, contract_id in session.execute(
                select(LoanAccount.virtual_account, LoanAccount.contract_id).where(
                    LoanAccount.virtual_account.in_(numbers[start : start + CHUNK])
                )
            )
            if va is not None
        )

    base = {"file_id": upload.id, "channel": channel, "payment_id": None, "contract_id": None,
            "reason": None, "duplicate_of_id": None}  # fmt: skip
    lines: list[dict[str, Any]] = []  # the first line of each reference, in file order
    duplicates: list[tuple[dict[str, Any], int | None]] = []  # and a line of this file
    first_here: dict[str, int] = {}
    receipts: list[Receipt] = []
    posted_lines: list[int] = []
    for row in rows:
        values = {**base, "line": row.line, "reference": row.reference, "amount": row.amount,
                  "virtual_account": row.virtual_account, "paid_on": row.paid_on}  # fmt: skip
        earlier = taken.get(row.reference)
        if earlier is not None or row.reference in first_here:
            if earlier is None:
                original = lines[first_here[row.reference]]
                same = (original["virtual_account"], original["amount"], original["paid_on"])
            else:
                same = (earlier.virtual_account, earlier.amount, earlier.paid_on)
            values["status"] = "duplicate"
            values["reason"] = (
                "same" if same == (row.virtual_account, row.amount, row.paid_on) else "differs"
            )
            values["duplicate_of_id"] = earlier.id if earlier is not None else None
            duplicates.append((values, None if earlier is not None else first_here[row.reference]))
            continue
        first_here[row.reference] = len(lines)
        lines.append(values)
        if not is_valid(row.virtual_account):
            values.update(status="suspense", reason="invalid_va")
        elif row.virtual_account not in accounts:
            values.update(status="suspense", reason="unknown_va")
        else:
            values["contract_id"] = contract_id = accounts[row.virtual_account]
            receipts.append(Receipt(contract_id, row.amount, row.paid_on,
                                    layout.method, row.reference))  # fmt: skip
            posted_lines.append(len(lines) - 1)
    outcomes = post_payments(session, principal, receipts)
    for at, outcome in zip(posted_lines, outcomes, strict=True):
        if isinstance(outcome, Refusal):
            lines[at].update(status="suspense", reason=outcome.rule)
        else:
            lines[at].update(status="posted", payment_id=outcome)
    ids: list[int] = []
    if lines:
        ids = list(
            session.execute(
                insert(LINES).returning(LINES.c.id, sort_by_parameter_order=True), lines
            ).scalars()
        )
    for values, here in duplicates:
        if here is not None:
            values["duplicate_of_id"] = ids[here]
    if duplicates:
        session.execute(insert(LINES), [values for values, _here in duplicates])
    return upload


def summary(session: Session, upload: PaymentFile) -> Summary:
    ours = PaymentFileLine.file_id == upload.id
    tallies = {
        status: Tally(count, amount or 0)
        for status, count, amount in session.execute(
            select(PaymentFileLine.status, func.count(), func.sum(PaymentFileLine.amount))
            .where(ours)
            .group_by(PaymentFileLine.status)
        )
    }
    recovered = session.execute(
        select(func.count(), func.sum(PaymentFileLine.amount))
        .join(Payment, Payment.id == PaymentFileLine.payment_id)
        .where(ours, Payment.recovery)
    ).one()
    return Summary(
        file=upload,
        uploaded_by=username_of(session, upload.uploaded_by_id) or "",
        lines=Tally(sum(t.lines for t in tallies.values()),
                    sum(t.amount for t in tallies.values())),
        posted=tallies.get("posted", Tally()),
        recoveries=Tally(recovered[0], recovered[1] or 0),
        suspense=tallies.get("suspense", Tally()),
        matched=tallies.get("matched", Tally()),
        duplicates=tallies.get("duplicate", Tally()),
    )  # fmt: skip


def get_file(session: Session, file_id: int) -> PaymentFile:
    upload = session.get(PaymentFile, file_id)
    if upload is None:
        raise NotFound(_("No payment file {id}.").format(id=file_id))
    return upload


def suspense_message(line: PaymentFileLine, number: str | None, state: str | None) -> str:
    template = SUSPENSE_REASONS.get(line.reason or "")
    if template is None:
        return line.reason or ""
    return _(template).format(va=line.virtual_account, number=number or "-", state=state or "-",
                              day=format_date(line.paid_on))  # fmt: skip


def match(
    session: Session, principal: Principal, line_id: int, contract_number: str
) -> PaymentFileLine:
    """Finance names the contract a line in suspense pays: it is posted as the file's lines
    are, through the one payment function."""
    query = select(PaymentFileLine).where(PaymentFileLine.id == line_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    line = session.scalar(query)
    if line is None:
        raise NotFound(_("No line {id} in suspense.").format(id=line_id))
    if line.status != "suspense":
        raise Conflict(
            _("Line {id} is {status}; only a line in suspense is matched.").format(
                id=line_id, status=line.status
            )
        )
    contract = get_visible(session, principal, contract_number)
    receipt = Receipt(contract.id, line.amount, line.paid_on, layout_of(line.channel).method,
                      line.reference)  # fmt: skip
    [outcome] = post_payments(session, principal, [receipt])
    if isinstance(outcome, Refusal):
        raise outcome.error()
    line.status, line.payment_id, line.contract_id = "matched", outcome, contract.id
    line.matched_by_id, line.matched_at = principal.user_id, utcnow()
    session.flush()
    return line


def contract_facts(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    """Number and state of the contracts named by lines."""
    found: dict[int, tuple[str, str]] = {}
    listed = sorted(ids)
    for start in range(0, len(listed), CHUNK):
        for cid, number, state in session.execute(
            select(Contract.id, Contract.number, Contract.state).where(
                Contract.id.in_(listed[start : start + CHUNK])
            )
        ):
            found[cid] = (number, state)
    return found
