"""A demo portfolio with a year behind it (``kredo seed-demo --with-history``): applications
arriving day after day at a Jakarta dealer, each carried through the pipeline by the demo
staff on its own days (survey, pre-screening, SLIK and fatal scores, simulation, audit,
approval with its Purchase Order, delivery, disbursement) or stopped on the way (rejected,
cancelled, a Purchase Order left to lapse, or simply not yet further along), and the disbursed
ones paid as people pay: most on time, some late, some catching up after missed months, a few
settling early, a few falling into deep arrears until the close of business writes them off.
Every business day is closed, so month-ends exist and the portfolio report and the work list
have something to show.

Nothing is written around the services: each step is the service function a request would
call, run on its day with the clock pinned to that day (``pinned_clock``), so numbers, events,
Purchase Orders and late charges carry the dates they would have had. The dates are counted
back from today in Jakarta. The script of who applies when and what becomes of him is fixed
(seeded by the applicant's index), so a second run finds its contracts by their applicants'
NIKs and only plays the days since the last one closed: nothing twice.
"""

import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.applications.schemas import EXAMPLE_FORM, ApplicationIn
from app.approval import service as approval
from app.audit import service as audit
from app.auth.service import Principal, authenticate
from app.collection.cob import close_business_day
from app.collection.models import CloseOfBusiness
from app.contracts.models import Contract
from app.contracts.service import transition
from app.contracts.states import Action, ContractState
from app.core.clock import JAKARTA, pinned_clock, today_jakarta
from app.core.database import Database
from app.core.errors import ProblemError
from app.demo import demo_key, demo_packages
from app.prescreening import service as prescreening
from app.prescreening.imports import negative_entry
from app.prescreening.schemas import NegativeEntryIn
from app.scoring import service as scoring
from app.scoring.schemas import SlikIn
from app.servicing import payments
from app.servicing.ledger import balance_of, schedule_of
from app.servicing.settlement import quote
from app.simulation.models import Package
from app.simulation.schemas import PackageIn
from app.simulation.service import create_package
from app.survey import service as survey
from app.survey.models import SurveyOrder
from app.survey.schemas import SurveyResultIn

HISTORY_DAYS = 365
APPLICATIONS_PER_DAY = 0.85  # about 310 in the year
LATE_STALLS_FROM = HISTORY_DAYS - 70  # applications of the last weeks may rest at any stage
DEALER = "D-JKT-001"

MALE = (
    "Agus Budi Dedi Eko Hendra Joko Rudi Slamet Wahyu Yudi Andi Bayu Fajar Rizky Taufik Iwan "
    "Dani Arif Heru Ujang"
).split()
FEMALE = (
    "Siti Dewi Sri Rina Yuni Nur Ani Wati Lestari Fitri Ratna Indah Maya Putri Ayu Rini Tuti "
    "Yanti Eka Dian"
).split()
FAMILY = (
    "Santoso Wijaya Saputra Hidayat Setiawan Kurniawan Pratama Nugroho Lestari Susanti "
    "Hartono Gunawan Rahmawati Siregar Simanjuntak Nasution Sinaga Harahap Wibowo Purnomo"
).split()
MOTHERS = "Aminah Khadijah Fatimah Sumiati Suharti Maryam Juariah Sukaesih Rohani Masitoh".split()
PLACES = (
    "Jakarta Bogor Bekasi Tangerang Bandung Semarang Surabaya Medan Padang Palembang Solo Cirebon"
).split()
# Kelurahan, kecamatan and postal code in Jakarta Pusat (the dealer's and surveyors' area).
ADDRESSES = [("Kenari", "Senen", "10430"), ("Gambir", "Gambir", "10110"),
             ("Cideng", "Gambir", "10150"), ("Menteng", "Menteng", "10310"),
             ("Kebon Kacang", "Tanah Abang", "10240"), ("Sumur Batu", "Kemayoran", "10640"),
             ("Cempaka Putih Timur", "Cempaka Putih", "10510"),
             ("Johar Baru", "Johar Baru", "10560")]  # fmt: skip
