"""The servicing-ledger migration (aaf0abf13778) on data: a database at the revision before it
holds an old-schema portfolio, written with plain SQL as the old collection code left it (the
old ``payments``, the per-installment summary ``installment_payments``, restructurings that
superseded installments, a write-off); upgraded to head, every disbursed contract must have
its account, its ledger entries, allocations that add up to the money, settlement days, and the
balances worked out by hand below. Runs in its own database: a temporary SQLite file, or a
database created for it on the PostgreSQL server named by ``KREDO_TEST_DATABASE_URL``.

Every contract but D and the restructured ones uses the same 6 x Rp 1,000,000 schedule on
Rp 5,400,000 financed (principal, interest): 840/160, 865/135, 890/110, 910/90, 935/65, 960/40
thousand. Late charge 0.1 % a day of the unpaid installment, capped at half of it; arrears
up to Rp 10,000 do not count; balances are at the end of 20 November 2026 (``ON``).
"""

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from app.contracts.models import Contract
from app.core.database import Database, make_engine
from app.core.migrations import alembic_config
from app.servicing.ledger import balance_of
from app.servicing.models import Allocation, Installment, LedgerEntry, LoanAccount
from app.tables import Base
from tests.history import recomputed

LEDGER_REVISION = "aaf0abf13778"
ON = date(2026, 11, 20)

S6 = [(840_000, 160_000), (865_000, 135_000), (890_000, 110_000),
      (910_000, 90_000), (935_000, 65_000), (960_000, 40_000)]  # fmt: skip
# ADDM: the first installment falls at signing and carries no interest.
ADDM6 = [(1_000_000, 0), (830_000, 170_000), (860_000, 140_000),
         (880_000, 120_000), (900_000, 100_000), (930_000, 70_000)]  # fmt: skip
# A restructured schedule: Rp 4,560,000 outstanding + Rp 245,000 interest in arrears
# capitalised = 4,805,000 over 8 x 642,000.
R8 = [(570_000, 72_000), (579_000, 63_000), (588_000, 54_000), (597_000, 45_000),
      (606_000, 36_000), (614_000, 28_000), (623_000, 19_000), (628_000, 14_000)]  # fmt: skip
# The second restructuring of G: 4,235,000 + 117,000 = 4,352,000 over 8 x 580,000.
R8B = [(515_000, 65_000), (523_000, 57_000), (531_000, 49_000), (539_000, 41_000),
       (547_000, 33_000), (556_000, 24_000), (565_000, 15_000), (576_000, 4_000)]  # fmt: skip

A, B, C, D, E, F, G, H, J = range(1, 10)  # contract ids


