"""Demo data: three branches, Jakarta's five survey areas and five more, dealers, products,
one user per role, surveyors and salesmen for every Jakarta area and for Bandung, a rule set
per product and four credit packages (one expired).
Loading it twice creates nothing twice.

Demo keys are derived from the username (``kredo_demo_<username>``) so that the README can
show them and a second run can print them again; a production service refuses to start while
any demo user exists.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.approval.models import AuthorityLevel
from app.auth.models import ApiKey, User, UserArea
from app.auth.roles import Role
from app.auth.service import Principal, authenticate, hash_key
from app.core.clock import today_jakarta
from app.reference.models import Area, AreaPostalPrefix, Branch, Dealer, FormCategory, Product
from app.scoring.models import RuleSet
from app.scoring.service import publish
from app.scoring.standard import STANDARD_RULE_SET
from app.simulation.models import Package
from app.simulation.schemas import PackageIn
from app.simulation.service import create_package
from app.slik.codes import SEED as SLIK_CODES
from app.slik.models import SlikCode

BRANCHES = [
    ("HO", "Kantor Pusat", "Jakarta Selatan"),
    ("JKT01", "Cabang Jakarta", "Jakarta Pusat"),
    ("BDG01", "Cabang Bandung", "Bandung"),
]

J, N = FormCategory.JAKARTA, FormCategory.NON_JAKARTA
# Jakarta's postal codes start 10 (Pusat), 11 (Barat), 12 (Selatan), 13 (Timur), 14 (Utara).
AREAS = [
    ("JKT-PST", "Jakarta Pusat", J, "JKT01", ["10"]),
    ("JKT-BRT", "Jakarta Barat", J, "JKT01", ["11"]),
    ("JKT-SEL", "Jakarta Selatan", J, "JKT01", ["12"]),
    ("JKT-TIM", "Jakarta Timur", J, "JKT01", ["13"]),
    ("JKT-UTR", "Jakarta Utara", J, "JKT01", ["14"]),
    ("TNG", "Tangerang", N, "JKT01", ["151", "152", "153", "154", "155"]),
    ("BGR", "Bogor", N, "JKT01", ["161", "162", "163"]),
    ("DPK", "Depok", N, "JKT01", ["164"]),
    ("BKS", "Bekasi", N, "JKT01", ["171", "172", "173", "175"]),
    ("BDG", "Bandung", N, "BDG01", ["401", "402", "403", "404"]),
]

DEALERS = [
    ("D-JKT-001", "PT Sinar Motor Kramat", "JKT01", "Jakarta Pusat"),
    ("D-JKT-002", "PT Astra Motor Daan Mogot", "JKT01", "Jakarta Barat"),
    ("D-JKT-003", "CV Jaya Abadi Motor Fatmawati", "JKT01", "Jakarta Selatan"),
    ("D-JKT-004", "PT Mitra Sepeda Motor Cakung", "JKT01", "Jakarta Timur"),
    ("D-JKT-005", "PT Dinamika Mobil Sunter", "JKT01", "Jakarta Utara"),
    ("D-BDG-001", "PT Priangan Motor Soekarno-Hatta", "BDG01", "Bandung"),
]

# The authority matrix of each branch: credit head, branch manager, regional head.
AUTHORITY = [
    (1, "Credit head", 50_000_000, False),
    (2, "Branch manager", 300_000_000, True),
    (3, "Regional head", 2_000_000_000, True),
]

# OJK ties the minimum down payment to the company's NPF; these are the tiers for NPF ≤ 5 %.
PRODUCTS = [
    ("MC", "Pembiayaan Sepeda Motor", Decimal("10.00")),
    ("CAR", "Pembiayaan Mobil", Decimal("10.00")),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: Role
    branch: str
    dealer: str | None = None
    approval_limit: int | None = None
    areas: tuple[str, ...] = ()
    level: int | None = None


NEAR_JAKARTA = ("TNG", "BGR", "DPK", "BKS")
USERS = [
    DemoUser("dealer.sinar", "Sinar Motor Kramat (front-end)", Role.DEALER, "JKT01", "D-JKT-001"),
    DemoUser("sales.budi", "Budi Santoso", Role.SALESMAN, "JKT01", areas=("JKT-PST",)),
    DemoUser("cs.dewi", "Dewi Lestari", Role.CUSTOMER_SERVICE, "JKT01"),
    DemoUser("ca.rina", "Rina Marlina", Role.CREDIT_ANALYST, "JKT01"),
    DemoUser(
        "surveyor.agus", "Agus Setiawan", Role.SURVEYOR, "JKT01", areas=("JKT-PST", *NEAR_JAKARTA)
    ),
    DemoUser("approver.hendra", "Hendra Wijaya", Role.APPROVER, "JKT01", level=1),
    DemoUser("auditor.yuni", "Yuni Kartika", Role.AUDITOR, "HO"),
    DemoUser("finance.tono", "Tono Prasetyo", Role.FINANCE, "JKT01"),
    DemoUser("collector.joko", "Joko Susilo", Role.COLLECTOR, "JKT01"),
    DemoUser("admin.sari", "Sari Wulandari", Role.ADMIN, "HO"),
    DemoUser("integration.ledger", "Core ledger", Role.INTEGRATION, "HO"),
    # Field staff for every Jakarta area, and for Bandung.
    DemoUser("surveyor.gilang", "Gilang Ramadhan", Role.SURVEYOR, "JKT01", areas=("JKT-PST",)),
    DemoUser("surveyor.bambang", "Bambang Hermawan", Role.SURVEYOR, "JKT01", areas=("JKT-UTR",)),
    DemoUser("surveyor.cahya", "Cahya Purnama", Role.SURVEYOR, "JKT01", areas=("JKT-BRT",)),
    DemoUser("surveyor.dimas", "Dimas Saputra", Role.SURVEYOR, "JKT01", areas=("JKT-SEL",)),
    DemoUser("surveyor.eko", "Eko Prasetyo", Role.SURVEYOR, "JKT01", areas=("JKT-TIM",)),
    DemoUser("surveyor.fajar", "Fajar Nugraha", Role.SURVEYOR, "BDG01", areas=("BDG",)),
    DemoUser("sales.citra", "Citra Anggraini", Role.SALESMAN, "JKT01", areas=("JKT-UTR",)),
    DemoUser("sales.dodi", "Dodi Kurniawan", Role.SALESMAN, "JKT01", areas=("JKT-BRT",)),
    DemoUser("sales.evi", "Evi Susanti", Role.SALESMAN, "JKT01", areas=("JKT-SEL",)),
    DemoUser("sales.fani", "Fani Oktaviani", Role.SALESMAN, "JKT01", areas=("JKT-TIM",)),
    DemoUser("sales.asep", "Asep Sunandar", Role.SALESMAN, "BDG01", areas=("BDG",)),
    DemoUser("dealer.priangan", "Priangan Motor (front-end)", Role.DEALER, "BDG01", "D-BDG-001"),
    DemoUser("cs.bdg.neng", "Neng Kurniasih", Role.CUSTOMER_SERVICE, "BDG01"),
    DemoUser("ca.bdg.ujang", "Ujang Supriatna", Role.CREDIT_ANALYST, "BDG01"),
    DemoUser("approver.lina", "Lina Marpaung", Role.APPROVER, "JKT01", level=2),
    DemoUser("approver.rudy", "Rudy Hartanto", Role.APPROVER, "HO", level=3),
]


def demo_packages(year: int) -> list[dict[str, Any]]:
    """A regular and an in-advance motorcycle package, a car package with financed
    insurance, and last year's promotion, expired."""
    jakarta = [code for code, _, branch, _ in DEALERS if branch == "JKT01"]
    everyone = [code for code, _, _, _ in DEALERS]
    mc_insurance = [
        {"rate": "0.015", "value_share": share, "financed": True} for share in ("1", "0.85", "0.70")
    ]
    car_insurance = [
        {"rate": "0.025", "value_share": share, "financed": True}
        for share in ("1", "0.85", "0.70", "0.60", "0.50")
    ]
    common = {
        "valid_from": f"{year}-01-01",
        "expires_on": f"{year}-12-31",
        "insurance_admin_fee": 50_000,
        "provision_rate": "0",
        "rounding_unit": 1000,
    }
    return [
        {
            **common,
            "code": f"MC-REG-{year}",
            "name": f"Motor Reguler {year}",
            "type": "regular",
            "product_code": "MC",
            "dealer_codes": everyone,
            "min_down_payment_pct": "15.00",
            "admin_fee": 500_000,
            "fiduciary_fee": 150_000,
            "in_advance": False,
            "rates": [
                {"tenor_months": 12, "flat_rate": "0.15"},
                {"tenor_months": 24, "flat_rate": "0.18"},
                {"tenor_months": 36, "flat_rate": "0.20"},
            ],
            "insurance": mc_insurance,
        },
        {
            **common,
            "code": f"MC-ADDM-{year}",
            "name": f"Motor Bayar Dimuka {year}",
            "type": "promo",
            "product_code": "MC",
            "dealer_codes": jakarta,
            "min_down_payment_pct": "20.00",
            "admin_fee": 400_000,
            "fiduciary_fee": 150_000,
            "in_advance": True,
            "rates": [
                {"tenor_months": 11, "flat_rate": "0.14"},
                {"tenor_months": 23, "flat_rate": "0.17"},
                {"tenor_months": 35, "flat_rate": "0.19"},
            ],
            "insurance": mc_insurance,
        },
        {
            **common,
            "code": f"CAR-REG-{year}",
            "name": f"Mobil Reguler {year}",
            "type": "regular",
            "product_code": "CAR",
            "dealer_codes": everyone,
            "min_down_payment_pct": "20.00",
            "admin_fee": 2_500_000,
            "fiduciary_fee": 500_000,
            "insurance_admin_fee": 100_000,
            "provision_rate": "0.01",
            "in_advance": False,
            "rates": [
                {"tenor_months": 12, "flat_rate": "0.055"},
                {"tenor_months": 36, "flat_rate": "0.066"},
                {"tenor_months": 60, "flat_rate": "0.075"},
            ],
            "insurance": car_insurance,
        },
        {
            **common,
            "code": f"MC-PROMO-{year - 1}",
            "name": f"Promo Lebaran {year - 1}",
            "type": "promo",
            "product_code": "MC",
            "dealer_codes": everyone,
            "valid_from": f"{year - 1}-03-01",
            "expires_on": f"{year - 1}-04-30",
            "min_down_payment_pct": "10.00",
            "admin_fee": 0,
            "fiduciary_fee": 150_000,
            "in_advance": False,
            "rates": [{"tenor_months": 24, "flat_rate": "0.12"}],
            "insurance": mc_insurance[:2],
        },
    ]