STREETS = ["Jl. Kramat Raya", "Jl. Salemba Tengah", "Jl. Cikini Raya", "Jl. Percetakan Negara",
           "Jl. Kebon Sirih", "Jl. Tanah Abang II", "Jl. Garuda", "Gg. Mawar"]  # fmt: skip
OCCUPATIONS = ["employee", "employee", "employee", "entrepreneur", "civil_servant",
               "professional", "driver"]  # fmt: skip
MOTORCYCLES = [("Honda", "BeAT", 18_900_000), ("Honda", "Vario 160", 28_500_000),
               ("Yamaha", "NMAX 155", 32_000_000), ("Honda", "Scoopy", 22_800_000),
               ("Yamaha", "Aerox 155", 29_500_000), ("Honda", "PCX 160", 33_500_000)]  # fmt: skip
CARS = [("Toyota", "Avanza 1.5 G", 275_000_000), ("Daihatsu", "Xenia 1.3 R", 245_000_000),
        ("Honda", "Brio Satya", 185_000_000)]  # fmt: skip
COLOURS = ["Hitam", "Putih", "Merah", "Abu-abu", "Biru"]

# What becomes of an application, and how a borrower pays: shares of a hundred.
FATES = [("disbursed", 76), ("cancelled", 6), ("rejected_survey", 4), ("rejected_scoring", 4),
         ("blacklisted", 2), ("rejected_approval", 3), ("expired", 5)]  # fmt: skip
HABITS = [("punctual", 55), ("late", 18), ("catching_up", 10), ("deep_arrears", 11),
          ("early_settlement", 6)]  # fmt: skip
STAGES = ["submit", "assign_survey", "survey", "prescreen", "score", "simulate",
          "request_approval", "approve", "deliver", "disburse"]  # fmt: skip


def _pick(rng: random.Random, shares: list[tuple[str, int]]) -> str:
    return rng.choices([name for name, _ in shares], weights=[w for _, w in shares])[0]


@dataclass(frozen=True)
class Applicant:
    index: int
    nik: str
    form: dict[str, Any]
    product: str
    package: str  # the package's code without its year
    tenor: int
    down_payment: int