def monthly(first: date, count: int) -> list[date]:
    """``count`` due dates a month apart from ``first`` (days of month <= 28 here)."""
    out = []
    for k in range(count):
        month = first.month - 1 + k
        out.append(date(first.year + month // 12, month % 12 + 1, first.day))
    return out


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)


# --- the old portfolio --------------------------------------------------------------------
# Each contract: state, disbursement day (None: not disbursed), ADDM, OTR / down payment /
# amount financed, its installments (number, due, principal, interest, superseded by
# restructuring id) and its old payments (id, paid on, amount, reversed, recovery).

Row = tuple[int, date, int, int, int | None]
Pay = tuple[int, date, int, bool, bool]


def rows_of(split: list[tuple[int, int]], dues: list[date], start: int = 1,
            superseded: dict[int, int] | None = None) -> list[Row]:  # fmt: skip
    superseded = superseded or {}
    return [
        (start + i, due, p, interest, superseded.get(start + i))
        for i, ((p, interest), due) in enumerate(zip(split, dues, strict=True))
    ]


PORTFOLIO: dict[int, dict[str, Any]] = {
    # A: paid every installment on time (two of them a day or two early); paid off 10 Nov.
    A: {
        "state": "PAID_OFF",
        "disbursed_on": date(2026, 5, 10),
        "addm": False,
        "otr": 7_000_000,
        "dp": 1_600_000,
        "financed": 5_400_000,
        "rows": rows_of(S6, monthly(date(2026, 6, 10), 6)),
        "payments": [
            (11, date(2026, 6, 8), 1_000_000, False, False),
            (12, date(2026, 7, 10), 1_000_000, False, False),
            (13, date(2026, 8, 10), 1_000_000, False, False),
            (14, date(2026, 9, 9), 1_000_000, False, False),
            (15, date(2026, 10, 10), 1_000_000, False, False),
            (16, date(2026, 11, 10), 1_000_000, False, False),
        ],
    },
    # B: the first installment on time, the second 15 days late with the late charge, the
    # third only partly; a cheque for the fourth bounced; nothing since.
    B: {
        "state": "ACTIVE",
        "disbursed_on": date(2026, 6, 10),
        "addm": False,
        "otr": 7_000_000,
        "dp": 1_600_000,
        "financed": 5_400_000,
        "rows": rows_of(S6, monthly(date(2026, 7, 10), 6)),
        "payments": [
            (21, date(2026, 7, 10), 1_000_000, False, False),
            (22, date(2026, 8, 25), 1_015_000, False, False),
            (23, date(2026, 9, 20), 600_000, False, False),
            (24, date(2026, 10, 12), 1_000_000, True, False),
        ],
    },
    # C: paid 2.5 installments on the first due date, topped up the third, and paid 1.3
    # installments the day before the fourth: Rp 300,000 credit waits for the fifth. Its
    # insurance premium is financed: Rp 5,400,000 financed, the dealer paid 5,200,000.
    C: {
        "state": "ACTIVE",
        "disbursed_on": date(2026, 7, 5),
        "addm": False,
        "otr": 7_000_000,
        "dp": 1_800_000,
        "financed": 5_400_000,
        "rows": rows_of(S6, monthly(date(2026, 8, 5), 6)),
        "payments": [
            (31, date(2026, 8, 5), 2_500_000, False, False),
            (32, date(2026, 10, 5), 500_000, False, False),
            (33, date(2026, 11, 4), 1_300_000, False, False),
        ],
    },
    # D: ADDM, the first installment paid at signing (the old collection never saw it), the
    # others paid on time, one a day early.
    D: {
        "state": "ACTIVE",
        "disbursed_on": date(2026, 8, 20),
        "addm": True,
        "otr": 7_000_000,
        "dp": 1_600_000,
        "financed": 5_400_000,
        "rows": rows_of(ADDM6, monthly(date(2026, 8, 20), 6)),
        "payments": [
            (41, date(2026, 9, 19), 1_000_000, False, False),
            (42, date(2026, 10, 20), 1_000_000, False, False),
            (43, date(2026, 11, 20), 1_000_000, False, False),
        ],
    },
    # E: one installment paid, written off at 180 days past due on 30 May 2026 with Rp
    # 4,560,000 outstanding; Rp 500,000 recovered since.
    E: {
        "state": "WRITTEN_OFF",
        "disbursed_on": date(2025, 10, 1),
        "addm": False,
        "otr": 7_000_000,
        "dp": 1_600_000,
        "financed": 5_400_000,
        "rows": rows_of(S6, monthly(date(2025, 11, 1), 6)),
        "payments": [
            (51, date(2025, 11, 1), 1_000_000, False, False),
            (52, date(2026, 8, 1), 500_000, False, True),
        ],
    },
    # F: the first installment paid, then restructured on 15 May 2026 (installments 2-6
    # superseded, 7-14 added from 1 June), every new installment paid on its due date.
    F: {
        "state": "ACTIVE",
        "disbursed_on": date(2026, 2, 1),
        "addm": False,
        "otr": 7_000_000,
        "dp": 1_600_000,
        "financed": 5_400_000,
        "rows": rows_of(S6, monthly(date(2026, 3, 1), 6), superseded={n: 1 for n in range(2, 7)})
        + rows_of(R8, monthly(date(2026, 6, 1), 8), start=7),
        "payments": [
            (61, date(2026, 3, 1), 1_000_000, False, False),
            *(
                (60 + k, due, 642_000, False, False)
                for k, due in enumerate(monthly(date(2026, 6, 1), 6), start=2)
            ),
        ],
    },
    # G: restructured twice: on 20 April 2026 (2-6 superseded, 7-14 from 10 May) and, after
    # paying only installment 7, on 5 August 2026 (8-14 superseded, 15-22 from 10 September).
    G: {
        "state": "ACTIVE",
        "disbursed_on": date(2026, 1, 10),
        "addm": False,
        "otr": 7_000_000,
        "dp": 1_600_000,
        "financed": 5_400_000,
        "rows": rows_of(S6, monthly(date(2026, 2, 10), 6), superseded={n: 2 for n in range(2, 7)})
        + rows_of(
            R8, monthly(date(2026, 5, 10), 8), start=7, superseded={n: 3 for n in range(8, 15)}
        )
        + rows_of(R8B, monthly(date(2026, 9, 10), 8), start=15),
        "payments": [
            (71, date(2026, 2, 10), 1_000_000, False, False),
            (72, date(2026, 5, 10), 642_000, False, False),
            (73, date(2026, 9, 10), 580_000, False, False),
            (74, date(2026, 10, 10), 580_000, False, False),
            (75, date(2026, 11, 10), 580_000, False, False),
        ],
    },
    # J: two installments on time, then the four left (Rp 4,000,000) in one go on the third's
    # due date: the old code settled them all and paid the contract off.
    J: {
        "state": "PAID_OFF",
        "disbursed_on": date(2026, 4, 15),
        "addm": False,
        "otr": 7_000_000,
        "dp": 1_600_000,
        "financed": 5_400_000,
        "rows": rows_of(S6, monthly(date(2026, 5, 15), 6)),
        "payments": [
            (91, date(2026, 5, 15), 1_000_000, False, False),
            (92, date(2026, 6, 15), 1_000_000, False, False),
            (93, date(2026, 7, 15), 4_000_000, False, False),
        ],
    },
    # H: approved, its Purchase Order open: never disbursed, so no account.
    H: {
        "state": "APPROVED",
        "disbursed_on": None,
        "addm": False,
        "otr": 7_000_000,
        "dp": 1_600_000,
        "financed": 5_400_000,
        "rows": [],
        "payments": [],
    },
}

# What the old allocation (late charge, interest, principal of the oldest open installment,
# the late charge Rp 1,000 a day late counted to the payment's day; an overpayment straight
# onto the next installments) had stored, per (contract, installment): (late charge,
# interest, principal, settled on). The migration drops it: the ledger replaces it.
OLD_SUMMARY: dict[tuple[int, int], tuple[int, int, int, date | None]] = {
    (A, 1): (0, 160_000, 840_000, date(2026, 6, 8)),
    (A, 2): (0, 135_000, 865_000, date(2026, 7, 10)),
    (A, 3): (0, 110_000, 890_000, date(2026, 8, 10)),
    (A, 4): (0, 90_000, 910_000, date(2026, 9, 9)),
    (A, 5): (0, 65_000, 935_000, date(2026, 10, 10)),
    (A, 6): (0, 40_000, 960_000, date(2026, 11, 10)),
    (B, 1): (0, 160_000, 840_000, date(2026, 7, 10)),
    (B, 2): (15_000, 135_000, 865_000, date(2026, 8, 25)),
    (B, 3): (10_000, 110_000, 480_000, None),
    (C, 1): (0, 160_000, 840_000, date(2026, 8, 5)),
    (C, 2): (0, 135_000, 865_000, date(2026, 8, 5)),
    (C, 3): (0, 110_000, 890_000, date(2026, 10, 5)),
    (C, 4): (0, 90_000, 910_000, date(2026, 11, 4)),
    (C, 5): (0, 65_000, 235_000, None),
    # D as the old code saw it: the signing money unknown, always an installment behind.
    (D, 1): (61_000, 0, 1_000_000, date(2026, 10, 20)),
    (D, 2): (61_000, 170_000, 830_000, date(2026, 11, 20)),
    (D, 3): (31_000, 140_000, 707_000, None),
    (E, 1): (0, 160_000, 840_000, date(2025, 11, 1)),
    # Restructured: the old code kept rows only for the installments in force.
    (F, 1): (0, 160_000, 840_000, date(2026, 3, 1)),
    **{(F, 7 + k): (0, R8[k][1], R8[k][0], d)
       for k, d in enumerate(monthly(date(2026, 6, 1), 6))},
    (J, 1): (0, 160_000, 840_000, date(2026, 5, 15)),
    (J, 2): (0, 135_000, 865_000, date(2026, 6, 15)),
    **{(J, n): (0, i, p, date(2026, 7, 15)) for n, (p, i) in enumerate(S6[2:], start=3)},
    (G, 1): (0, 160_000, 840_000, date(2026, 2, 10)),
    (G, 7): (0, 72_000, 570_000, date(2026, 5, 10)),
    **{(G, 15 + k): (0, R8B[k][1], R8B[k][0], d)
       for k, d in enumerate(monthly(date(2026, 9, 10), 3))},
}  # fmt: skip

# Approved restructurings: id -> (contract, effective on, first due, installments,
# outstanding principal, capitalised interest, installment).
RESTRUCTURINGS = {
    1: (F, date(2026, 5, 15), date(2026, 6, 1), 8, 4_560_000, 245_000, 642_000),
    2: (G, date(2026, 4, 20), date(2026, 5, 10), 8, 4_560_000, 245_000, 642_000),
    3: (G, date(2026, 8, 5), date(2026, 9, 10), 8, 4_235_000, 117_000, 580_000),
}


def insert_old_portfolio(connection: sa.Connection) -> None:
    """The portfolio, with plain inserts into the tables as reflected at the old revision."""
    meta = sa.MetaData()
    meta.reflect(bind=connection)
    t = meta.tables

    def put(table: str, *rows: dict[str, Any]) -> None:
        if rows:
            connection.execute(t[table].insert(), list(rows))

    created = at(date(2025, 9, 1))
    put("branches", {"id": 1, "code": "JKT01", "name": "Jakarta Pusat", "city": "Jakarta",
                     "active": True})  # fmt: skip
    put("products", {"id": 1, "code": "MC", "name": "Motorcycle", "min_down_payment_pct": 10,
                     "active": True})  # fmt: skip
    put("dealers", {"id": 1, "code": "D-JKT-001", "name": "Sinar Motor", "branch_id": 1,
                    "city": "Jakarta", "active": True})  # fmt: skip
    put("users", *(
        {"id": i, "username": name, "full_name": name, "role": role, "branch_id": 1,
         "active": True, "is_demo": False, "created_at": created}
        for i, name, role in ((1, "finance.tono", "finance"), (2, "approver.hendra", "approver"),
                              (3, "collector.joko", "collector"))
    ))  # fmt: skip
    put("packages", *(
        {"id": i, "code": code, "name": code, "type": "regular", "product_id": 1,
         "valid_from": date(2025, 1, 1), "expires_on": date(2027, 12, 31),
         "min_down_payment_pct": 10, "admin_fee": 0, "insurance_admin_fee": 0,
         "fiduciary_fee": 0, "provision_rate": 0, "rounding_unit": 1000, "in_advance": addm,
         "rates": [], "insurance": [], "active": True, "created_at": created}
        for i, code, addm in ((1, "MC-2026", False), (2, "MC-ADDM-2026", True))
    ))  # fmt: skip
    for cid, c in PORTFOLIO.items():
        put("contracts", {
            "id": cid, "number": f"JKT01/2026/MC/{cid:05d}", "branch_id": 1, "product_id": 1,
            "dealer_id": 1, "submitted_by_id": 1, "state": c["state"], "version": 12,
            "form_category": "individual", "applicant_name": f"Debtor {cid}",
            "applicant_nik": f"31710117088000{cid:02d}", "applicant_birth_date": date(1980, 8, 17),
            "otr_price": c["otr"], "down_payment": c["dp"], "tenor_months": 6,
            "application": {"applicant": {"type": "individual", "full_name": f"Debtor {cid}"}},
            "created_at": created, "updated_at": created,
        })  # fmt: skip
        schedule = [
            {"number": n, "due_month": n - 1 if c["addm"] else n, "amount": p + i,
             "principal": p, "interest": i}
            for n, (p, i) in enumerate(ADDM6 if c["addm"] else S6, start=1)
        ]  # fmt: skip
        result = {"amount_financed": c["financed"], "installment": 1_000_000,
                  "tenor_months": 6, "in_advance": c["addm"], "schedule": schedule,
                  "package_code": "MC-ADDM-2026" if c["addm"] else "MC-2026"}  # fmt: skip
        simulation = {"contract_id": cid, "package_id": 2 if c["addm"] else 1, "package": {},
                      "terms": {"tenor_months": 6}, "result": result, "current": True,
                      "chosen_by_id": 1, "chosen_at": created}  # fmt: skip
        if cid == D:  # first quoted in arrears, then re-simulated ADDM: only the current counts
            put("simulations", {**simulation, "package_id": 1, "current": False,
                                "result": {**result, "in_advance": False}})  # fmt: skip
        put("simulations", simulation)
        disbursed = c["disbursed_on"]
        to_dealer = c["otr"] - c["dp"]
        put("purchase_orders", {
            "number": f"PO-{cid:05d}", "contract_id": cid, "dealer_id": 1, "vehicle": {},
            "otr_price": c["otr"], "down_payment": c["dp"], "amount_to_dealer": to_dealer,
            "issued_on": disbursed or date(2026, 11, 15),
            "valid_until": (disbursed or date(2026, 11, 15)) + timedelta(days=30),
            "status": "fulfilled" if disbursed else "open",
            # The old code never set them before delivery and disbursement: SQL NULL.
            "delivery": {"delivered_on": disbursed.isoformat()} if disbursed else sa.null(),
            "disbursement": {"amount": to_dealer, "reference": f"TRF-{cid}",
                             "disbursed_on": disbursed.isoformat()} if disbursed else sa.null(),
        })  # fmt: skip
        if disbursed:
            put("collaterals", {"contract_id": cid, "bpkb_status": "awaited",
                                "fiduciary_deadline": disbursed + timedelta(days=30)})  # fmt: skip
    for rid, (
        cid,
        effective,
        first_due,
        count,
        outstanding,
        capitalised,
        amount,
    ) in RESTRUCTURINGS.items():
        put("restructurings", {
            "id": rid, "contract_id": cid, "kind": "tenor_extension",
            "terms": {"installments": count}, "reason": "Income fell", "status": "approved",
            "requested_by_id": 3, "requested_at": at(effective - timedelta(days=3)),
            "decided_by_id": 2, "decided_at": at(effective), "decision_reason": "ok",
            "effective_on": effective, "annual_rate": "0.18",
            "outstanding_principal": outstanding, "capitalised_interest": capitalised,
            "installment": amount, "installments": count, "first_due_on": first_due,
            "old_schedule": [],
        })  # fmt: skip
    put("restructurings", {
        "id": 4, "contract_id": B, "kind": "payment_holiday", "terms": {"holiday_months": 2},
        "reason": "Asked for a holiday", "status": "rejected", "requested_by_id": 3,
        "requested_at": at(date(2026, 10, 1)), "decided_by_id": 2,
        "decided_at": at(date(2026, 10, 2)), "decision_reason": "no",
    })  # fmt: skip
    for cid, c in PORTFOLIO.items():
        put("installments", *(
            {"id": cid * 100 + n, "contract_id": cid, "number": n, "due_date": due,
             "amount": p + i, "principal": p, "interest": i, "superseded_by_id": by}
            for n, due, p, i, by in c["rows"]
        ))  # fmt: skip
        put("payments", *(
            {"id": pid, "contract_id": cid, "amount": amount, "paid_on": paid_on,
             "channel": "bank_transfer", "reference": f"PAY-{pid}", "received_by_id": 1,
             "received_at": at(paid_on), "recovery": recovery,
             "reversed_at": at(paid_on + timedelta(days=2)) if reversed_ else None,
             "reversal_reason": "bounced" if reversed_ else None}
            for pid, paid_on, amount, reversed_, recovery in c["payments"]
        ))  # fmt: skip
    put("installment_payments", *(
        {"installment_id": cid * 100 + n, "contract_id": cid, "late_charge": late,
         "interest": interest, "principal": principal, "settled_on": settled}
        for (cid, n), (late, interest, principal, settled) in OLD_SUMMARY.items()
    ))  # fmt: skip
    put("write_offs", {"contract_id": E, "business_date": date(2026, 5, 30),
                       "amount": 4_560_000})  # fmt: skip


# Days closed under the old design (a row a contract a day), with a gap: 31 October, then
# 18 to 20 November. The rows' figures are placeholders: the spans are derived from the ledger.
OLD_CLOSES = (date(2026, 10, 31), date(2026, 11, 18), date(2026, 11, 19), ON)


def insert_old_closes(connection: Any) -> None:
    for day in OLD_CLOSES:
        connection.execute(
            sa.text(
                "INSERT INTO close_of_business (business_date, contracts, written_off, "
                "listed_overdue_60, ran_at) VALUES (:day, 2, 0, 0, :at)"
            ),
            {"day": day, "at": at(day)},
        )
        for cid in (B, C):
            connection.execute(
                sa.text(
                    "INSERT INTO collection_positions (business_date, contract_id, "
                    "days_past_due, bucket, kol, outstanding_principal) "
                    "VALUES (:day, :cid, 0, 'current', 1, 1000000)"
                ),
                {"day": day, "cid": cid},
            )


# --- the database ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def empty_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own: a new SQLite file, or a new database on the PostgreSQL server
    the suite runs against (created here, dropped afterwards)."""
    server = os.environ.get("KREDO_TEST_DATABASE_URL", "")
    if not server.startswith("postgresql"):
        yield f"sqlite:///{tmp_path_factory.mktemp('carry-forward')}/old_portfolio.db"
        return
    name = f"kredo_carry_forward_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def migrated(empty_url: str) -> Iterator[Database]:
    """The old portfolio at the revision before the ledger, upgraded to head."""
    config = alembic_config(empty_url)
    before = ScriptDirectory.from_config(config).get_revision(LEDGER_REVISION).down_revision
    assert isinstance(before, str)
    command.upgrade(config, before)
    engine = make_engine(empty_url)
    with engine.begin() as connection:
        insert_old_portfolio(connection)
        insert_old_closes(connection)
    engine.dispose()
    command.upgrade(config, "head")
    db = Database(empty_url)
    yield db
    db.dispose()


def contract(session: Any, cid: int) -> Contract:
    found = session.get(Contract, cid)
    assert found is not None
    return found


# --- schema ---------------------------------------------------------------------------------


def test_the_upgraded_schema_is_the_models_and_the_old_summary_is_gone(migrated: Database):
    with migrated.engine.connect() as connection:
        assert "installment_payments" not in sa.inspect(connection).get_table_names()
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


# --- accounts and entries ------------------------------------------------------------------


def test_each_disbursed_contract_has_its_account(migrated: Database):
    with migrated.sessions() as session:
        accounts = {a.contract_id: a for a in session.query(LoanAccount)}
    assert set(accounts) == {A, B, C, D, E, F, G, J}  # not H, never disbursed
    for cid, account in accounts.items():
        assert account.disbursed_on == PORTFOLIO[cid]["disbursed_on"]
        assert account.addm is (cid == D)
        assert account.late_charge_rate == Decimal("0.001")
        assert account.late_charge_cap == Decimal("0.5")
        assert account.arrears_tolerance == 10_000
        assert account.allocation_order == "installment_first"
        assert account.settlement_fee_rate == 0
    # Off the book: A and J from their pay-off day, E from the day after its write-off.
    assert {cid: a.off_book_from for cid, a in accounts.items() if a.off_book_from} == {
        A: date(2026, 11, 10),
        E: date(2026, 5, 31),
        J: date(2026, 7, 15),
    }


def test_ledger_entries_carry_the_disbursement_and_every_old_payment(migrated: Database):
    with migrated.sessions() as session:
        entries = list(session.query(LedgerEntry).order_by(LedgerEntry.id))
    by_id = {e.id: e for e in entries}
    for cid, c in PORTFOLIO.items():
        mine = [e for e in entries if e.contract_id == cid]
        if c["disbursed_on"] is None:
            assert mine == []
            continue
        disbursements = [e for e in mine if e.kind == "disbursement"]
        # The amount financed (what the schedule's principal adds up to), as a disbursement
        # made today records it; for C more than the Rp 5,200,000 the dealer was paid.
        assert [(e.value_date, e.amount, e.reference) for e in disbursements] == [
            (c["disbursed_on"], 5_400_000, f"TRF-{cid}")
        ]
        signing = [(e.value_date, e.amount) for e in mine if e.kind == "paid_at_signing"]
        assert signing == ([(date(2026, 8, 20), 1_000_000)] if cid == D else [])
        paid = [e for e in mine if e.payment_id is not None]
        assert [(e.payment_id, e.kind, e.value_date, e.amount, e.reference) for e in paid] == [
            (pid, "recovery" if recovery else "payment", day, amount, f"PAY-{pid}")
            for pid, day, amount, _, recovery in c["payments"]
        ]
        reversals = [
            (by_id[e.reverses_id or 0].payment_id, e.value_date, e.amount)
            for e in mine
            if e.kind == "reversal"
        ]
        assert reversals == [
            (pid, day, amount) for pid, day, amount, reversed_, _ in c["payments"] if reversed_
        ]
        write_offs = [(e.value_date, e.amount) for e in mine if e.kind == "write_off"]
        assert write_offs == ([(date(2026, 5, 30), 4_560_000)] if cid == E else [])
        # J's last payment covered the settlement amount: the interest of 4-6 not yet
        # accrued (90,000 + 65,000 + 40,000) is not charged, as for a settlement today.
        early = [(e.value_date, e.amount) for e in mine if e.kind == "early_settlement"]
        assert early == ([(date(2026, 7, 15), 195_000)] if cid == J else [])
        assert len(mine) == (
            1 + len(signing) + len(paid) + len(reversals) + len(write_offs) + len(early)
        )


# --- allocations ----------------------------------------------------------------------------

# (payment id, "signing" or None for credit applied on a due date; installment number or None;
# component; value date; amount), worked through the rules by hand:
# - money paid before anything is due is credit, applied on the next due date;
# - installment_first: interest and principal of every due installment, then late charges;
# - a payment that covers principal outstanding + interest accrued + late charge settles.
INT, PRI, LATE, CR, IW = "interest", "principal", "late_charge", "credit", "interest_waived"
EXPECTED_ALLOCATIONS: dict[int, list[tuple[Any, int | None, str, date, int]]] = {
    A: [
        (11, None, CR, date(2026, 6, 8), 1_000_000),
        (None, 1, INT, date(2026, 6, 10), 160_000),
        (None, 1, PRI, date(2026, 6, 10), 840_000),
        (12, 2, INT, date(2026, 7, 10), 135_000),
        (12, 2, PRI, date(2026, 7, 10), 865_000),
        (13, 3, INT, date(2026, 8, 10), 110_000),
        (13, 3, PRI, date(2026, 8, 10), 890_000),
        (14, None, CR, date(2026, 9, 9), 1_000_000),
        (None, 4, INT, date(2026, 9, 10), 90_000),
        (None, 4, PRI, date(2026, 9, 10), 910_000),
        (15, 5, INT, date(2026, 10, 10), 65_000),
        (15, 5, PRI, date(2026, 10, 10), 935_000),
        # 960,000 principal + 40,000 interest is the whole settlement amount: paid off.
        (16, 6, INT, date(2026, 11, 10), 40_000),
        (16, 6, PRI, date(2026, 11, 10), 960_000),
    ],
    B: [
        (21, 1, INT, date(2026, 7, 10), 160_000),
        (21, 1, PRI, date(2026, 7, 10), 840_000),
        # 15 days x 1,000,000 x 0.1 % = 15,000 late charge, after the installment itself.
        (22, 2, INT, date(2026, 8, 25), 135_000),
        (22, 2, PRI, date(2026, 8, 25), 865_000),
        (22, 2, LATE, date(2026, 8, 25), 15_000),
        (23, 3, INT, date(2026, 9, 20), 110_000),
        (23, 3, PRI, date(2026, 9, 20), 490_000),
        # 24 bounced: nothing.
    ],
    C: [
        (31, 1, INT, date(2026, 8, 5), 160_000),
        (31, 1, PRI, date(2026, 8, 5), 840_000),
        (31, None, CR, date(2026, 8, 5), 1_500_000),
        (None, 2, INT, date(2026, 9, 5), 135_000),
        (None, 2, PRI, date(2026, 9, 5), 865_000),
        (None, 3, INT, date(2026, 10, 5), 110_000),
        (None, 3, PRI, date(2026, 10, 5), 390_000),  # the credit's last 500,000
        (32, 3, PRI, date(2026, 10, 5), 500_000),
        (33, None, CR, date(2026, 11, 4), 1_300_000),
        (None, 4, INT, date(2026, 11, 5), 90_000),
        (None, 4, PRI, date(2026, 11, 5), 910_000),
        (None, 5, INT, date(2026, 12, 5), 65_000),  # the 300,000 left, on the fifth's due date
        (None, 5, PRI, date(2026, 12, 5), 235_000),
    ],
    D: [
        ("signing", 1, PRI, date(2026, 8, 20), 1_000_000),
        (41, None, CR, date(2026, 9, 19), 1_000_000),
        (None, 2, INT, date(2026, 9, 20), 170_000),
        (None, 2, PRI, date(2026, 9, 20), 830_000),
        (42, 3, INT, date(2026, 10, 20), 140_000),
        (42, 3, PRI, date(2026, 10, 20), 860_000),
        (43, 4, INT, date(2026, 11, 20), 120_000),
        (43, 4, PRI, date(2026, 11, 20), 880_000),
    ],
    J: [
        (91, 1, INT, date(2026, 5, 15), 160_000),
        (91, 1, PRI, date(2026, 5, 15), 840_000),
        (92, 2, INT, date(2026, 6, 15), 135_000),
        (92, 2, PRI, date(2026, 6, 15), 865_000),
        # Settlement amount on 15 July: principal 890 + 910 + 935 + 960 thousand, interest
        # accrued 110,000 (3's; 4's period starts that day) = 3,805,000: settled, the
        # unearned interest of 4-6 waived, the 195,000 paid beyond it kept as credit.
        (93, 3, INT, date(2026, 7, 15), 110_000),
        *((93, n, PRI, date(2026, 7, 15), p) for n, (p, _) in enumerate(S6[2:], start=3)),
        *((93, n, IW, date(2026, 7, 15), i) for n, (_, i) in enumerate(S6[3:], start=4)),
        (93, None, CR, date(2026, 7, 15), 195_000),
    ],
    E: [
        (51, 1, INT, date(2025, 11, 1), 160_000),
        (51, 1, PRI, date(2025, 11, 1), 840_000),
        # 52 is a recovery: outside the schedule.
    ],
    F: [
        (61, 1, INT, date(2026, 3, 1), 160_000),
        (61, 1, PRI, date(2026, 3, 1), 840_000),
        *(
            item
            for k, due in enumerate(monthly(date(2026, 6, 1), 6))
            for item in ((62 + k, 7 + k, INT, due, R8[k][1]), (62 + k, 7 + k, PRI, due, R8[k][0]))
        ),
    ],
    G: [
        (71, 1, INT, date(2026, 2, 10), 160_000),
        (71, 1, PRI, date(2026, 2, 10), 840_000),
        (72, 7, INT, date(2026, 5, 10), 72_000),
        (72, 7, PRI, date(2026, 5, 10), 570_000),
        *(
            item
            for k, due in enumerate(monthly(date(2026, 9, 10), 3))
            for item in (
                (73 + k, 15 + k, INT, due, R8B[k][1]),
                (73 + k, 15 + k, PRI, due, R8B[k][0]),
            )
        ),
    ],
}


def test_allocations_per_installment_and_component(migrated: Database):
    with migrated.sessions() as session:
        entries = {e.id: e for e in session.query(LedgerEntry)}
        numbers = {i.id: i.number for i in session.query(Installment)}
        allocations = list(session.query(Allocation).order_by(Allocation.id))
    for cid in PORTFOLIO:
        got = []
        for a in allocations:
            if a.contract_id != cid:
                continue
            entry = entries[a.entry_id] if a.entry_id is not None else None
            source = None if entry is None else entry.payment_id or "signing"
            number = numbers[a.installment_id] if a.installment_id is not None else None
            got.append((source, number, a.component, a.value_date, a.amount))
        assert sorted(got, key=repr) == sorted(EXPECTED_ALLOCATIONS.get(cid, []), key=repr), cid


def test_allocations_add_up_to_the_money(migrated: Database):
    with migrated.sessions() as session:
        entries = list(session.query(LedgerEntry))
        allocations = list(session.query(Allocation))
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
    for entry in entries:
        spent = sum(a.amount for a in allocations if a.entry_id == entry.id and a.component != IW)
        if entry.kind in ("payment", "paid_at_signing") and entry.id not in reversed_ids:
            assert spent == entry.amount, entry.payment_id
        else:  # disbursement, recovery, reversal, write-off, a bounced payment
            assert spent == 0, (entry.kind, entry.payment_id)
    for cid in PORTFOLIO:  # credit kept is credit applied later, or still held (C: 300,000)
        kept = sum(a.amount for a in allocations if a.contract_id == cid and a.component == CR)
        applied = sum(a.amount for a in allocations if a.contract_id == cid and a.entry_id is None)
        assert kept == applied + (195_000 if cid == J else 0), cid  # J's, after the pay-off


# --- installments ---------------------------------------------------------------------------

EXPECTED_SETTLED: dict[int, dict[int, date]] = {
    A: dict(zip(range(1, 7), monthly(date(2026, 6, 10), 6), strict=True)),
    B: {1: date(2026, 7, 10), 2: date(2026, 8, 25)},
    C: dict(zip(range(1, 5), monthly(date(2026, 8, 5), 4), strict=True)),
    D: dict(zip(range(1, 5), monthly(date(2026, 8, 20), 4), strict=True)),
    E: {1: date(2025, 11, 1)},
    J: {1: date(2026, 5, 15), 2: date(2026, 6, 15), **{n: date(2026, 7, 15) for n in range(3, 7)}},
    F: {1: date(2026, 3, 1), **dict(zip(range(7, 13), monthly(date(2026, 6, 1), 6), strict=True))},
    G: {1: date(2026, 2, 10), 7: date(2026, 5, 10),
        **dict(zip(range(15, 18), monthly(date(2026, 9, 10), 3), strict=True))},
}  # fmt: skip


def test_installments_settled_on(migrated: Database):
    with migrated.sessions() as session:
        rows = list(session.query(Installment))
    for cid in EXPECTED_SETTLED:
        got = {r.number: r.settled_on for r in rows if r.contract_id == cid and r.settled_on}
        assert got == EXPECTED_SETTLED[cid], cid


def test_interest_periods_and_days_in_force(migrated: Database):
    with migrated.sessions() as session:
        rows = {(r.contract_id, r.number): r for r in session.query(Installment)}

    def periods(cid: int) -> dict[int, tuple[date, date | None, date | None]]:
        return {n: (r.accrues_from, r.in_force_from, r.superseded_on)
                for (c, n), r in sorted(rows.items()) if c == cid}  # fmt: skip

    # Each installment accrues from the previous due date (the first from the disbursement).
    assert periods(B) == {
        n: (start, None, None)
        for n, start in zip(range(1, 7), monthly(date(2026, 6, 10), 6), strict=True)
    }
    # ADDM: the first installment is due at signing, its period empty.
    assert periods(D)[1] == (date(2026, 8, 20), None, None)
    assert periods(D)[2] == (date(2026, 8, 20), None, None)
    # F: 2-6 superseded on 15 May; 7-14 owed from then, the first accruing from that day
    # (its due date less a month is earlier), the others from the previous new due date.
    assert periods(F) == {
        1: (date(2026, 2, 1), None, None),
        **{n: (start, None, date(2026, 5, 15))
           for n, start in zip(range(2, 7), monthly(date(2026, 3, 1), 5), strict=True)},
        7: (date(2026, 5, 15), date(2026, 5, 15), None),
        **{n: (start, date(2026, 5, 15), None)
           for n, start in zip(range(8, 15), monthly(date(2026, 6, 1), 7), strict=True)},
    }  # fmt: skip
    # G: the first restructuring's installments owed from 20 April (8-14 until 5 August),
    # the second's from 5 August; 15 accrues from 10 August (its due date less a month).
    assert periods(G) == {
        1: (date(2026, 1, 10), None, None),
        **{n: (start, None, date(2026, 4, 20))
           for n, start in zip(range(2, 7), monthly(date(2026, 2, 10), 5), strict=True)},
        7: (date(2026, 4, 20), date(2026, 4, 20), None),
        **{n: (start, date(2026, 4, 20), date(2026, 8, 5))
           for n, start in zip(range(8, 15), monthly(date(2026, 5, 10), 7), strict=True)},
        15: (date(2026, 8, 10), date(2026, 8, 5), None),
        **{n: (start, date(2026, 8, 5), None)
           for n, start in zip(range(16, 23), monthly(date(2026, 9, 10), 7), strict=True)},
    }  # fmt: skip


# --- balances -------------------------------------------------------------------------------

# At the end of 20 November 2026: (principal outstanding, days past due, arrears, late charge
# owed, credit, paid off on).
EXPECTED_BALANCES: dict[int, tuple[int, int, int, int, int, date | None]] = {
    # Paid off on 10 November.
    A: (0, 0, 0, 0, 0, date(2026, 11, 10)),
    # Principal: 3: 890,000 - 490,000 = 400,000; 4-6: 910,000 + 935,000 + 960,000.
    # Arrears 400,000 (3, due 10 Sep) + 1,000,000 (4) + 1,000,000 (5); 71 days from 10 Sep.
    # Late charge, 0.1 % a day of the unpaid: 3: 1,000,000 x 10 days (10-20 Sep) + 400,000 x
    # 61 days (20 Sep - 20 Nov) = 10,000 + 24,400; 4: 1,000,000 x 41 days; 5: x 10 days.
    B: (3_205_000, 71, 2_400_000, 85_400, 0, None),
    # 5: 935,000 + 6: 960,000 owed; 300,000 credit waiting for 5 December.
    C: (1_895_000, 0, 0, 0, 300_000, None),
    # 5: 900,000 + 6: 930,000.
    D: (1_830_000, 0, 0, 0, 0, None),
    # Settled early on 15 July; its 195,000 credit is the customer's (refundable).
    J: (0, 0, 0, 0, 195_000, date(2026, 7, 15)),
    # 2-6 unpaid: 5,400,000 - 840,000; 354 days from 1 Dec 2025 (the recovery is off
    # the schedule). Late charge 0.1 % a day of each 1,000,000 since its due date:
    # 354 + 323 + 292 + 264 + 233 days = 1,466,000.
    E: (4_560_000, 354, 5_000_000, 1_466_000, 0, None),
    # 13: 623,000 + 14: 628,000. The late charge of the superseded 2 and 3 stays owed:
    # 2: 1,000,000 x 44 days (1 Apr - 15 May) = 44,000; 3: x 14 days (1-15 May) = 14,000.
    F: (1_251_000, 0, 0, 58_000, 0, None),
    # 4,352,000 - (515,000 + 523,000 + 531,000). Late charge of the superseded: 2: 1,000,000
    # x 41 days (10 Mar - 20 Apr) = 41,000; 3: x 10 days = 10,000; 8: 642,000 x 56 days
    # (10 Jun - 5 Aug) = 35,952; 9: 642,000 x 26 days (10 Jul - 5 Aug) = 16,692.
    G: (2_783_000, 0, 0, 103_644, 0, None),
}


def test_balances_as_of_a_day(migrated: Database):
    with migrated.sessions() as session:
        for cid, (principal, dpd, arrears, late, credit, paid_off) in EXPECTED_BALANCES.items():
            balance = balance_of(session, contract(session, cid), ON)
            got = (balance.outstanding_principal, balance.days_past_due, balance.arrears,
                   balance.late_charge_owed, balance.credit, balance.paid_off_on)  # fmt: skip
            assert got == (principal, dpd, arrears, late, credit, paid_off), cid


def test_balances_before_and_between_restructurings(migrated: Database):
    with migrated.sessions() as session:
        g = contract(session, G)
        # 15 April: the original schedule only; 2-6 owed (865+890+910+935+960 thousand),
        # 2 (due 10 March) unpaid for 36 days.
        before = balance_of(session, g, date(2026, 4, 15))
        assert (before.outstanding_principal, before.days_past_due) == (4_560_000, 36)
        # 15 July: the first restructuring's 7-14, 7 paid: 4,805,000 - 570,000; 8 (due
        # 10 June) unpaid for 35 days.
        between = balance_of(session, g, date(2026, 7, 15))
        assert (between.outstanding_principal, between.days_past_due) == (4_235_000, 35)
        # F on 20 June: 4,805,000 - 570,000 principal; installment 8 (63,000 interest,
        # 1 June - 1 July) has run 19 of 30 days: 39,900; the late charge of 2 and 3, 58,000.
        f = balance_of(session, contract(session, F), date(2026, 6, 20))
        assert (f.outstanding_principal, f.accrued_interest, f.late_charge_owed) == (
            4_235_000,
            39_900,
            58_000,
        )
        assert f.settlement_quote == 4_235_000 + 39_900 + 58_000


def test_the_close_of_business_sees_the_same_book(migrated: Database):
    """The set-based positions read the stored allocations and settlement days: the same
    figures, and only the contracts still on the book (not A or J, paid off, nor E, written
    off, which would otherwise be written off a second time)."""
    with migrated.sessions() as session:
        rows = session.execute(recomputed(session, ON)).all()
    got = {row[0]: (row[5], row[2]) for row in rows}
    assert got == {
        B: (3_205_000, 71),
        C: (1_895_000, 0),
        D: (1_830_000, 0),
        F: (1_251_000, 0),
        G: (2_783_000, 0),
    }


def test_the_history_of_positions_is_derived_again_from_the_ledger(migrated: Database):
    """The spans migration (4d9b7e31a2c6): every day closed before it has, from the spans,
    the positions the ledger gives (the day after the gap looked at everyone), and of the
    daily rows only the month-end stays, with its debtor filled in."""
    from app.collection.models import Position
    from app.collection.positions import policy, positions_on

    with migrated.sessions() as session:
        for day in OLD_CLOSES:
            stored = sorted(session.execute(positions_on(session, day, policy())).all())
            assert stored == sorted(session.execute(recomputed(session, day)).all()), day
        kept = session.execute(
            sa.select(Position.business_date, Position.contract_id, Position.bucket_before)
        ).all()
    assert sorted(kept) == [(date(2026, 10, 31), B, None), (date(2026, 10, 31), C, None)]