def _seed_credit_rules(session: Session, admin: Principal) -> None:
    """Rule set version 1 for each product, the authority matrices, and the packages."""
    for product in session.scalars(select(Product)):
        if session.scalar(select(RuleSet.id).where(RuleSet.product_id == product.id)) is None:
            publish(session, admin, product.code, STANDARD_RULE_SET, "Demo: standard rules")
    for branch in session.scalars(select(Branch).where(Branch.code != "HO")):
        if session.scalar(select(AuthorityLevel.id).where(AuthorityLevel.branch_id == branch.id)):
            continue
        session.add_all(
            AuthorityLevel(
                branch_id=branch.id,
                level=level,
                name=name,
                max_amount=limit,
                approves_deviations=deviations,
            )
            for level, name, limit, deviations in AUTHORITY
        )
    known = set(session.scalars(select(Package.code)))
    for package in demo_packages(today_jakarta().year):
        if package["code"] not in known:
            create_package(session, PackageIn.model_validate(package))


def demo_key(username: str) -> str:
    return f"kredo_demo_{username}"


def seed_demo(session: Session) -> list[tuple[DemoUser, str]]:
    """Load what is missing of the demo data; returns each demo user with his key."""
    branches = {b.code: b for b in session.scalars(select(Branch))}
    for code, name, city in BRANCHES:
        if code not in branches:
            branches[code] = Branch(code=code, name=name, city=city, active=True)
            session.add(branches[code])
    session.flush()

    known_areas = set(session.scalars(select(Area.code)))
    for code, name, category, branch, prefixes in AREAS:
        if code in known_areas:
            continue
        area = Area(code=code, name=name, category=category.value, branch_id=branches[branch].id)
        session.add(area)
        session.flush()
        session.add_all(AreaPostalPrefix(prefix=p, area_id=area.id) for p in prefixes)

    dealers = {d.code: d for d in session.scalars(select(Dealer))}
    for code, name, branch, city in DEALERS:
        if code not in dealers:
            dealers[code] = Dealer(
                code=code, name=name, branch_id=branches[branch].id, city=city, active=True
            )
            session.add(dealers[code])

    known_products = set(session.scalars(select(Product.code)))
    for code, name, min_dp in PRODUCTS:
        if code not in known_products:
            session.add(Product(code=code, name=name, min_down_payment_pct=min_dp, active=True))
    session.flush()

    # The SLIK code lists, which the migration seeds: put back only into an emptied database.
    if session.scalar(select(SlikCode.code).limit(1)) is None:
        session.add_all(
            SlikCode(list=name, code=code, label=label, maps=maps, active=True)
            for name, code, label, maps in SLIK_CODES
        )
        session.flush()
    # Each demo branch's office code for SLIK (OJK registers a company's offices; an admin keeps
    # the real ones in the code list ``branch``), where the list has none for it.
    offices = session.execute(select(SlikCode.code, SlikCode.maps).where(SlikCode.list == "branch"))
    taken = {(maps or "").lower(): code for code, maps in offices}
    for number, (code, name, _city) in enumerate(BRANCHES, start=1):
        office = f"{number:03d}"
        if code.lower() not in taken and office not in taken.values():
            session.add(SlikCode(list="branch", code=office, label=name, maps=code, active=True))
    session.flush()

    areas = {a.code: a.id for a in session.scalars(select(Area))}
    known_users = set(session.scalars(select(User.username)))
    for demo in USERS:
        if demo.username in known_users:
            continue
        user = User(
            username=demo.username,
            full_name=demo.full_name,
            role=demo.role.value,
            branch_id=branches[demo.branch].id,
            dealer_id=dealers[demo.dealer].id if demo.dealer else None,
            approval_limit=demo.approval_limit,
            authority_level=demo.level,
            is_demo=True,
        )
        session.add(user)
        session.flush()
        session.add_all(UserArea(user_id=user.id, area_id=areas[code]) for code in demo.areas)
        key = demo_key(demo.username)
        session.add(ApiKey(user_id=user.id, prefix=key[:12], key_hash=hash_key(key)))
    session.flush()
    admin = authenticate(session, demo_key("admin.sari"))
    assert admin is not None
    _seed_credit_rules(session, admin[0])
    return [(demo, demo_key(demo.username)) for demo in USERS]