def applicant(index: int) -> Applicant:
    """The ``index``-th applicant of the script: always the same person, vehicle and terms."""
    rng = random.Random(f"kredo-demo-applicant-{index}")
    female = rng.random() < 0.45
    born = date(rng.randint(1968, 1999), rng.randint(1, 12), rng.randint(1, 28))
    nik = f"317101{born.day + (40 if female else 0):02d}{born:%m%y}{7000 + index % 3000:04d}"
    name = f"{rng.choice(FEMALE if female else MALE)} {rng.choice(FAMILY)}"
    kelurahan, kecamatan, postal_code = rng.choice(ADDRESSES)
    car = rng.random() < 0.12
    brand, model, otr = rng.choice(CARS if car else MOTORCYCLES)
    in_advance = not car and rng.random() < 0.2
    tenor = rng.choice([12, 36, 60] if car else ([11, 23, 35] if in_advance else [12, 24, 36]))
    share = rng.choice([25, 30, 35]) if car else rng.choice([20, 25, 30])
    down_payment = -(-otr * share // 100 // 100_000) * 100_000  # rounded up: the minimum holds
    installment = (otr - down_payment) * (100 + 20 * tenor // 12) // 100 // tenor
    # Enough income for the installment at the scorecard's reference rate (35 % at most),
    # but not for those the scorecard is to turn down.
    times = 2 if plan(index).fate == "rejected_scoring" else rng.choice([4, 5, 6])
    income = max(installment * times // 100_000 * 100_000, 2_000_000)
    form = {
        **EXAMPLE_FORM,
        "applicant": {
            **EXAMPLE_FORM["applicant"],
            "nik": nik,
            "full_name": name,
            "birth_place": rng.choice(PLACES),
            "birth_date": born.isoformat(),
            "sex": "female" if female else "male",
            "mother_maiden_name": rng.choice(MOTHERS),
            "marital_status": "single",
            "spouse": None,
            "dependants": rng.randint(0, 3),
            "address": {
                **EXAMPLE_FORM["applicant"]["address"],
                "street": f"{rng.choice(STREETS)} No. {rng.randint(1, 120)}",
                "rt": f"{rng.randint(1, 15):03d}",
                "rw": f"{rng.randint(1, 9):03d}",
                "kelurahan": kelurahan,
                "kecamatan": kecamatan,
                "postal_code": postal_code,
            },
            "residence_status": rng.choice(["owned", "owned", "family", "rented"]),
            "years_at_address": rng.randint(1, 20),
            "phones": [{"kind": "mobile", "number": f"0812{index:04d}{rng.randint(0, 9999):04d}"}],
            "employment": {
                "occupation": rng.choice(OCCUPATIONS),
                "employer": rng.choice(["PT Telkom Indonesia", "PT Astra International",
                                        "Toko Sumber Rezeki", "RSUD Tarakan", "PT Pos Indonesia"]),
                "months_employed": rng.randint(12, 180),
                "monthly_income": income,
                "monthly_expenses": income // 3,
            },
        },
        "vehicle": {
            **EXAMPLE_FORM["vehicle"],
            "brand": brand,
            "model": model,
            "colour": rng.choice(COLOURS),
            "otr_price": otr,
        },
        "down_payment": down_payment,
        "tenor_months": tenor,
    }  # fmt: skip
    package = "CAR-REG" if car else ("MC-ADDM" if in_advance else "MC-REG")
    return Applicant(index, nik, form, "CAR" if car else "MC", package, tenor, down_payment)


@dataclass
class Plan:
    """One application's days: (day, step) in order, steps named as the service calls."""

    index: int
    fate: str
    steps: list[tuple[int, str]] = field(default_factory=list)


def submission_day(index: int) -> int:
    return int(index / APPLICATIONS_PER_DAY)


def plan(index: int) -> Plan:
    """What happens to the ``index``-th application, day by day from its submission."""
    rng = random.Random(f"kredo-demo-plan-{index}")
    day = submission_day(index)
    fate = _pick(rng, FATES)
    steps = [(day, "submit"), (day, "assign_survey")]
    day += rng.randint(1, 3)
    steps.append((day, "survey"))
    if fate == "rejected_survey":
        return Plan(index, fate, [*steps, (day + 1, "reject_survey")])
    if fate == "blacklisted":
        steps.insert(0, (submission_day(index), "blacklist"))
    day += rng.randint(0, 1)
    steps.append((day, "prescreen"))
    if fate == "blacklisted":  # the pre-screening finds him on the negative list
        return Plan(index, fate, steps)
    steps.append((day, "score"))
    if fate == "rejected_scoring":
        return Plan(index, fate, steps)
    day += rng.randint(0, 2)
    steps.append((day, "simulate"))
    if rng.random() < 0.15:
        steps.append((day, "audit_finding"))
        steps.append((day + rng.randint(1, 2), "audit_resolution"))
        day += 2
    day += rng.randint(0, 1)
    steps.append((day, "request_approval"))
    day += rng.randint(1, 2)
    if fate == "rejected_approval":
        return Plan(index, fate, [*steps, (day, "reject_approval")])
    if rng.random() < 0.1:  # returned for a larger down payment, then approved
        steps += [(day, "return"), (day + 1, "simulate_again"), (day + 1, "request_approval")]
        day += rng.randint(2, 3)
    steps.append((day, "approve"))
    if fate == "expired":
        return Plan(index, fate, steps)  # never delivered: the close of business expires the PO
    day += rng.randint(1, 10)
    steps.append((day, "deliver"))
    day += rng.randint(0, 2)
    steps.append((day, "disburse"))
    if fate == "cancelled":  # the customer withdraws at some point before disbursement
        keep = rng.randint(1, len(steps) - 2)
        stopped = steps[keep - 1][0] + rng.randint(0, 2)
        return Plan(index, fate, [*steps[:keep], (stopped, "cancel")])
    if submission_day(index) >= LATE_STALLS_FROM and rng.random() < 0.4:
        # Still waiting (documents, a decision, the vehicle): resting after some step.
        return Plan(index, "waiting", steps[: rng.randint(1, len(steps) - 1)])
    return Plan(index, fate, steps)


@dataclass
class Story:
    """What the run did, for the operator."""

    contracts: int = 0
    payments: int = 0
    days_closed: int = 0
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0


class History:
    """Plays the script from ``first`` (the first business day of the history) up to today."""

    def __init__(self, session: Session, first: date) -> None:
        self.session = session
        self.first = first
        self.staff = {
            name: self._principal(name)
            for name in ("dealer.sinar", "sales.budi", "ca.rina", "cs.dewi", "auditor.yuni",
                         "approver.hendra", "approver.lina", "approver.rudy", "finance.tono",
                         "surveyor.agus", "surveyor.gilang", "admin.sari")
        }  # fmt: skip
        self.by_id = {p.user_id: p for p in self.staff.values()}
        self.contracts: dict[int, int] = {}  # applicant index -> contract id
        # Day -> (applicant index, what he pays: due, settle or recovery; the amount if known).
        self.payments: dict[date, list[tuple[int, str, int | None]]] = defaultdict(list)
        self.story = Story()

    def _principal(self, username: str) -> Principal:
        found = authenticate(self.session, demo_key(username))
        if found is None:
            raise LookupError(username)  # seed_demo runs first
        return found[0]

    def day(self, offset: int) -> date:
        return self.first + timedelta(days=offset)

    # --- the pipeline --------------------------------------------------------------------

    def contract(self, index: int) -> Contract | None:
        number = self.contracts.get(index)
        return self.session.get(Contract, number) if number is not None else None

    def step(self, index: int, name: str, on: date) -> None:
        """One step of one application, as its service does it; a step the contract is no
        longer in a state for (a rerun, an earlier refusal) is left out and noted."""
        person = applicant(index)
        contract = self.contract(index)
        if contract is None and name not in ("submit", "blacklist"):
            return
        try:
            with self.session.begin_nested():
                getattr(self, f"_{name}")(person, contract, on)
        except ProblemError as exc:
            self.story.skipped.append(f"{person.nik} {name}: {exc.detail}")

    def _blacklist(self, person: Applicant, _contract: Contract | None, on: date) -> None:
        applicant_form = person.form["applicant"]
        entry = NegativeEntryIn.model_validate({
            "subject": "person", "category": "fraud", "full_name": applicant_form["full_name"],
            "nik": person.nik, "birth_date": applicant_form["birth_date"],
            "reason": "KTP dan slip gaji palsu pada pengajuan di leasing lain",
        })  # fmt: skip
        by = self.staff["admin.sari"].user_id
        prescreening.add_negative_entry(self.session, negative_entry(entry, "manual", by))

    def _submit(self, person: Applicant, _contract: Contract | None, on: date) -> None:
        from app.applications.service import submit

        form = {**person.form, "dealer_code": DEALER, "product_code": person.product}
        form["vehicle"] = {**form["vehicle"], "year": on.year}
        by = self.staff["sales.budi" if person.index % 4 == 0 else "dealer.sinar"]
        contract = submit(self.session, by, ApplicationIn.model_validate(form))
        self.session.flush()
        self.contracts[person.index] = contract.id
        self.story.contracts += 1

    def _assign_survey(self, _person: Applicant, contract: Contract | None, on: date) -> None:
        assert contract is not None
        survey.assign(self.session, self.staff["ca.rina"], contract, None, None)

    def _survey(self, person: Applicant, contract: Contract | None, on: date) -> None:
        assert contract is not None
        order = self.session.scalars(
            select(SurveyOrder).where(
                SurveyOrder.contract_id == contract.id, SurveyOrder.status == survey.OPEN
            )
        ).one()
        documents = ("contract", "guarantee_statement", "receipt",
                     "different_signature_statement", "vehicle_checklist")  # fmt: skip
        result = SurveyResultIn.model_validate({
            "visit_date": on.isoformat(), "residence_verified": True, "income_verified": True,
            "remarks": "Rumah sesuai alamat, tetangga mengenal pemohon.",
            "documents": {name: {"collected": True} for name in documents},
        })  # fmt: skip
        survey.record_result(self.session, self.by_id[order.surveyor_id], order, result)

    def _reject_survey(self, _person: Applicant, contract: Contract | None, on: date) -> None:
        assert contract is not None
        reason = "fictitious_address: Alamat tidak ditemukan saat survei"
        analyst = self.staff["ca.rina"]
        transition(self.session, contract, Action.REJECT, analyst, reason=reason,
                   payload={"reason_code": "fictitious_address"})  # fmt: skip
        prescreening.note_rejection(self.session, contract, analyst, reason)

    def _prescreen(self, _person: Applicant, contract: Contract | None, on: date) -> None:
        assert contract is not None
        prescreening.prescreen(self.session, self.staff["ca.rina"], contract)

    def _score(self, person: Applicant, contract: Contract | None, on: date) -> None:
        assert contract is not None
        analyst = self.staff["ca.rina"]
        if person.product == "CAR":  # above the product's threshold: SLIK first
            financed = contract.otr_price - contract.down_payment
            slik = SlikIn(worst_kol=1, outstanding=financed // 10, facilities=1, checked_on=on)
            scoring.record_slik(self.session, analyst, contract, slik)
        scoring.decide(self.session, analyst, contract, None)

    def _simulate(self, person: Applicant, contract: Contract | None, on: date) -> None:
        assert contract is not None
        from app.simulation.service import choose

        self._ensure_packages(on.year)
        choose(self.session, self.staff["ca.rina"], contract, f"{person.package}-{on.year}",
               person.tenor, person.down_payment)  # fmt: skip

    def _simulate_again(self, person: Applicant, contract: Contract | None, on: date) -> None:
        assert contract is not None
        from app.simulation.service import choose

        self._ensure_packages(on.year)
        more = person.down_payment + contract.otr_price // 20 // 100_000 * 100_000
        choose(self.session, self.staff["ca.rina"], contract, f"{person.package}-{on.year}",
               person.tenor, more)  # fmt: skip

    def _audit_finding(self, _person: Applicant, contract: Contract | None, on: date) -> None:
        assert contract is not None
        remark = "Slip gaji perlu dicocokkan dengan rekening koran"
        auditor = self.staff["auditor.yuni"]
        audit.raise_finding(self.session, auditor, contract, "income", remark, "blocking")

    def _audit_resolution(self, _person: Applicant, contract: Contract | None, on: date) -> None:
        assert contract is not None
        for finding in audit.findings(self.session, contract):
            if finding.status == "open":
                audit.resolve(self.session, self.staff["auditor.yuni"], contract, finding.id,
                              "Rekening koran tiga bulan diterima dan sesuai")  # fmt: skip

    def _request_approval(self, _person: Applicant, contract: Contract | None, on: date) -> None:
        assert contract is not None
        approval.request_approval(self.session, self.staff["ca.rina"], contract, None)

    def _approver(self, contract: Contract) -> Principal:
        level = approval.pending_request(self.session, contract).required_level
        return self.staff[{1: "approver.hendra", 2: "approver.lina"}.get(level, "approver.rudy")]

    def _approve(self, _person: Applicant, contract: Contract | None, on: date) -> None:
        assert contract is not None
        approval.decide(self.session, self._approver(contract), contract, "approve", None)

    def _return(self, _person: Applicant, contract: Contract | None, on: date) -> None:
        assert contract is not None
        approval.decide(self.session, self._approver(contract), contract, "return",
                        "Uang muka dinaikkan 5% agar angsuran lebih ringan")  # fmt: skip

    def _reject_approval(self, _person: Applicant, contract: Contract | None, on: date) -> None:
        assert contract is not None
        approval.decide(self.session, self._approver(contract), contract, "reject",
                        "Kapasitas bayar tidak meyakinkan")  # fmt: skip

    def _cancel(self, _person: Applicant, contract: Contract | None, on: date) -> None:
        assert contract is not None
        transition(self.session, contract, Action.CANCEL, self.staff["cs.dewi"],
                   reason="Nasabah membeli tunai")  # fmt: skip

    def _deliver(self, person: Applicant, contract: Contract | None, on: date) -> None:
        assert contract is not None
        approval.deliver(self.session, self.staff["dealer.sinar"], contract, {
            "delivered_on": on,
            "chassis_number": f"MHDEMO{person.index:08d}",
            "engine_number": f"ENDEMO{person.index:08d}",
            "invoice_number": f"INV/SMK/{person.index:05d}",
            "invoice_amount": contract.otr_price,
        })  # fmt: skip

    def _disburse(self, person: Applicant, contract: Contract | None, on: date) -> None:
        assert contract is not None
        order = approval.purchase_order_of(self.session, contract)
        approval.disburse(self.session, self.staff["finance.tono"], contract, {
            "amount": order.amount_to_dealer, "reference": f"TRF-DEMO-{person.index:05d}",
            "disbursed_on": on,
        })  # fmt: skip
        self.plan_payments(person.index, contract, after=on)

    def _ensure_packages(self, year: int) -> None:
        """The year's packages (the demo data has this year's; a history reaches last year)."""
        known = set(self.session.scalars(select(Package.code)))
        for package in demo_packages(year):
            if package["code"] not in known and str(package["valid_from"]).startswith(str(year)):
                create_package(self.session, PackageIn.model_validate(package))

    # --- paying ------------------------------------------------------------------------

    def plan_payments(self, index: int, contract: Contract, after: date) -> None:
        """The borrower's habit, laid over his schedule: the days he pays after ``after``."""
        rng = random.Random(f"kredo-demo-habit-{index}")
        habit = _pick(rng, HABITS)
        schedule = schedule_of(self.session, contract)
        dues = [row.due_date for row in schedule]
        days: list[tuple[date, str, int | None]] = []
        missed = rng.randint(1, max(1, len(dues) - 3))
        stop = rng.randint(1, 3)
        settle = rng.randint(3, 8)
        for number, due in enumerate(dues, start=1):
            # Paying ahead of the due date: the installment as the schedule has it.
            ahead = schedule[number - 1].amount
            if habit == "punctual":
                days.append((due - timedelta(days=rng.randint(0, 4)), "due", ahead))
            elif habit == "late":
                days.append((due + timedelta(days=rng.randint(3, 20)), "due", None))
            elif habit == "catching_up":
                if number not in (missed, missed + 1):
                    days.append((due + timedelta(days=rng.randint(0, 6)), "due", None))
            elif habit == "deep_arrears":
                if number <= stop:
                    days.append((due + timedelta(days=rng.randint(0, 10)), "due", None))
                elif number == stop + 1 and rng.random() < 0.4:
                    # Written off 180 days past due; some pay something back afterwards.
                    later = due + timedelta(days=180 + rng.randint(20, 60))
                    days.append((later, "recovery", None))
            elif number < settle:
                days.append((due - timedelta(days=rng.randint(0, 3)), "due", ahead))
            elif number == settle:
                days.append((due + timedelta(days=rng.randint(5, 20)), "settle", None))
        for day, kind, amount in days:
            if day > after:
                self.payments[day].append((index, kind, amount))

    def pay(self, index: int, kind: str, on: date, amount: int | None) -> None:
        contract = self.contract(index)
        if contract is None:
            return
        recovery = contract.state == ContractState.WRITTEN_OFF
        if (kind == "recovery") != recovery or contract.state not in ("ACTIVE", "WRITTEN_OFF"):
            return
        if amount is None:  # else the installment, paid ahead of its due date
            amount = self._amount(contract, kind, on)
        if amount <= 0:
            return
        try:
            with self.session.begin_nested():
                payments.post_payment(self.session, self.staff["finance.tono"], contract, {
                    "paid_on": on, "amount": amount, "reference": f"VA-DEMO-{index}-{on:%Y%m%d}",
                })  # fmt: skip
            self.story.payments += 1
        except ProblemError as exc:
            self.story.skipped.append(f"{applicant(index).nik} pay {on}: {exc.detail}")

    def _amount(self, contract: Contract, kind: str, on: date) -> int:
        """What a borrower pays on ``on``: the settlement quote, a recovery of a tenth of the
        price, or what his virtual account shows due (arrears and late charges), else the next
        installment."""
        if kind == "settle":
            return int(quote(self.session, contract, on)["total"])
        if kind == "recovery":
            return contract.otr_price // 10 // 1000 * 1000
        balance = balance_of(self.session, contract, on)
        owed = balance.arrears + balance.late_charge_owed - balance.credit
        return owed if owed > 0 else balance.next_due_amount - balance.credit

    # --- the days ----------------------------------------------------------------------

    def play(self, days: list[date], progress: Callable[[int, int], None] | None = None) -> None:
        """Each day at the office: its steps, its payments, then its close of business."""
        offsets = {(day - self.first).days for day in days}
        steps: dict[int, list[tuple[int, str]]] = defaultdict(list)
        reach = int(max(offsets) * APPLICATIONS_PER_DAY) + 1
        earliest = int(max(min(offsets) - 45, 0) * APPLICATIONS_PER_DAY)
        for index in range(earliest, reach + 1):
            for offset, name in plan(index).steps:
                if offset in offsets:
                    steps[offset].append((index, name))
        for day in days:
            noon = datetime.combine(day, clock_time(10), tzinfo=JAKARTA)
            with pinned_clock(noon):
                for index, name in steps[(day - self.first).days]:
                    self.step(index, name, day)
                for index, kind, amount in self.payments.pop(day, []):
                    self.pay(index, kind, day, amount)
                close_business_day(self.session, day)
            self.session.commit()
            self.session.expire_all()  # the close writes off in bulk: read contracts again
            self.story.days_closed += 1
            if progress:
                progress(self.story.days_closed, len(days))


def _known(session: Session, first: date) -> dict[int, int]:
    """The script's contracts already in the database, by applicant index (their NIKs)."""
    reach = int((today_jakarta() - first).days * APPLICATIONS_PER_DAY) + 1
    niks = {applicant(index).nik: index for index in range(reach + 1)}
    rows = session.execute(
        select(Contract.applicant_nik, Contract.id).where(Contract.applicant_nik.in_(niks))
    )
    return {niks[nik]: contract_id for nik, contract_id in rows if nik is not None}


class ClosedWithoutHistory(Exception):
    """Business days were closed before, without the demo history: a history is played only
    into a database whose days are not closed yet (or continued where it stopped)."""

    def __init__(self, first_closed: date) -> None:
        super().__init__(first_closed)
        self.first_closed = first_closed


@contextmanager
def _timed(story: Story) -> Iterator[None]:
    started = time.perf_counter()
    yield
    story.seconds = time.perf_counter() - started


def seed_history(database: Database, progress: Callable[[int, int], None] | None = None) -> Story:
    """Play the year of history up to today, or, when it was played before, the days since
    the last one closed. Refuses a database whose days were closed without it."""
    today = today_jakarta()
    with database.sessions() as session:
        closed = session.execute(
            select(func.min(CloseOfBusiness.business_date), func.max(CloseOfBusiness.business_date))
        ).one()
        first: date = closed[0] or today - timedelta(days=HISTORY_DAYS)
        known = _known(session, first) if closed[0] is not None else {}
        if closed[0] is not None and 0 not in known:
            raise ClosedWithoutHistory(closed[0])
        history = History(session, first)
        history.contracts = known
        last: date = closed[1] or first - timedelta(days=1)
        for index, contract_id in known.items():
            contract = session.get_one(Contract, contract_id)
            if contract.state in ("ACTIVE", "WRITTEN_OFF"):
                history.plan_payments(index, contract, after=last)
        days = [last + timedelta(days=n) for n in range(1, (today - last).days + 1)]
        with _timed(history.story):
            if days:
                history.play(days, progress)
        return history.story
